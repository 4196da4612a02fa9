import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

import { errorFromNetwork, errorFromResponse, redactUrl, Werk24Error } from '../../core';
import { bodyBytes, discardBody, readCapped } from '../shared/responseBody';

/** At most this many attempts per request; retried only when no response arrived or on 502/503/504. */
export const MAX_ATTEMPTS = 3;
const RETRY_STATUSES = new Set([502, 503, 504]);
const BASE_DELAY_MS = 1000;
const MAX_RETRY_AFTER_MS = 30_000;
/**
 * Per attempt. axios's `timeout` is socket idle time, so a slow but moving 10 MB upload is not cut off;
 * an API that stops answering is. (httpRequestWithAuthentication sets its own abortSignal, the execution's
 * cancel signal, so a whole-request deadline cannot be added there.)
 */
export const REQUEST_TIMEOUT_MS = 120_000;
/** The token probe sends no drawing; it only refines another error, so it need not wait long. */
const PROBE_TIMEOUT_MS = 30_000;
/** Result files are images and PDFs of a few MB; the Trigger allows 50 MB. */
export const MAX_RESULT_FILE_BYTES = 100 * 1024 * 1024;
/** The whole download of one result file, retries included. */
export const RESULT_DOWNLOAD_TIMEOUT_MS = 120_000;

export interface Werk24RequestOptions {
	method: IHttpRequestMethods;
	/** Path below the credential's API URL, e.g. `/status`. */
	url: string;
	body?: FormData | IDataObject;
	headers?: Record<string, string>;
}

export interface Werk24Credentials {
	token: string;
	apiUrl: string;
	streamingUrl?: string;
}

export async function getApiCredentials(this: IExecuteFunctions, itemIndex: number): Promise<Werk24Credentials> {
	const credentials = await this.getCredentials<Werk24Credentials>('werk24Api', itemIndex);
	return { ...credentials, apiUrl: stripTrailingSlash(String(credentials.apiUrl ?? '')) };
}

export function stripTrailingSlash(url: string): string {
	return url.trim().replace(/\/+$/, '');
}

/** The only call site of the Werk24 API: n8n adds the Authorization header from the werk24Api credential. */
export async function werk24Request(
	this: IExecuteFunctions,
	itemIndex: number,
	options: Werk24RequestOptions,
): Promise<unknown> {
	const { apiUrl } = await getApiCredentials.call(this, itemIndex);
	const request: IHttpRequestOptions = {
		method: options.method,
		baseURL: apiUrl,
		url: options.url,
		// No Content-Type for FormData: axios must add the multipart boundary itself.
		headers: { Accept: 'application/json', ...options.headers },
		body: options.body as IHttpRequestOptions['body'],
		json: !(options.body instanceof FormData),
		returnFullResponse: true,
		// Every status comes back as a value so that core maps it exactly once, here.
		ignoreHttpStatusErrors: true,
		timeout: REQUEST_TIMEOUT_MS,
	};
	const idempotent = options.method === 'GET' || options.method === 'HEAD';
	const response = await withRetries.call(
		this,
		itemIndex,
		`${apiUrl}${options.url}`,
		async () => (await this.helpers.httpRequestWithAuthentication.call(this, 'werk24Api', request)) as IN8nHttpFullResponse,
		{ describeNetwork: (cause) => apiNetworkFailure(cause, idempotent) },
	);
	return parseJsonBody(response.body);
}

/** Connection failures that happen before a byte of the request leaves n8n: resending cannot duplicate it. */
const BEFORE_SENDING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function failedBeforeSending(cause: unknown): boolean {
	for (let layer = cause, depth = 0; layer && typeof layer === 'object' && depth < 3; depth++) {
		const { code, syscall } = layer as { code?: unknown; syscall?: unknown };
		if (typeof code === 'string' && BEFORE_SENDING.has(code)) return true;
		if (code === 'ETIMEDOUT' && syscall === 'connect') return true;
		layer = (layer as { cause?: unknown }).cause;
	}
	return false;
}

