import type { TechreadMessage } from './types';

export interface CallbackRequest {
	headers: Record<string, string | string[] | undefined>;
	/** The exact bytes received; preferred over `body`. */
	rawBody?: Uint8Array;
	/** A body a framework already parsed (used when rawBody is absent). */
	body?: unknown;
	contentType?: string;
}

export interface CallbackConfig {
	/** null = no authentication (the Trigger shows a warning). */
	auth: { headerName: string; secret: string } | null;
	/** Decrypts `application/octet-stream` bodies (hybrid package). */
	privateKey?: { pem: string; passphrase?: string };
	/** Empty or absent = all. */
	messageTypes?: string[];
	/** Applies to ASK messages; empty or absent = all. */
	askTypes?: string[];
}

/** 401 {"error":"unauthorized"} | 400 {"error": reason} | 200 {"received":true,"emitted":N} with the messages to emit. */
export interface CallbackVerdict {
	status: 200 | 400 | 401;
	body: Record<string, unknown>;
	messages: TechreadMessage[];
}

/** auth → decode → validate → filter. Never throws. */
export function handleCallback(request: CallbackRequest, config: CallbackConfig): CallbackVerdict {
	throw new Error('not implemented yet' + String([request, config]));
}

/** Constant-time comparison over fixed-length digests (no early exit on length). */
export function secretMatches(received: string | undefined, expected: string): boolean {
	throw new Error('not implemented yet' + String([received, expected]));
}
