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

/** Maps an HTTP status and body (parsed JSON, text or nothing) to a typed error with an actionable message. */
export function errorFromResponse(
	status: number,
	body: unknown,
	headers?: Record<string, string | string[] | undefined>,
): Werk24Error {
	throw new Error('not implemented yet' + String([status, body, headers]));
}

/** A failure before any response arrived (DNS, refused, reset, TLS, timeout): retryable. */
export function errorFromNetwork(cause: unknown): Werk24Error {
	throw new Error('not implemented yet' + String(cause));
}
