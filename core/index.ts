// The only entry point other folders import. Framework-free: node:crypto, web globals, relative imports.
export * from './types';
export * from './version';
export * from './asks';
export * from './messages';
export * from './sniff';
export * from './request';
export * from './multipart';
export * from './errors';
export * from './pool';
export * from './crypto';
export * from './callback';
export * from './callbackSecurity';
export * from './urlGuard';
export * from './streaming';