/**
 * Core's reading of a failure without response, limited for requests that must not run twice. A POST
 * (the drawing upload) that timed out or lost its connection may already have reached Werk24, which then
 * reads the drawing, bills it and posts results; sending it again could do all of that twice. So a POST is
 * retried only when it failed before it was sent (refused, DNS); GET is safe to repeat after any of them.
 */
function apiNetworkFailure(cause: unknown, idempotent: boolean): Werk24Error {
	const failure = errorFromNetwork(cause);
	const beforeSending = failedBeforeSending(cause);
	// The only POST is the drawing upload (read-with-callback).
	const notResent =
		'The drawing may have reached Werk24 anyway, so n8n did not upload it again (a second upload could read and bill it twice). ' +
		'Wait a few minutes for its results at the Werk24 Trigger before you send it again.';
	const check = 'If it keeps happening, check the network and any proxy between n8n and Werk24, and the API URL in the Werk24 API credential.';
	if (failure.kind === 'timeout' && !beforeSending) {
		const seconds = REQUEST_TIMEOUT_MS / 1000;
		return new Werk24Error({
			kind: 'timeout',
			title: `Werk24 did not answer within ${seconds} s`,
			hint: idempotent
				? `n8n tried ${MAX_ATTEMPTS} times. Retry in a few minutes. ${check}`
				: `${notResent} ${check}`,
			retryable: idempotent,
			details: failure.details,
		});
	}
	if (idempotent || beforeSending || !failure.retryable) return failure;
	return new Werk24Error({
		kind: failure.kind,
		title: failure.title,
		hint: `The connection broke before Werk24 answered. ${notResent} ${check}`,
		retryable: false,
		details: failure.details,
	});
}

/**
 * The credential-test probe from inside a node: read-with-callback without a drawing. 401/403 = token
 * rejected, 400 = accepted (the service authenticates first); null when no answer arrived.
 */
export async function probeToken(this: IExecuteFunctions, itemIndex: number): Promise<number | null> {
	const { apiUrl } = await getApiCredentials.call(this, itemIndex);
	try {
		const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'werk24Api', {
			method: 'POST',
			baseURL: apiUrl,
			url: '/techread/read-with-callback',
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: PROBE_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
		return response.statusCode;
	} catch {
		// Only used to refine another error's message; without an answer that error stands as it is.
		return null;
	}
}

export interface DownloadedFile {
	bytes: Buffer;
	headers: Record<string, string>;
}

/**
 * GETs a result file (`payload_url`): presigned, so no credential is sent. Capped like the Trigger's
 * downloads: one deadline for the whole file (axios's `timeout` only limits idle time between packets) and
 * a size limit. IHttpRequestOptions has no maxContentLength (n8n sets axios's to Infinity), so the body comes
 * as a stream and reading stops once it passes the limit.
 */
export async function werk24Download(this: IExecuteFunctions, itemIndex: number, url: string): Promise<DownloadedFile> {
	const deadline = AbortSignal.timeout(RESULT_DOWNLOAD_TIMEOUT_MS);
	const response = await withRetries.call(
		this,
		itemIndex,
		url,
		async () => {
			const response = (await this.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'stream',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: RESULT_DOWNLOAD_TIMEOUT_MS,
				abortSignal: deadline,
			})) as IN8nHttpFullResponse;
			if (response.statusCode >= 200 && response.statusCode < 300) return response;
			// An error answer is small; read it (up to 64 kB) so its message can be shown.
			return { ...response, body: (await readCapped(response.body, 64 * 1024).catch(() => null)) ?? Buffer.alloc(0) };
		},
		{
			describeStatus: (failure) => resultFileFailure(failure, url),
			// Once the deadline passed, every further attempt would be aborted at once: stop here.
			describeNetwork: (cause) => (deadline.aborted ? downloadTimedOut(url) : resultFileFailure(errorFromNetwork(cause), url)),
		},
	);
	const headers = flattenHeaders(response.headers);
	const declared = Number(headers['content-length']);
	const tooLarge = (size: string) =>
		toNodeApiError.call(
			this,
			new Werk24Error({
				kind: 'too_large',
				title: `The result file at ${redactUrl(url)} is larger than ${MAX_RESULT_FILE_BYTES / 1048576} MB${size ? ` (${size})` : ''}`,
				hint: 'Werk24 result files (sheet and view images, redacted PDFs) stay far below this. Check that the URL is the payload_url of a Werk24 message; to fetch a larger file, use the HTTP Request node.',
			}),
			itemIndex,
			url,
		);
	if (declared > MAX_RESULT_FILE_BYTES) {
		discardBody(response.body);
		throw tooLarge(`${(declared / 1048576).toFixed(1)} MB`);
	}
	let bytes: Buffer | null;
	try {
		bytes = await readCapped(response.body, MAX_RESULT_FILE_BYTES);
	} catch (error) {
		const failure = deadline.aborted ? downloadTimedOut(url) : resultFileFailure(errorFromNetwork(unwrapCause(error)), url);
		throw toNodeApiError.call(this, failure, itemIndex, url);
	}
	if (!bytes) throw tooLarge('');
	return { bytes, headers };
}

