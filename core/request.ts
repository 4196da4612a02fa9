import { parseAsks } from './asks';
import { isForwardedHeaderName, isHeaderToken } from './callbackSecurity';
import { checkPublicKey } from './crypto';
import { detectDrawingType } from './sniff';
import {
	DEFAULT_MAX_PAGES,
	DRAWING_TYPES,
	MAX_CALLBACK_HEADER_NAME_LENGTH,
	MAX_CALLBACK_HEADER_VALUE_LENGTH,
	MAX_DRAWING_BYTES,
	PRIORITIES,
} from './types';
import type { Ask, DrawingType, Priority, Problem, Result } from './types';

export interface ReadRequestInput {
	drawing: Uint8Array;
	fileName?: string;
	asks: Ask[];
	callbackUrl: string;
	callbackHeaders?: Record<string, string> | null;
	maxPages?: number;
	priority?: string | null;
	publicKey?: string | null;
	clientVersion: string;
}

/** A request that passed every preflight rule, normalised (priority upper-cased, defaults filled). */
export interface ReadRequest {
	drawing: Uint8Array;
	fileName: string;
	drawingType: DrawingType;
	asks: Ask[];
	callbackUrl: string;
	callbackHeaders: Record<string, string> | null;
	maxPages: number;
	priority: Priority | null;
	publicKey: string | null;
	clientVersion: string;
}

/** pydantic's HttpUrl limit, which the service applies to callback_url. */
export const MAX_CALLBACK_URL_LENGTH = 2083;

const ACCEPTED_TYPES_TEXT = `${DRAWING_TYPES.slice(0, -1).join(', ')} or ${DRAWING_TYPES[DRAWING_TYPES.length - 1]}`;

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

function got(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${String(value)}`;
}

/** Sizes as users see them: 12.4 MB, rounded up so a file just over the limit never reads "10.0 MB". */
function megabytes(bytes: number): string {
	return `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1)} MB`;
}

// What a rejected file most likely is, from its first bytes, to name the cause in the message.
const OTHER_KINDS: ReadonlyArray<{ prefix: string; name: string }> = [
	{ prefix: 'GIF8', name: 'a GIF image' },
	{ prefix: 'BM', name: 'a BMP image' },
	{ prefix: 'PK\u0003\u0004', name: 'a ZIP archive (e.g. an Office document)' },
	{ prefix: 'AC10', name: 'a DWG CAD file' },
	{ prefix: '<', name: 'text markup (SVG, HTML or XML)' },
	{ prefix: '{', name: 'JSON text' },
	{ prefix: '[', name: 'JSON text' },
];

function likelyKind(bytes: Uint8Array): string | undefined {
	const head = Array.from(bytes.subarray(0, 8), (byte) => String.fromCharCode(byte)).join('').replace(/^[\s\uFEFF]+/, '');
	return OTHER_KINDS.find((kind) => head.startsWith(kind.prefix))?.name;
}

/** Checks a drawing's size and type: "Drawing is 12.4 MB; the limit is 10 MB". */
export function validateDrawing(bytes: Uint8Array): Result<DrawingType> {
	const path = 'drawing';
	if (!(bytes instanceof Uint8Array)) {
		return { ok: false, problems: [{ path, reason: `Drawing must be binary data (bytes), got ${got(bytes)}` }] };
	}
	if (bytes.length === 0) {
		return { ok: false, problems: [{ path, reason: 'Drawing is empty (0 bytes); check that the binary field holds the file' }] };
	}
	const problems: Problem[] = [];
	if (bytes.length > MAX_DRAWING_BYTES) {
		problems.push({ path, reason: `Drawing is ${megabytes(bytes.length)}; the limit is ${MAX_DRAWING_BYTES / (1024 * 1024)} MB` });
	}
	const type = detectDrawingType(bytes);
	if (!type) {
		const kind = likelyKind(bytes);
		problems.push({
			path,
			reason:
				`Drawing is not a ${ACCEPTED_TYPES_TEXT} file${kind ? ` (it looks like ${kind})` : ''}. ` +
				'The type is read from the file content; the MIME type and file extension are not trusted.',
		});
	}
	return problems.length > 0 || !type ? { ok: false, problems } : { ok: true, value: type };
}

/** Names `Authorization` or `X-…`, name ≤ 128 chars, value ≤ 4096 chars (werk24-api.md §5.2). */
export function validateCallbackHeaders(headers: Record<string, string>): Problem[] {
	const base = 'callbackHeaders';
	if (!isPlainObject(headers)) return [{ path: base, reason: `Callback headers must be an object of name → value, got ${got(headers)}` }];
	const problems: Problem[] = [];
	const seen = new Set<string>();
	for (const [name, value] of Object.entries(headers)) {
		const path = `${base}.${name}`;
		const lower = name.toLowerCase();
		// The same name rule as the Callback Security credential's header (core/callbackSecurity.ts).
		if (!isForwardedHeaderName(name)) {
			problems.push({ path, reason: `Invalid header "${name}": must start with "X-" or be "Authorization"` });
		} else if (!isHeaderToken(name)) {
			problems.push({ path, reason: `Invalid header "${name}": a header name may hold only letters, digits and -_.!#$%&'*+^\`|~` });
		}
		if (name.length > MAX_CALLBACK_HEADER_NAME_LENGTH) {
			problems.push({ path, reason: `Header name is ${name.length} characters; the limit is ${MAX_CALLBACK_HEADER_NAME_LENGTH}` });
		}
		if (seen.has(lower)) problems.push({ path, reason: `Header "${name}" is given twice (header names ignore case)` });
		seen.add(lower);
		if (typeof value !== 'string') {
			problems.push({ path, reason: `Value of header "${name}" must be text, got ${got(value)}` });
			continue;
		}
		if (value.length > MAX_CALLBACK_HEADER_VALUE_LENGTH) {
			problems.push({ path, reason: `Value of header "${name}" is ${value.length} characters; the limit is ${MAX_CALLBACK_HEADER_VALUE_LENGTH}` });
		}
		if (/[\r\n\0]/.test(value)) problems.push({ path, reason: `Value of header "${name}" must not contain line breaks` });
	}
	return problems;
}

