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

/** At most this many attempts per request; retried only when no response arrived or on 502/503/504. */
export const MAX_ATTEMPTS = 3;
const RETRY_STATUSES = new Set([502, 503, 504]);
const BASE_DELAY_MS = 1000;
const MAX_RETRY_AFTER_MS = 30_000;

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
	};
	const response = await withRetries.call(this, itemIndex, `${apiUrl}${options.url}`, async () =>
		(await this.helpers.httpRequestWithAuthentication.call(this, 'werk24Api', request)) as IN8nHttpFullResponse,
	);
	return parseJsonBody(response.body);
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

/** GETs a result file (`payload_url`): presigned, so no credential is sent. */
export async function werk24Download(this: IExecuteFunctions, itemIndex: number, url: string): Promise<DownloadedFile> {
	const response = await withRetries.call(this, itemIndex, url, async () =>
		(await this.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IN8nHttpFullResponse,
		resultFileFailure,
	);
	return { bytes: toBuffer(response.body), headers: flattenHeaders(response.headers) };
}

/**
 * A result URL is presigned and fetched without the license token, so its 4xx mean an expired or altered
 * link; the API's own reading ("License token rejected", "check the API URL") would send the user astray.
 */
export function resultFileFailure(failure: Werk24Error): Werk24Error {
	if (failure.status < 400 || failure.status >= 500) return failure;
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

async function withRetries(
	this: IExecuteFunctions,
	itemIndex: number,
	url: string,
	send: () => Promise<IN8nHttpFullResponse>,
	describeStatus: (failure: Werk24Error) => Werk24Error = (failure) => failure,
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
			failure = errorFromNetwork(unwrapCause(error));
			// Core says no for failures a retry cannot fix (e.g. an untrusted TLS certificate).
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
	const description = failure.status === 0 ? `${failure.hint} (${where})` : failure.hint;
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
	if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new TextDecoder().decode(toBuffer(body));
	return body;
}

function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	return Buffer.alloc(0);
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
