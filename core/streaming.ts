// The streaming TechRead protocol (werk24-python `read_drawing`): INITIALIZE → presigned upload → READ →
// messages until COMPLETED. Framework-free: the caller hands in the WebSocket constructor and the upload
// function, and ends the wait (timeout, cancellation) through an AbortSignal — no timers here.
import { encryptPackage } from './crypto';
import { Werk24Error } from './errors';
import { describeException, parseMessage } from './messages';
import type { Ask, Priority, TechreadMessage } from './types';

/** The WHATWG WebSocket surface used here: Node ≥ 22's global WebSocket and the `ws` package both have it. */
export interface WebSocketLike {
	send(data: string): void;
	close(code?: number, reason?: string): void;
	addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: unknown) => void): void;
}

/** `new WebSocket(url, { headers })`: undici (Node ≥ 22) and `ws` both take headers this way. */
export type WebSocketConstructor = new (url: string, init: { headers: Record<string, string> }) => WebSocketLike;

/** POSTs the presigned form (no credentials); resolves with the HTTP status, rejects when no response arrived. */
export type PresignedUpload = (url: string, form: FormData) => Promise<number>;

export interface StreamingReadRequest {
	streamingUrl: string;
	token: string;
	drawing: Uint8Array;
	fileName: string;
	asks: Ask[];
	maxPages: number;
	clientVersion: string;
	priority?: Priority | null;
	/** The client's public key: the service then encrypts result files (payload_url). */
	publicKey?: string | null;
}

export interface StreamingDependencies {
	WebSocket: WebSocketConstructor;
	upload: PresignedUpload;
	/** Ends the wait; a reason named TimeoutError reads as a timeout, any other as a cancellation. */
	signal?: AbortSignal;
	onMessage?: (message: TechreadMessage) => void;
}

export interface StreamingOutcome {
	requestId: string | null;
	/** Every TechreadMessage after INITIALIZATION_SUCCESS, in arrival order (kept when the read ends early). */
	messages: TechreadMessage[];
	completed: boolean;
	/** Why the read ended before COMPLETED; null when it completed. */
	error: Werk24Error | null;
	/** Asks (and pages) that never arrived, e.g. "FEATURES (page 2)"; empty when completed. */
	missing: string[];
	/** Whether the drawing was encrypted with the server's key before the upload. */
	uploadEncrypted: boolean;
}

type Phase = 'connecting' | 'initializing' | 'uploading' | 'reading';

const CHECK_STREAMING = 'Check "Streaming URL" and "License Token" in the Werk24 API credential.';