/** PRIO1|PRIO2|PRIO3, case-insensitive; empty/null/undefined = account default (null). */
export function normalizePriority(value: unknown): Result<Priority | null> {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return { ok: true, value: null };
	const upper = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
	if (upper !== undefined && (PRIORITIES as readonly string[]).includes(upper)) return { ok: true, value: upper as Priority };
	return {
		ok: false,
		problems: [{ path: 'priority', reason: `Priority must be PRIO1, PRIO2 or PRIO3 (or empty for your account's default), got ${got(value)}` }],
	};
}

function checkCallbackUrl(value: unknown, problems: Problem[]): string {
	const path = 'callbackUrl';
	if (typeof value !== 'string' || value.trim() === '') {
		problems.push({ path, reason: `Callback URL is required (the Production URL of your Werk24 Trigger), got ${got(value)}` });
		return '';
	}
	const url = value.trim();
	if (url.length > MAX_CALLBACK_URL_LENGTH) {
		problems.push({ path, reason: `Callback URL is ${url.length} characters; the limit is ${MAX_CALLBACK_URL_LENGTH}` });
		return url;
	}
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		problems.push({ path, reason: `Callback URL must be an absolute http(s) URL such as https://n8n.example.com/webhook/…, got ${got(url)}` });
		return url;
	}
	if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
		problems.push({ path, reason: `Callback URL must use http or https, got ${got(parsed.protocol.replace(/:$/, ''))}` });
	}
	return url;
}

function checkMaxPages(value: unknown, problems: Problem[]): number {
	if (value === undefined || value === null) return DEFAULT_MAX_PAGES;
	if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
	problems.push({ path: 'maxPages', reason: `Max Pages must be a whole number of at least 1, got ${got(value)}` });
	return DEFAULT_MAX_PAGES;
}

function checkFileName(value: unknown, type: DrawingType | undefined, problems: Problem[]): string {
	const fallback = `drawing.${type?.extension ?? 'pdf'}`;
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback;
	if (typeof value !== 'string') {
		problems.push({ path: 'fileName', reason: `File name must be text, got ${got(value)}` });
		return fallback;
	}
	return value.trim();
}

function checkHeaders(value: unknown, problems: Problem[]): Record<string, string> | null {
	if (value === undefined || value === null) return null;
	const found = validateCallbackHeaders(value as Record<string, string>);
	problems.push(...found);
	if (found.length > 0) return null;
	const headers = value as Record<string, string>;
	return Object.keys(headers).length > 0 ? { ...headers } : null;
}

function checkPublicKeyField(value: unknown, problems: Problem[]): string | null {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
	if (typeof value !== 'string') {
		problems.push({ path: 'publicKey', reason: `Public key must be PEM text, got ${got(value)}` });
		return null;
	}
	problems.push(...checkPublicKey(value).map((problem) => ({ path: 'publicKey', reason: problem.reason })));
	return value;
}

/** Every preflight rule werk24-python applies, plus the drawing checks; collects all problems. Never throws. */
export function validateReadRequest(input: ReadRequestInput): Result<ReadRequest> {
	if (!isPlainObject(input)) return { ok: false, problems: [{ path: 'request', reason: `must be an object, got ${got(input)}` }] };
	const problems: Problem[] = [];

	const drawing = validateDrawing(input.drawing);
	if (!drawing.ok) problems.push(...drawing.problems);
	const drawingType = drawing.ok ? drawing.value : undefined;
	const fileName = checkFileName(input.fileName, drawingType, problems);

	const asks = parseAsks(input.asks);
	if (!asks.ok) problems.push(...asks.problems);

	const callbackUrl = checkCallbackUrl(input.callbackUrl, problems);
	const callbackHeaders = checkHeaders(input.callbackHeaders, problems);
	const maxPages = checkMaxPages(input.maxPages, problems);

	const priority = normalizePriority(input.priority);
	if (!priority.ok) problems.push(...priority.problems);

	const publicKey = checkPublicKeyField(input.publicKey, problems);

	const clientVersion = input.clientVersion;
	if (typeof clientVersion !== 'string' || clientVersion.trim() === '') {
		problems.push({ path: 'clientVersion', reason: `Client version is required, got ${got(clientVersion)}` });
	}

	if (problems.length > 0 || !drawing.ok || !asks.ok || !priority.ok) return { ok: false, problems };
	return {
		ok: true,
		value: {
			drawing: input.drawing,
			fileName,
			drawingType: drawing.value,
			asks: asks.value,
			callbackUrl,
			callbackHeaders,
			maxPages,
			priority: priority.value,
			publicKey,
			clientVersion,
		},
	};
}
