// payload_url → binary field. Every failure lands on the item as `download_error`; the execution goes on.
import type { IBinaryData, IDataObject, IHttpRequestOptions, IN8nHttpFullResponse, IWebhookFunctions } from 'n8n-workflow';
import { checkDownloadUrl, decryptPackage, detectResultFileType, redactUrl, type CallbackConfig } from '../../core';
import { discardBody, readCapped } from '../shared/responseBody';

export const MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;
export const DOWNLOAD_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

export interface DownloadSettings {
	apiUrl?: string;
	allowedHosts: string[];
	privateKey?: CallbackConfig['privateKey'];
}

export type DownloadOutcome = { ok: true; binary: IBinaryData } | { ok: false; error: string };

function headerValue(headers: IN8nHttpFullResponse['headers'], name: string): string | undefined {
	const value = (headers as IDataObject | undefined)?.[name];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		// A malformed %-sequence only costs the pretty name; the encoded segment is still a usable file name.
		return segment;
	}
}

/**
 * `<ask>-page-<n>.<ext>`, as Read and Wait names its files: predictable whatever the URL looks like (presigned
 * URLs end in opaque ids). The extension comes from the content, else from the URL (minus an `.enc` suffix).
 */
function fileName(url: URL, stem: string, extension?: string): string {
	if (extension) return `${stem}.${extension}`;
	const last = safeDecode(url.pathname.split('/').pop() ?? '').replace(/\.enc$/i, '');
	const fromUrl = /\.([A-Za-z0-9]{1,5})$/.exec(last)?.[1]?.toLowerCase();
	return fromUrl ? `${stem}.${fromUrl}` : stem;
}

/** The error text without the URL's query string (presigned signatures), whatever the HTTP layer put in it. */
function scrub(message: string, url: string): string {
	const query = url.indexOf('?');
	const secretPart = query >= 0 ? url.slice(query) : '';
	let out = message.split(url).join(redactUrl(url));
	if (secretPart.length > 1) out = out.split(secretPart).join('');
	return out.replace(/\?[^\s"']*/g, '').slice(0, 200);
}

async function fetchGuarded(
	context: IWebhookFunctions,
	startUrl: string,
	settings: DownloadSettings,
): Promise<{ ok: true; bytes: Buffer; url: URL; contentType?: string } | { ok: false; error: string }> {
	// axios's `timeout` only limits idle time between packets; this caps the whole file, redirects included.
	const deadline = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
	let current = startUrl;
	for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
		const guard = checkDownloadUrl(current, { apiUrl: settings.apiUrl, allowedHosts: settings.allowedHosts });
		if (!guard.ok) {
			const fix = 'add it to "Allowed Download Hosts" if you trust it, or attach the Werk24 API credential whose API URL serves it';
			return { ok: false, error: `${guard.problems[0].reason}; ${fix}` };
		}
		const options: IHttpRequestOptions = {
			method: 'GET',
			url: guard.value.href,
			// A stream, so the 50 MB cap stops the transfer instead of judging a body already in memory.
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			timeout: DOWNLOAD_TIMEOUT_MS,
			abortSignal: deadline,
			// Redirects are followed by hand so that every hop passes the guard again.
			disableFollowRedirect: true,
			ignoreHttpStatusErrors: true,
		};
		let response: IN8nHttpFullResponse;
		try {
			response = (await context.helpers.httpRequest(options)) as IN8nHttpFullResponse;
		} catch (error) {
			if (deadline.aborted) {
				return { ok: false, error: `download of ${redactUrl(current)} took longer than ${DOWNLOAD_TIMEOUT_MS / 1000} s` };
			}
			const reason = error instanceof Error ? error.message : String(error);
			return { ok: false, error: `download of ${redactUrl(current)} failed: ${scrub(reason, current)}` };
		}
		const status = Number(response.statusCode);
		const location = headerValue(response.headers, 'location');
		const ok = status >= 200 && status < 300;
		const declared = Number(headerValue(response.headers, 'content-length'));
		if (!ok || declared > MAX_DOWNLOAD_BYTES) discardBody(response.body);
		if (status >= 300 && status < 400 && location) {
			if (!URL.canParse(location, guard.value)) {
				return { ok: false, error: `download of ${redactUrl(current)} was redirected to an address that is not a URL` };
			}
			current = new URL(location, guard.value).href;
			continue;
		}
		if (!ok) return { ok: false, error: `download of ${redactUrl(current)} answered HTTP ${status}` };
		const tooLarge = (size: string) => ({ ok: false as const, error: `result file is ${size}; the limit is 50 MB` });
		if (declared > MAX_DOWNLOAD_BYTES) return tooLarge(`${(declared / 1048576).toFixed(1)} MB`);
		let bytes: Buffer | null;
		try {
			bytes = await readCapped(response.body, MAX_DOWNLOAD_BYTES);
		} catch (error) {
			if (deadline.aborted) {
				return { ok: false, error: `download of ${redactUrl(current)} took longer than ${DOWNLOAD_TIMEOUT_MS / 1000} s` };
			}
			const reason = error instanceof Error ? error.message : String(error);
			return { ok: false, error: `download of ${redactUrl(current)} failed: ${scrub(reason, current)}` };
		}
		if (!bytes) return tooLarge('larger than 50 MB');
		return { ok: true, bytes, url: guard.value, contentType: headerValue(response.headers, 'content-type') };
	}
	return { ok: false, error: `download of ${redactUrl(startUrl)} was redirected more than ${MAX_REDIRECTS} times` };
}

/** Downloads one payload_url, decrypting it when a private key is set and the bytes are no known plain type. */
export async function downloadPayload(
	context: IWebhookFunctions,
	payloadUrl: string,
	stem: string,
	settings: DownloadSettings,
): Promise<DownloadOutcome> {
	try {
		return await download(context, payloadUrl, stem, settings);
	} catch (error) {
		// E.g. the binary data store refusing the file: it belongs on the item, the other messages still run.
		const reason = error instanceof Error ? error.message : String(error);
		return { ok: false, error: `result file could not be stored: ${scrub(reason, payloadUrl)}` };
	}
}

async function download(
	context: IWebhookFunctions,
	payloadUrl: string,
	stem: string,
	settings: DownloadSettings,
): Promise<DownloadOutcome> {
	const fetched = await fetchGuarded(context, payloadUrl, settings);
	if (!fetched.ok) return fetched;
	let bytes = fetched.bytes;
	let type = detectResultFileType(bytes);
	let decrypted = false;
	if (!type && settings.privateKey?.pem) {
		const plain = decryptPackage(settings.privateKey.pem, bytes, settings.privateKey.passphrase);
		if (!plain.ok) return { ok: false, error: `result file could not be decrypted: ${plain.problems[0].reason}` };
		bytes = plain.value;
		type = detectResultFileType(bytes);
		decrypted = true;
	}
	// The server's content type describes the package, not what was inside it.
	const contentType = decrypted ? undefined : fetched.contentType?.split(';')[0].trim();
	const mimeType = type?.mimeType ?? (contentType && contentType !== 'binary/octet-stream' ? contentType : 'application/octet-stream');
	const binary = await context.helpers.prepareBinaryData(bytes, fileName(fetched.url, stem, type?.extension), mimeType);
	return { ok: true, binary };
}