/** Runs one drawing through the streaming API. Never throws for service, network or protocol problems. */
export function readDrawingStreaming(request: StreamingReadRequest, deps: StreamingDependencies): Promise<StreamingOutcome> {
	if (typeof deps.WebSocket !== 'function' || typeof deps.upload !== 'function') {
		throw new TypeError('readDrawingStreaming needs a WebSocket constructor and an upload function');
	}
	return new Promise((resolve) => {
		let phase: Phase = 'connecting';
		let socket: WebSocketLike | undefined;
		let settled = false;
		let requestId: string | null = null;
		let uploadEncrypted = false;
		const messages: TechreadMessage[] = [];

		const finish = (error: Werk24Error | null): void => {
			if (settled) return;
			settled = true;
			deps.signal?.removeEventListener('abort', onAbort);
			closeQuietly(socket);
			const completed = error === null;
			resolve({ requestId, messages, completed, error, missing: completed ? [] : missingResults(request.asks, messages), uploadEncrypted });
		};
		const onAbort = (): void => finish(abortError(deps.signal?.reason, phase, request.asks, messages));

		if (deps.signal?.aborted) return onAbort();
		deps.signal?.addEventListener('abort', onAbort, { once: true });

		try {
			socket = new deps.WebSocket(request.streamingUrl, { headers: { Authorization: `Token ${request.token}` } });
		} catch (cause) {
			return finish(
				new Werk24Error({
					kind: 'network',
					title: `The streaming connection could not be opened: ${(cause as Error)?.message ?? String(cause)}`,
					hint: `${CHECK_STREAMING} It must start with wss:// (or ws:// for the sandbox).`,
				}),
			);
		}
		const ws = socket;

		ws.addEventListener('open', () => {
			phase = 'initializing';
			send(ws, { action: 'INITIALIZE', message: { asks: request.asks, client_version: request.clientVersion, max_pages: request.maxPages } });
		});
		ws.addEventListener('error', (event) => {
			if (phase === 'connecting') return finish(handshakeError(event));
			finish(closedEarly(phase, request.asks, messages, `the connection failed (${eventText(event) || 'no details'})`));
		});
		ws.addEventListener('close', (event) => {
			if (phase === 'connecting') return finish(handshakeError(event));
			const code = (event as { code?: number }).code;
			finish(closedEarly(phase, request.asks, messages, `Werk24 closed the connection${code ? ` (code ${code})` : ''}`));
		});
		ws.addEventListener('message', (event) => {
			if (settled) return;
			const frame = decodeFrame((event as { data?: unknown }).data);
			const errorFrame = frameError(frame);
			if (errorFrame) return finish(errorFrame);
			const parsed = parseMessage(frame);
			if (!parsed.ok) {
				return finish(
					new Werk24Error({
						kind: 'protocol',
						title: 'Werk24 sent a streaming message this node cannot read',
						hint: parsed.problems.map((problem) => `${problem.path}: ${problem.reason}`).join('; '),
					}),
				);
			}
			const message = parsed.value;
			requestId ??= message.request_id;
			if (phase === 'initializing') {
				// ERROR/INTERNAL instead of INITIALIZATION_SUCCESS: the service failed, not the address.
				if (message.message_type === 'ERROR') return finish(serverReportedError(message, phase, request.asks, messages));
				if (message.message_type !== 'PROGRESS' || message.message_subtype !== 'INITIALIZATION_SUCCESS') {
					return finish(protocolError(`expected INITIALIZATION_SUCCESS, got ${message.message_type}/${message.message_subtype}`));
				}
				phase = 'uploading';
				void uploadAndRead(message).catch((error: Werk24Error) => finish(error));
				return;
			}
			messages.push(message);
			deps.onMessage?.(message);
			// werk24-python hands ERROR messages to the hooks and reads on until the socket closes; no COMPLETED
			// follows one, so end here (keeping it and everything before) rather than wait for a close or the timeout.
			if (message.message_type === 'ERROR') return finish(serverReportedError(message, phase, request.asks, messages));
			if (message.message_type === 'PROGRESS' && message.message_subtype === 'COMPLETED') finish(null);
		});

		const uploadAndRead = async (init: TechreadMessage): Promise<void> => {
			const target = presignedPost(init);
			let bytes = request.drawing;
			if (target.serverPublicKey) {
				bytes = encryptPackage(target.serverPublicKey, request.drawing);
				uploadEncrypted = true;
			}
			const form = new FormData();
			for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
			// S3-style presigned posts need the file last.
			form.append('file', new Blob([bytes as BlobPart]), request.fileName);
			const status = await deps.upload(target.url, form).catch((cause: unknown) => cause);
			if (typeof status !== 'number') {
				throw new Werk24Error({
					kind: 'network',
					title: `The drawing upload did not reach Werk24 (${(status as Error)?.message ?? String(status)})`,
					hint: 'Check that this n8n can reach the upload address the service hands out; the request can be retried.',
					retryable: true,
				});
			}
			if (status < 200 || status >= 300) throw uploadRejected(status);
			if (settled) return;
			phase = 'reading';
			const read: Record<string, unknown> = {};
			if (request.publicKey) read.public_key = request.publicKey;
			if (request.priority) read.priority = request.priority;
			send(ws, { action: 'READ', message: read });
		};
	});
}