function downloadTimedOut(url: string): Werk24Error {
	return new Werk24Error({
		kind: 'timeout',
		title: `The download of ${redactUrl(url)} did not finish within ${RESULT_DOWNLOAD_TIMEOUT_MS / 1000} s`,
		hint: 'The host of the result file answered too slowly. Retry later; result links stay valid for about an hour after the message (after that, read the drawing again for a fresh link).',
		retryable: false,
	});
}

function hostOf(url: string): string {
	return URL.canParse(url) ? new URL(url).host : redactUrl(url);
}

/**
 * A result URL is presigned, fetched without the license token from storage rather than from the API. Core
 * reads statuses and socket errors as the API's ("License token rejected", "check the API URL in the Werk24
 * API credential"), which would send the user astray: here they describe the link and the storage host.
 */
export function resultFileFailure(failure: Werk24Error, url = ''): Werk24Error {
	const later = 'Result links stay valid for about an hour after the message; after that, read the drawing again for a fresh link.';
	if (failure.status === 0) {
		const code = typeof failure.details?.code === 'string' ? failure.details.code : undefined;
		const host = url ? ` (${hostOf(url)})` : '';
		if (!failure.retryable) {
			// Only TLS failures are not retryable: a proxy or an untrusted certificate, not a passing problem.
			return new Werk24Error({
				kind: failure.kind,
				title: `The TLS certificate of the result file's host${host} could not be verified${code ? ` (${code})` : ''}`,
				hint: 'A proxy that inspects HTTPS traffic (common in company networks) may be replacing the certificate. Ask your IT team to allow this host, or add the proxy certificate to n8n (NODE_EXTRA_CA_CERTS).',
				retryable: false,
				details: failure.details,
			});
		}
		const what =
			failure.kind === 'timeout'
				? 'it did not answer in time'
				: code === 'ENOTFOUND' || code === 'EAI_AGAIN'
					? 'its host name could not be resolved'
					: code === 'ECONNREFUSED'
						? 'the connection was refused'
						: code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET'
							? 'the connection was interrupted'
							: 'no answer arrived';
		return new Werk24Error({
			kind: failure.kind,
			title: `The result file's host${host} could not be reached: ${what}${code ? ` (${code})` : ''}`,
			hint: `Result files are served from storage, not from the Werk24 API. Check that n8n can reach this host (internet connection, proxy, firewall), then retry later. ${later}`,
			retryable: true,
			details: failure.details,
		});
	}
	if (failure.status >= 500) {
		return new Werk24Error({
			kind: 'service',
			title: `The storage holding the result file answered HTTP ${failure.status}`,
			hint: `The storage could not serve the file just now (this is not a problem with your settings); retry later. ${later}`,
			status: failure.status,
			retryable: failure.retryable,
			retryAfterSeconds: failure.retryAfterSeconds,
		});
	}
	if (failure.status < 400) return failure;
	const expired = failure.status === 403 || failure.status === 404 || failure.status === 410;
	return new Werk24Error({
		kind: failure.kind,
		title: `The result file could not be downloaded (HTTP ${failure.status})`,
		hint: expired
			? 'Result links (payload_url) are signed and expire about an hour after the message. Use the payload_url of a recent message, or read the drawing again for a fresh link.'
			: 'Use the payload_url of a Werk24 message exactly as it arrived; its query string is part of the signature.',
		status: failure.status,
	});
}

