// One callback POST → a verdict: auth → decode (JSON or encrypted package) → validate → filter. Pure; never throws.
import * as crypto from 'node:crypto';
import { decryptPackage } from './crypto';
import { isAskType } from './asks';
import { parseMessageBody } from './messages';
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
	/** Narrows ASK messages of the nine v2 asks; other ask types always pass. Empty or absent = all. */
	askTypes?: string[];
}

/** 401 {"error":"unauthorized"} | 400 {"error": reason} | 200 {"received":true,"emitted":N} with the messages to emit. */
export interface CallbackVerdict {
	status: 200 | 400 | 401;
	body: Record<string, unknown>;
	messages: TechreadMessage[];
}

const ENCRYPTED_CONTENT_TYPE = 'application/octet-stream';
const MAX_REASON_LENGTH = 160;

function reject(status: 400 | 401, error: string): CallbackVerdict {
	return { status, body: { error: error.slice(0, MAX_REASON_LENGTH) }, messages: [] };
}

function sha256(value: string): Buffer {
	return crypto.createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison over fixed-length digests (no early exit on length). */
export function secretMatches(received: string | undefined, expected: string): boolean {
	const given = typeof received === 'string' ? received : '';
	const wanted = typeof expected === 'string' ? expected : '';
	// Digest both sides even when one is missing, so timing does not reveal which check failed.
	const equal = crypto.timingSafeEqual(sha256(given), sha256(wanted));
	return equal && typeof received === 'string' && wanted.length > 0;
}

/** Header lookup ignoring case; a repeated header counts only when it carries one value. */
export function findHeader(headers: CallbackRequest['headers'], name: string): string | undefined {
	if (!headers || typeof headers !== 'object' || typeof name !== 'string') return undefined;
	const wanted = name.trim().toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		if (typeof value === 'string') return value;
		if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
		return undefined;
	}
	return undefined;
}

function mediaType(request: CallbackRequest): string {
	const raw = request.contentType ?? findHeader(request.headers, 'content-type') ?? '';
	return String(raw).split(';')[0].trim().toLowerCase();
}

function looksLikeJson(bytes: Uint8Array): boolean {
	for (const byte of bytes) {
		if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0xef || byte === 0xbb || byte === 0xbf) {
			continue; // whitespace and a UTF-8 BOM
		}
		return byte === 0x7b || byte === 0x5b; // { or [
	}
	return false;
}

type Decoded = { ok: true; json: unknown } | { ok: false; verdict: CallbackVerdict };

function parseJsonBytes(bytes: Uint8Array): Decoded {
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
	} catch {
		return { ok: false, verdict: reject(400, 'body is not valid UTF-8 JSON') };
	}
	if (text.trim() === '') return { ok: false, verdict: reject(400, 'body is empty') };
	try {
		return { ok: true, json: JSON.parse(text) };
	} catch {
		return { ok: false, verdict: reject(400, 'body is not valid JSON') };
	}
}

function decodeBody(request: CallbackRequest, config: CallbackConfig): Decoded {
	let bytes: Uint8Array | undefined;
	if (request.rawBody instanceof Uint8Array && request.rawBody.length > 0) bytes = request.rawBody;
	else if (request.body instanceof Uint8Array) bytes = request.body;
	else if (typeof request.body === 'string') bytes = new TextEncoder().encode(request.body);
	else if (request.body !== undefined && request.body !== null && typeof request.body === 'object') {
		return { ok: true, json: request.body };
	}
	if (!bytes || bytes.length === 0) return { ok: false, verdict: reject(400, 'body is empty') };

	// The encrypted-body format is undocumented: take octet-stream as the marker, and also any non-JSON body
	// when a private key is configured (the hybrid package is raw bytes, never starting like JSON text).
	const encrypted = mediaType(request) === ENCRYPTED_CONTENT_TYPE || (!looksLikeJson(bytes) && !!config.privateKey?.pem);
	if (!encrypted) {
		const parsed = parseJsonBytes(bytes);
		if (parsed.ok || !config.privateKey?.pem) return parsed;
		// A package starts with random RSA bytes, about one in a hundred of which look like the start of JSON.
		const plain = decryptPackage(config.privateKey.pem, bytes, config.privateKey.passphrase || undefined);
		return plain.ok ? parseJsonBytes(plain.value) : parsed;
	}
	if (!config.privateKey?.pem) {
		return {
			ok: false,
			verdict: reject(400, 'encrypted body received but no private key is configured in the Werk24 Callback Security credential'),
		};
	}
	const plain = decryptPackage(config.privateKey.pem, bytes, config.privateKey.passphrase || undefined);
	if (!plain.ok) return { ok: false, verdict: reject(400, `body could not be decrypted: ${plain.problems[0].reason}`) };
	return parseJsonBytes(plain.value);
}

function wanted(list: string[] | undefined, value: string): boolean {
	return !Array.isArray(list) || list.length === 0 || list.includes(value);
}

/** auth → decode → validate → filter. Never throws. */
export function handleCallback(request: CallbackRequest, config: CallbackConfig): CallbackVerdict {
	try {
		if (config.auth !== null) {
			const received = findHeader(request?.headers, config.auth?.headerName);
			if (!secretMatches(received, config.auth?.secret)) return reject(401, 'unauthorized');
		}
		const decoded = decodeBody(request, config);
		if (!decoded.ok) return decoded.verdict;

		const parsed = parseMessageBody(decoded.json);
		if (!parsed.ok) {
			// Path and reason only: the parser's problems name fields, never the secret or payload contents.
			const first = parsed.problems[0];
			const more = parsed.problems.length > 1 ? ` (+${parsed.problems.length - 1} more)` : '';
			const detail = first ? `${first.path} ${first.reason}`.slice(0, 120) : 'rejected';
			return reject(400, `invalid message: ${detail}${more}`);
		}
		const messages = parsed.value.filter(
			(message) =>
				wanted(config.messageTypes, message.message_type) &&
				(message.message_type !== 'ASK' ||
					// Only the nine v2 asks can be selected, so only they can be filtered out: results of v1
					// or newer asks (sent via Additional Asks) are never dropped silently.
					!isAskType(message.message_subtype) ||
					wanted(config.askTypes, message.message_subtype)),
		);
		return { status: 200, body: { received: true, emitted: messages.length }, messages };
	} catch {
		// A bug below must still end in an answer, not a crash of the webhook; nothing of the request is echoed.
		return reject(400, 'callback could not be processed');
	}
}