/** The presigned upload of INITIALIZATION_SUCCESS; a protocol error when it is missing or malformed. */
function presignedPost(init: TechreadMessage): { url: string; fields: Record<string, string>; serverPublicKey: string | null } {
	const payload = init.payload_dict ?? {};
	const exceptions = Array.isArray(payload.exceptions) ? (payload.exceptions as Array<Record<string, unknown>>) : [];
	if (exceptions.length > 0 || init.exceptions.length > 0) {
		const types = [...exceptions, ...init.exceptions].map((e) => String(e.exception_type ?? 'UNKNOWN'));
		throw new Werk24Error({
			kind: 'bad_request',
			title: `Werk24 refused to start reading the drawing: ${types.join(', ')}`,
			hint: types.map((type) => describeException(type)).join(' '),
			details: { exceptions: types },
		});
	}
	const post = payload.drawing_presigned_post as { url?: unknown; fields?: unknown } | undefined;
	if (!post || typeof post.url !== 'string' || !post.fields || typeof post.fields !== 'object') {
		throw protocolError('INITIALIZATION_SUCCESS carries no drawing_presigned_post');
	}
	const fields: Record<string, string> = {};
	for (const [name, value] of Object.entries(post.fields as Record<string, unknown>)) fields[name] = String(value);
	const serverPublicKey = typeof payload.public_key === 'string' && payload.public_key.trim() ? payload.public_key : null;
	return { url: post.url, fields, serverPublicKey };
}

function uploadRejected(status: number): Werk24Error {
	// werk24-python turns 400/413 from the upload into DRAWING_FILE_SIZE_TOO_LARGE.
	if (status === 400 || status === 413) {
		return new Werk24Error({
			kind: 'too_large',
			title: `Werk24 rejected the drawing upload as too large (HTTP ${status})`,
			hint: 'Werk24 accepts drawings up to 10 MB. Export the drawing at a lower resolution, or send only the pages you need.',
			status,
		});
	}
	if (status === 403) {
		return new Werk24Error({
			kind: 'unauthorized',
			title: 'Werk24 refused the drawing upload (HTTP 403)',
			hint: 'The upload link expired or was refused. Run the node again; if it keeps happening, contact Werk24 support.',
			status,
		});
	}
	return new Werk24Error({
		kind: 'service',
		title: `The drawing upload failed with HTTP ${status}`,
		hint: 'Retry in a moment; if it keeps happening, check the service status (Werk24 → Service → Get Status).',
		status,
		retryable: status >= 500,
	});
}

/** Error frames that are not TechreadMessages: {"error": …} and API-gateway style {"message": "Forbidden"}. */
function frameError(frame: unknown): Werk24Error | null {
	if (frame === undefined) return protocolError('a frame that is not JSON');
	if (!frame || typeof frame !== 'object' || 'message_type' in frame) return null;
	const record = frame as Record<string, unknown>;
	const details = record.details && typeof record.details === 'object' ? (record.details as Record<string, unknown>) : {};
	const text = typeof record.message === 'string' ? record.message : '';
	if (record.error === 'PRIORITY_TOO_HIGH') {
		return new Werk24Error({
			kind: 'unauthorized',
			title: `Priority ${String(details.requested_priority ?? '')} is above your account's tier ${String(details.account_tier ?? '')}`.replace(/\s+/g, ' '),
			hint: 'Set "Priority" to Account Default or to a priority your license includes.',
			status: 403,
			details,
		});
	}
	if (record.error === 'INVALID_PRIORITY') {
		return new Werk24Error({
			kind: 'bad_request',
			title: `Werk24 does not accept the priority ${JSON.stringify(details.priority ?? '')}`,
			hint: 'Use PRIO1, PRIO2 or PRIO3, or Account Default.',
			status: 400,
			details,
		});
	}
	if (typeof record.error === 'string') {
		return new Werk24Error({ kind: 'service', title: `Werk24 reported ${record.error}${text ? `: ${text}` : ''}`, hint: 'Retry later; if it keeps happening, contact Werk24 support.' });
	}
	if (text === 'Forbidden') {
		return new Werk24Error({
			kind: 'unauthorized',
			title: 'License token rejected — Werk24 refused the streaming request (Forbidden)',
			hint: CHECK_STREAMING,
			status: 403,
		});
	}
	return null;
}

