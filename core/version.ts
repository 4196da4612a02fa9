/** Kept equal to package.json's version by a unit test (core/ may not read files at run time). */
export const PACKAGE_VERSION = '0.1.0';

/** What we report as `client_version`; the service gates features on it (werk24-api.md §4.4). */
export const CLIENT_VERSION = `${PACKAGE_VERSION}-n8n`;