interface RetryPolicy {
	/** Rewords core's reading of an HTTP status (e.g. for result files). */
	describeStatus?: (failure: Werk24Error) => Werk24Error;
	/** Reads a failure without response; its `retryable` decides whether the request is sent again. */
	describeNetwork?: (cause: unknown) => Werk24Error;
}

async function withRetries(
	this: IExecuteFunctions,
	itemIndex: number,
	url: string,
	send: () => Promise<IN8nHttpFullResponse>,
	{ describeStatus = (failure) => failure, describeNetwork = errorFromNetwork }: RetryPolicy = {},
): Promise<IN8nHttpFullResponse> {
	for (let attempt = 1; ; attempt++) {
		let failure: Werk24Error;
		let retryable: boolean;
		try {
			const response = await send();
			if (response.statusCode >= 200 && response.statusCode < 300) return response;
			failure = describeStatus(
				errorFromResponse(response.statusCode, parseJsonBody(decodeIfBytes(response.body)), flattenHeaders(response.headers)),
			);
			retryable = RETRY_STATUSES.has(response.statusCode);
		} catch (error) {
			// The HTTP helper throws only when no response arrived (refused, reset, DNS, TLS, timeout);
			// n8n wraps the socket error, so core reads its code from the original.
			failure = describeNetwork(unwrapCause(error));
			// No for failures a retry cannot fix (an untrusted TLS certificate) or must not repeat (a sent POST).
			retryable = failure.retryable;
		}
		if (!retryable || attempt >= MAX_ATTEMPTS) throw toNodeApiError.call(this, failure, itemIndex, url);
		await sleep(retryDelayMs(attempt, failure.retryAfterSeconds));
	}
}

function unwrapCause(error: unknown): unknown {
	const cause = (error as { cause?: unknown } | undefined)?.cause;
	return cause instanceof Error ? cause : error;
}

/** 1 s, 2 s, … or the service's Retry-After when it is short enough to wait for. */
export function retryDelayMs(attempt: number, retryAfterSeconds?: number): number {
	if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) {
		return Math.min(retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS);
	}
	return BASE_DELAY_MS * 2 ** (attempt - 1);
}

function toNodeApiError(this: IExecuteFunctions, failure: Werk24Error, itemIndex: number, url: string): NodeApiError {
	const where = redactUrl(url);
	const named = failure.title.includes(where) || failure.hint.includes(where);
	const description = failure.status === 0 && !named ? `${failure.hint} (${where})` : failure.hint;
	const error = new NodeApiError(
		this.getNode(),
		{ message: failure.title, description, kind: failure.kind } as JsonObject,
		{
			message: failure.title,
			description,
			httpCode: failure.status ? String(failure.status) : undefined,
			itemIndex,
		},
	);
	// NodeApiError swaps messages that mention socket codes (ECONNREFUSED …) for its generic text; keep core's.
	error.message = failure.title;
	error.description = description;
	return error;
}

function parseJsonBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	const text = body.trim();
	if (!text.startsWith('{') && !text.startsWith('[')) return body;
	try {
		return JSON.parse(text);
	} catch {
		// Not JSON after all: the service's plain text is still the most useful thing to show.
		return body;
	}
}

function decodeIfBytes(body: unknown): unknown {
	if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new TextDecoder().decode(bodyBytes(body));
	return body;
}


function flattenHeaders(headers: unknown): Record<string, string> {
	const flat: Record<string, string> = {};
	if (!headers || typeof headers !== 'object') return flat;
	for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
		if (value === undefined || value === null) continue;
		flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return flat;
}