function handshakeError(event: unknown): Werk24Error {
	const text = eventText(event);
	// `ws` names the status ("Unexpected server response: 401"); the built-in WebSocket does not.
	// Only a status the text names as one: "ECONNREFUSED 127.0.0.1:8024" holds no HTTP 127.
	const status = Number(/(?:response|status|HTTP)\D{0,3}([1-5]\d\d)\b/i.exec(text)?.[1] ?? 0);
	if (status === 401 || status === 403) {
		return new Werk24Error({
			kind: 'unauthorized',
			title: `License token rejected — the streaming handshake was refused (HTTP ${status})`,
			hint: 'Check the License Token in the Werk24 API credential.',
			status,
			details: { stage: 'handshake' },
		});
	}
	return new Werk24Error({
		kind: 'network',
		title: `The streaming connection could not be opened${status ? ` (HTTP ${status})` : text ? ` (${text})` : ''}`,
		hint: `${CHECK_STREAMING} A proxy or firewall must let WebSocket connections to that address through.`,
		status,
		details: { stage: 'handshake' },
	});
}

function closedEarly(phase: Phase, asks: Ask[], messages: TechreadMessage[], what: string): Werk24Error {
	const missing = missingResults(asks, messages);
	const stage = phase === 'reading' ? 'before COMPLETED' : phase === 'uploading' ? 'during the upload' : 'before reading started';
	return new Werk24Error({
		kind: 'network',
		title: `${capitalise(what)} ${stage}`,
		hint: `${messages.length} message(s) arrived.${missing.length ? ` Never arrived: ${missing.join(', ')}.` : ''} Run the node again for this drawing.`,
		retryable: true,
		details: { missing, received: messages.length },
	});
}

/** An ERROR TechreadMessage (ERROR/INTERNAL; v1 also knew ERROR/TIMEOUT): the service gave up on this drawing. */
function serverReportedError(message: TechreadMessage, phase: Phase, asks: Ask[], messages: TechreadMessage[]): Werk24Error {
	const subtype = message.message_subtype;
	const types = message.exceptions.map((exception) => exception.exception_type);
	const missing = missingResults(asks, messages);
	const what = subtype === 'INTERNAL' ? 'an internal error' : 'an error';
	const stage = phase === 'initializing' ? 'before reading the drawing started' : 'while reading the drawing';
	const described = types.map((type) => describeException(type)).join(' ');
	// Everything but the ERROR message itself.
	const results = messages.filter((received) => received !== message).length;
	return new Werk24Error({
		kind: 'service',
		title: `Werk24 reported ${what} ${stage} (ERROR/${subtype}${types.length ? `: ${types.join(', ')}` : ''})`,
		hint:
			`${described ? `${described} ` : ''}${results} message(s) arrived before it.${missing.length ? ` Never arrived: ${missing.join(', ')}.` : ''}` +
			` Run the node again later; if it keeps happening, contact Werk24 support with the request ID ${message.request_id}.`,
		retryable: true,
		details: { subtype, exceptions: types, request_id: message.request_id, missing, received: messages.length },
	});
}

function abortError(reason: unknown, phase: Phase, asks: Ask[], messages: TechreadMessage[]): Werk24Error {
	const timedOut = (reason as { name?: string } | undefined)?.name === 'TimeoutError';
	const missing = missingResults(asks, messages);
	return new Werk24Error({
		kind: 'timeout',
		title: timedOut
			? `No complete result within the timeout (${phase === 'reading' ? 'still reading' : `stopped while ${phase}`})`
			: 'The read was cancelled',
		hint: `${messages.length} message(s) arrived.${missing.length ? ` Never arrived: ${missing.join(', ')}.` : ''}${timedOut ? ' Raise "Timeout" under Options, or use Submit (results via callback) for large drawings.' : ''}`,
		retryable: timedOut,
		details: { missing, received: messages.length },
	});
}

