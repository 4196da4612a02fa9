export type Werk24ErrorKind =
	| 'bad_request'
	| 'unauthorized'
	| 'not_found'
	| 'too_large'
	| 'unsupported_type'
	| 'rate_limited'
	| 'service'
	| 'network'
	| 'protocol'
	| 'crypto'
	| 'timeout';

/** What happened (title = message), what to do (hint), HTTP status (0 = no response), whether a retry may help. */
export class Werk24Error extends Error {
	readonly kind: Werk24ErrorKind;
	readonly title: string;
	readonly hint: string;
	readonly status: number;
	readonly retryable: boolean;
	readonly details?: Record<string, unknown>;
	readonly retryAfterSeconds?: number;

	constructor(init: {
		kind: Werk24ErrorKind;
		title: string;
		hint: string;
		status?: number;
		retryable?: boolean;
		details?: Record<string, unknown>;
		retryAfterSeconds?: number;
	}) {
		super(init.title);
		this.name = 'Werk24Error';
		this.kind = init.kind;
		this.title = init.title;
		this.hint = init.hint;
		this.status = init.status ?? 0;
		this.retryable = init.retryable ?? false;
		this.details = init.details;
		this.retryAfterSeconds = init.retryAfterSeconds;
	}
}

type ErrorInit = ConstructorParameters<typeof Werk24Error>[0];
type SubclassInit = Omit<ErrorInit, 'kind'>;

/** 400/422: the service says the request is invalid (details carry e.g. invalid_asks and valid_asks). */
export class Werk24BadRequestError extends Werk24Error {
	constructor(init: SubclassInit) {
		super({ ...init, kind: 'bad_request' });
		this.name = 'Werk24BadRequestError';
	}
}
/** 401/402/403: the license token was rejected or does not cover the request. */
export class Werk24UnauthorizedError extends Werk24Error {
	constructor(init: SubclassInit) {
		super({ ...init, kind: 'unauthorized' });
		this.name = 'Werk24UnauthorizedError';
	}
}
export class Werk24NotFoundError extends Werk24Error {
	constructor(init: SubclassInit) {
		super({ ...init, kind: 'not_found' });
		this.name = 'Werk24NotFoundError';
	}
}
export class Werk24TooLargeError extends Werk24Error {
	constructor(init: SubclassInit) {
		super({ ...init, kind: 'too_large' });
		this.name = 'Werk24TooLargeError';
	}
}
export class Werk24UnsupportedTypeError extends Werk24Error {
	constructor(init: SubclassInit) {
		super({ ...init, kind: 'unsupported_type' });
		this.name = 'Werk24UnsupportedTypeError';
	}
}
/** 429: werk24-python reads it as "out of credits", the API documentation as a rate limit. */
export class Werk24RateLimitError extends Werk24Error {
	constructor(init: SubclassInit) {
		super({ ...init, kind: 'rate_limited' });
		this.name = 'Werk24RateLimitError';
	}
}
export class Werk24ServiceError extends Werk24Error {
	constructor(init: SubclassInit) {
		super({ ...init, kind: 'service' });
		this.name = 'Werk24ServiceError';
	}
}
/** No response arrived (status 0). `kind` is network or timeout. */
export class Werk24NetworkError extends Werk24Error {
	constructor(init: ErrorInit) {
		super(init);
		this.name = 'Werk24NetworkError';
	}
}

// ---------------------------------------------------------------------------------------------
// Bodies: whatever the HTTP client hands over, reduced to safe data before anything is kept.

const SECRET_KEY = /token|authori[sz]ation|secret|password|passphrase|api[-_]?key|private[-_]?key|cookie|credential|signature/i;
const MAX_TEXT = 300;