/**
 * Opens the streaming handshake and closes it again, like `werk24 health-check`: proves the token without
 * starting a read. The built-in WebSocket does not expose the refused status, so then `status` is 0.
 */
export function openHandshake(
	WebSocket: WebSocketConstructor,
	streamingUrl: string,
	token: string,
	signal?: AbortSignal,
): Promise<{ ok: true } | { ok: false; error: Werk24Error }> {
	return new Promise((resolve) => {
		let socket: WebSocketLike | undefined;
		let settled = false;
		const settle = (error: Werk24Error | null): void => {
			if (settled) return;
			settled = true;
			signal?.removeEventListener('abort', onAbort);
			closeQuietly(socket);
			resolve(error ? { ok: false, error } : { ok: true });
		};
		const onAbort = (): void =>
			settle(new Werk24Error({ kind: 'timeout', title: 'The streaming handshake did not finish in time', hint: CHECK_STREAMING, details: { stage: 'handshake' } }));
		if (signal?.aborted) return onAbort();
		signal?.addEventListener('abort', onAbort, { once: true });
		try {
			socket = new WebSocket(streamingUrl, { headers: { Authorization: `Token ${token}` } });
		} catch (cause) {
			return settle(handshakeError({ message: (cause as Error)?.message ?? String(cause) }));
		}
		socket.addEventListener('open', () => settle(null));
		socket.addEventListener('error', (event) => settle(handshakeError(event)));
		socket.addEventListener('close', (event) => settle(handshakeError(event)));
	});
}

/** Requested asks with no message at all, and pages other asks reached but this one did not. */
export function missingResults(asks: Ask[], messages: TechreadMessage[]): string[] {
	const pagesByAsk = new Map<string, Set<number>>();
	const allPages = new Set<number>();
	for (const message of messages) {
		if (message.message_type !== 'ASK') continue;
		allPages.add(message.page_number);
		const pages = pagesByAsk.get(message.message_subtype) ?? new Set<number>();
		pages.add(message.page_number);
		pagesByAsk.set(message.message_subtype, pages);
	}
	const missing: string[] = [];
	for (const type of [...new Set(asks.map((ask) => ask.ask_type))]) {
		const pages = pagesByAsk.get(type);
		if (!pages) {
			missing.push(type);
			continue;
		}
		// Whole-document asks (REDACTION) answer once, so only page-wise gaps of other asks count.
		if (type === 'REDACTION') continue;
		const gaps = [...allPages].filter((page) => !pages.has(page)).sort((a, b) => a - b);
		if (gaps.length) missing.push(`${type} (page ${gaps.map((page) => page + 1).join(', ')})`);
	}
	return missing;
}

function decodeFrame(data: unknown): unknown {
	let text: string;
	if (typeof data === 'string') text = data;
	else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) text = new TextDecoder().decode(data as ArrayBuffer);
	else return undefined;
	try {
		return JSON.parse(text);
	} catch {
		// Not JSON: the caller reports it as a protocol problem.
		return undefined;
	}
}

function eventText(event: unknown): string {
	const record = (event ?? {}) as { message?: unknown; error?: { message?: unknown }; reason?: unknown };
	const text = record.message ?? record.error?.message ?? record.reason;
	return typeof text === 'string' ? text : '';
}

function protocolError(what: string): Werk24Error {
	return new Werk24Error({
		kind: 'protocol',
		title: `Werk24 streaming protocol: ${what}`,
		hint: 'Check that "Streaming URL" points at the Werk24 streaming API (wss://ws-api.w24.co/v2) or the sandbox /v2 address.',
	});
}

function send(ws: WebSocketLike, command: { action: 'INITIALIZE' | 'READ'; message: Record<string, unknown> }): void {
	ws.send(JSON.stringify(command));
}

function closeQuietly(ws: WebSocketLike | undefined): void {
	try {
		ws?.close(1000, 'done');
	} catch {
		// Closing a socket that never opened throws in some implementations; there is nothing left to release.
	}
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