/** Blanks secrets that a body might echo: auth schemes with their value, and URL query strings. */
export function redactText(text: string): string {
	return text
		.replace(/\b(Token|Bearer|Basic)\s+[^\s"',;]+/gi, '$1 [redacted]')
		.replace(/(https?:\/\/[^\s?#"'<>]+)[?#][^\s"'<>]*/gi, '$1?[redacted]');
}

function shorten(text: string): string {
	const clean = redactText(text.trim());
	return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

function sanitize(value: unknown, depth = 0): unknown {
	if (depth > 6) return '[…]';
	if (typeof value === 'string') return redactText(value);
	if (Array.isArray(value)) return value.slice(0, 50).map((item) => sanitize(item, depth + 1));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(
			Object.entries(value).map(([key, member]) => [key, SECRET_KEY.test(key) ? '[redacted]' : sanitize(member, depth + 1)]),
		);
	}
	return value;
}

function isBytes(value: unknown): value is Uint8Array | ArrayBuffer {
	return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

/** The body as a JSON object (when it is one) or as text; undefined when empty. */
function readBody(body: unknown): { json?: Record<string, unknown>; text?: string } {
	let value: unknown = body;
	if (isBytes(value)) value = new TextDecoder('utf-8', { fatal: false }).decode(value);
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return {};
		if (text.startsWith('{') || text.startsWith('[')) {
			try {
				value = JSON.parse(text) as unknown;
			} catch {
				return { text };
			}
		} else {
			return { text };
		}
	}
	if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { json: value as Record<string, unknown> };
	if (value === undefined || value === null) return {};
	return { text: typeof value === 'object' ? JSON.stringify(value) : String(value) };
}

const asText = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const asRecord = (value: unknown): Record<string, unknown> | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const asStringList = (value: unknown): string[] | undefined =>
	Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;

/** FastAPI answers validation failures with detail: [{loc, msg}]; make that one readable line. */
function describeDetail(detail: unknown): string | undefined {
	if (typeof detail === 'string') return asText(detail);
	if (!Array.isArray(detail)) return undefined;
	const lines = detail
		.map(asRecord)
		.filter((item): item is Record<string, unknown> => item !== undefined && typeof item.msg === 'string')
		.map((item) => (Array.isArray(item.loc) ? `${item.loc.filter((part) => part !== 'body').join('.')}: ${String(item.msg)}` : String(item.msg)));
	return lines.length > 0 ? lines.join('; ') : undefined;
}

interface ServerSays {
	message?: string;
	requestId?: string;
	details?: Record<string, unknown>;
	invalidAsks?: string[];
	validAsks?: string[];
	reason?: string;
	retryAfter?: number;
	safeBody?: Record<string, unknown>;
}

function parseRetryAfter(value: unknown, now: number): number | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	if (typeof first === 'number' && Number.isFinite(first) && first >= 0) return Math.ceil(first);
	if (typeof first !== 'string' || first.trim() === '') return undefined;
	const text = first.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function headerValue(headers: Record<string, string | string[] | undefined> | undefined, name: string): unknown {
	if (!headers || typeof headers !== 'object') return undefined;
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

function readServer(body: unknown, now: number): ServerSays {
	const { json, text } = readBody(body);
	if (!json) return text ? { message: shorten(text), safeBody: { body: shorten(text) } } : {};
	const details = asRecord(json.details);
	const message = asText(json.message) ?? describeDetail(json.detail) ?? asText(json.error) ?? asText(json.title);
	return {
		message: message ? shorten(message) : undefined,
		requestId: asText(json.request_id),
		details: details ? (sanitize(details) as Record<string, unknown>) : undefined,
		invalidAsks: asStringList(details?.invalid_asks),
		validAsks: asStringList(details?.valid_asks),
		reason: asText(details?.reason) ?? asText(json.reason),
		retryAfter: parseRetryAfter(json.retry_after ?? details?.retry_after, now),
		safeBody: sanitize(json) as Record<string, unknown>,
	};
}

// ---------------------------------------------------------------------------------------------
// The table: status → class, title and hint (werk24-python `HTTP_EXCEPTION_CLASSES`, the API's error page).

interface Rule {
	make: (init: SubclassInit) => Werk24Error;
	title: (status: number, server: ServerSays) => string;
	hint: (status: number, server: ServerSays) => string;
	retryable?: boolean;
}

const CHECK_URL = 'Check the API URL in the Werk24 API credential (the default is https://api.w24.co).';

const RULES: Record<string, Rule> = {
	bad_request: {
		make: (init) => new Werk24BadRequestError(init),
		title: (status, server) => `Werk24 rejected the request (HTTP ${status})${server.message ? `: ${server.message}` : ''}`,
		hint: (_status, server) => {
			if (server.invalidAsks?.length) {
				const valid = server.validAsks?.length ? ` Valid asks: ${server.validAsks.join(', ')}.` : '';
				return `Invalid asks: ${server.invalidAsks.join(', ')}.${valid} Change the asks and submit again.`;
			}
			return 'Check the asks and the other parameters of the request; the message above says what Werk24 did not accept.';
		},
	},
	unauthorized: {
		make: (init) => new Werk24UnauthorizedError(init),
		// The credential is named in the message itself: n8n shows the description only when it is expanded.
		title: (status, server) => `License token rejected — check the Werk24 API credential (HTTP ${status}${server.reason ? `: ${server.reason}` : ''})`,
		hint: (status) =>
			'Check the License Token in the Werk24 API credential: paste it again without spaces, and make sure it has not expired.' +
			(status === 402 ? ' HTTP 402 can also mean the license has no credits left.' : '') +
			(status === 403 ? ' HTTP 403 can also mean your license does not include this feature or priority.' : ''),
	},
	not_found: {
		make: (init) => new Werk24NotFoundError(init),
		title: (status) => `Werk24 endpoint not found (HTTP ${status})`,
		hint: () => CHECK_URL,
	},
	too_large: {
		make: (init) => new Werk24TooLargeError(init),
		title: () => 'Drawing larger than 10 MB',
		hint: () => 'Werk24 accepts drawings up to 10 MB. Reduce the file size (lower the scan resolution, compress the images or send fewer pages).',
	},
	unsupported_type: {
		make: (init) => new Werk24UnsupportedTypeError(init),
		title: () => 'Unsupported file type',
		hint: () => 'Send the drawing as a PDF, PNG, JPEG or TIFF file. Encrypted or password-protected PDFs cannot be read.',
	},
	rate_limited: {
		make: (init) => new Werk24RateLimitError(init),
		title: (status, server) =>
			`Werk24 is out of credits for this license or rate-limited (HTTP ${status})${server.message ? `: ${server.message}` : ''}`,
		hint: (_status, server) =>
			(server.retryAfter !== undefined
				? `Werk24 asks to wait ${server.retryAfter} seconds before the next request. `
				: 'Wait a moment before sending more drawings. ') +
			'If it persists, check the credit balance of your Werk24 license.',
	},
	service: {
		make: (init) => new Werk24ServiceError(init),
		title: (status, server) => `Werk24 service error (HTTP ${status})${server.message ? `: ${server.message}` : ''}`,
		hint: (status) =>
			status === 502 || status === 503 || status === 504
				? 'The Werk24 service is temporarily unavailable; retry in a few minutes.'
				: 'Retry later; if it persists, contact Werk24 support with the request ID.',
	},
	unexpected: {
		make: (init) => new Werk24ServiceError(init),
		title: (status, server) => `Unexpected answer from Werk24 (HTTP ${status})${server.message ? `: ${server.message}` : ''}`,
		hint: () => `${CHECK_URL} If it is right, contact Werk24 support.`,
	},
};

const STATUS_RULE: Record<number, keyof typeof RULES> = {
	400: 'bad_request',
	401: 'unauthorized',
	402: 'unauthorized',
	403: 'unauthorized',
	404: 'not_found',
	413: 'too_large',
	415: 'unsupported_type',
	422: 'bad_request',
	429: 'rate_limited',
};

/** Only these may succeed on a second try (house rule: retry before a response or on 502/503/504). */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

function ruleFor(status: number): Rule {
	const named = STATUS_RULE[status];
	if (named) return RULES[named];
	if (status >= 500 && status <= 599) return RULES.service;
	return RULES.unexpected;
}

/** Maps an HTTP status and body (parsed JSON, text or nothing) to a typed error with an actionable message. */
export function errorFromResponse(
	status: number,
	body: unknown,
	headers?: Record<string, string | string[] | undefined>,
	options?: { now?: number },
): Werk24Error {
	const now = options?.now ?? Date.now();
	const server = readServer(body, now);
	const validStatus = Number.isInteger(status) && status >= 100 && status <= 599;
	if (!validStatus) {
		return new Werk24Error({
			kind: 'protocol',
			title: `Werk24 answered with an invalid HTTP status (${String(status)})`,
			hint: `${CHECK_URL} A proxy between n8n and Werk24 may be interfering.`,
			status: 0,
			details: server.safeBody,
		});
	}
	const retryAfterSeconds = parseRetryAfter(headerValue(headers, 'retry-after'), now) ?? server.retryAfter;
	const withRetry: ServerSays = { ...server, retryAfter: retryAfterSeconds };
	const rule = ruleFor(status);
	const requestHint = server.requestId ? ` Werk24 request ID: ${server.requestId}.` : '';
	return rule.make({
		title: rule.title(status, withRetry),
		hint: rule.hint(status, withRetry) + requestHint,
		status,
		retryable: RETRYABLE_STATUSES.has(status),
		details: server.safeBody,
		retryAfterSeconds,
	});
}

const TLS_CODES = /^(CERT_|UNABLE_TO_(GET|VERIFY)|SELF_SIGNED|DEPTH_ZERO|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH)/;
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The error code of a Node/undici/axios failure, looking one level into `cause` (fetch wraps it). */
function errorCode(cause: unknown): string | undefined {
	const record = asRecord(cause);
	if (!record) return undefined;
	if (typeof record.code === 'string' && record.code !== '') return record.code;
	const inner = asRecord(record.cause);
	return inner && typeof inner.code === 'string' && inner.code !== '' ? inner.code : undefined;
}

/** A failure before any response arrived (DNS, refused, reset, TLS, timeout): retryable, except TLS. */
export function errorFromNetwork(cause: unknown): Werk24Error {
	if (cause instanceof Werk24Error) return cause;
	const code = errorCode(cause);
	const record = asRecord(cause);
	const name = typeof record?.name === 'string' ? record.name : undefined;
	const rawMessage = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : undefined;
	const message = rawMessage ? shorten(rawMessage) : undefined;
	const details = { ...(code ? { code } : {}), ...(message ? { message } : {}) };

	if (code && TLS_CODES.test(code)) {
		return new Werk24NetworkError({
			kind: 'network',
			title: `TLS certificate of the Werk24 server could not be verified (${code})`,
			hint: 'A proxy that inspects HTTPS traffic (common in company networks) may be replacing the certificate. Ask your IT team to allow the Werk24 API host, or add the proxy certificate to n8n (NODE_EXTRA_CA_CERTS).',
			retryable: false,
			details,
		});
	}
	if ((code && TIMEOUT_CODES.has(code)) || name === 'TimeoutError' || name === 'AbortError') {
		return new Werk24NetworkError({
			kind: 'timeout',
			title: `Werk24 did not answer in time${code ? ` (${code})` : ''}`,
			hint: 'Retry in a moment. If it keeps happening, check the network between n8n and Werk24 and the API URL in the Werk24 API credential.',
			retryable: true,
			details,
		});
	}
	const what =
		code === 'ENOTFOUND' || code === 'EAI_AGAIN'
			? 'the Werk24 API host name could not be resolved'
			: code === 'ECONNREFUSED'
				? 'the connection was refused'
				: code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET'
					? 'the connection was interrupted'
					: undefined;
	return new Werk24NetworkError({
		kind: 'network',
		title: `Could not reach Werk24${what ? `: ${what}` : ''}${code ? ` (${code})` : !what && message ? `: ${message}` : ''}`,
		hint: `${CHECK_URL} Also check the internet connection and any proxy between n8n and Werk24; the request can be retried.`,
		retryable: true,
		details,
	});
}
