import { Readable } from 'node:stream';

import type { IDataObject, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';
import { encryptPackage } from '../../../core';
import { DOWNLOAD_TIMEOUT_MS, downloadPayload, MAX_DOWNLOAD_BYTES } from '../../../nodes/Werk24Trigger/download';
import { loadDrawing } from '../../fixtures/drawings';
import { packageStartingWith } from '../../fixtures/packages';
import {
	callbackContext,
	callbackCredential,
	ENCRYPTED_PRIVATE_PEM,
	OTHER_PUBLIC_PEM,
	PASSPHRASE,
	PRIVATE_PEM,
	PUBLIC_PEM,
	SHEET_IMAGES,
	trigger,
} from './triggerFixtures';

const PNG = loadDrawing('png');
const PDF = loadDrawing('pdf');
const SIGNED = 'https://payloads.w24.co/3f2b/sheet_images/page-0.png?X-Amz-Signature=SECRETSIG&X-Amz-Expires=3600';

type Reply = { statusCode?: number; headers?: Record<string, string>; body?: unknown };
const reply = (body: Buffer, extra: Reply = {}): Reply => ({ statusCode: 200, headers: {}, body, ...extra });

async function receive(
	payloadUrl: string | null,
	server: (options: IHttpRequestOptions) => Promise<Reply>,
	extra: { options?: IDataObject; credential?: Record<string, string>; apiUrl?: string } = {},
) {
	const credentials: Record<string, IDataObject> = { werk24CallbackApi: callbackCredential(extra.credential) };
	if (extra.apiUrl) credentials.werk24Api = { token: 'license-token', apiUrl: extra.apiUrl };
	const fake = callbackContext(
		{ ...SHEET_IMAGES, payload_url: payloadUrl },
		{
			parameters: { options: { downloadFiles: true, ...extra.options } },
			credentials: credentials as never,
			httpRequest: server as never,
		},
	);
	const result = await trigger.webhook.call(fake.context);
	const item = result.workflowData?.[0][0] as INodeExecutionData;
	return { fake, item, json: item.json, file: item.binary?.file };
}

const bytesOf = (file: { data: string } | undefined) => Buffer.from(file?.data ?? '', 'base64');

describe('Download Result Files', () => {
	it('fetches payload_url into binary "file" with the guarded request options', async () => {
		const { fake, json, file } = await receive(SIGNED, async () => reply(PNG, { headers: { 'content-type': 'image/png' } }));
		expect(fake.httpRequest).toHaveBeenCalledTimes(1);
		expect(fake.httpRequest.mock.calls[0][0]).toEqual({
			method: 'GET',
			url: SIGNED,
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			timeout: DOWNLOAD_TIMEOUT_MS,
			abortSignal: expect.any(AbortSignal),
			disableFollowRedirect: true,
			ignoreHttpStatusErrors: true,
		});
		expect(DOWNLOAD_TIMEOUT_MS).toBe(30_000);
		expect(json.download_error).toBeUndefined();
		expect(bytesOf(file).equals(PNG)).toBe(true);
		// Named by ask and page like Read and Wait's files, not by the (often opaque) URL path.
		expect(file).toMatchObject({ mimeType: 'image/png', fileName: 'sheet_images-page-0.png' });
	});

	it('accepts an ArrayBuffer body as the HTTP helper returns it', async () => {
		const arrayBuffer = PDF.buffer.slice(PDF.byteOffset, PDF.byteOffset + PDF.byteLength);
		const { file } = await receive('https://payloads.w24.co/r/doc', async () => reply(PDF, { body: arrayBuffer }));
		expect(bytesOf(file).equals(PDF)).toBe(true);
		expect(file).toMatchObject({ mimeType: 'application/pdf', fileName: 'sheet_images-page-0.pdf' });
	});

	it('is off by default and skips messages without payload_url', async () => {
		const server = jest.fn(async () => reply(PNG));
		const off = callbackContext({ ...SHEET_IMAGES, payload_url: SIGNED }, { httpRequest: server as never });
		const result = await trigger.webhook.call(off.context);
		expect(server).not.toHaveBeenCalled();
		expect(result.workflowData?.[0][0].binary).toBeUndefined();
		const none = await receive(null, server);
		expect(server).not.toHaveBeenCalled();
		expect(none.file).toBeUndefined();
		expect(none.json.download_error).toBeUndefined();
	});

	it.each([
		'http://127.0.0.1/x.png',
		'http://10.0.0.1/x.png',
		'http://169.254.169.254/latest/meta-data/',
		'http://[::1]/x',
		'http://[::ffff:127.0.0.1]/x',
		'http://localhost:8080/x',
	])('refuses %s without a request (download_error on the item)', async (url) => {
		const { fake, json, file } = await receive(url, async () => reply(PNG));
		expect(fake.httpRequest).not.toHaveBeenCalled();
		expect(file).toBeUndefined();
		expect(json.download_error).toMatch(/local or private/);
		expect(json.download_error).toMatch(/"Allowed Download Hosts"/);
	});

	it.each(['file:///etc/passwd', 'data:text/plain,hello'])('%s: the envelope check answers 400 before any download', async (url) => {
		const fake = callbackContext({ ...SHEET_IMAGES, payload_url: url }, { parameters: { options: { downloadFiles: true } } });
		expect(await trigger.webhook.call(fake.context)).toEqual({ noWebhookResponse: true });
		expect(fake.response.body).toEqual({ error: expect.stringMatching(/payload_url/) });
		expect(fake.httpRequest).not.toHaveBeenCalled();
	});

	it.each(['file:///etc/passwd', 'data:text/plain,hello', 'ftp://payloads.w24.co/x'])(
		'downloadPayload itself refuses %s',
		async (url) => {
			const fake = callbackContext(SHEET_IMAGES);
			const outcome = await downloadPayload(fake.context, url, 'x', { allowedHosts: [] });
			expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/must use http or https/) });
			expect(fake.httpRequest).not.toHaveBeenCalled();
		},
	);

	it('allows a listed host, and the host of the Werk24 API URL in use', async () => {
		const listed = await receive('http://10.0.0.5:8443/x.png', async () => reply(PNG), {
			options: { allowedDownloadHosts: 'files.example, 10.0.0.5:8443' },
		});
		expect(listed.json.download_error).toBeUndefined();
		expect(bytesOf(listed.file).equals(PNG)).toBe(true);
		const sandbox = await receive('http://127.0.0.1:5724/payloads/x.png', async () => reply(PNG), { apiUrl: 'http://127.0.0.1:5724' });
		expect(sandbox.json.download_error).toBeUndefined();
	});

	it('decrypts an encrypted artefact with the credential key and passphrase', async () => {
		const pkg = encryptPackage(PUBLIC_PEM, PNG);
		const { json, file } = await receive(
			'https://payloads.w24.co/r/page-0.png.enc',
			async () => reply(pkg, { headers: { 'content-type': 'application/octet-stream' } }),
			{ credential: { privateKey: ENCRYPTED_PRIVATE_PEM, passphrase: PASSPHRASE } },
		);
		expect(json.download_error).toBeUndefined();
		expect(bytesOf(file).equals(PNG)).toBe(true);
		expect(file).toMatchObject({ mimeType: 'image/png', fileName: 'sheet_images-page-0.png' });
	});

	it('leaves plain files alone when a private key is set', async () => {
		const { json, file } = await receive(SIGNED, async () => reply(PNG), { credential: { privateKey: PRIVATE_PEM } });
		expect(json.download_error).toBeUndefined();
		expect(bytesOf(file).equals(PNG)).toBe(true);
	});

	// Regression: a package whose random first byte is "{" was saved undecrypted as a .json file.
	it('decrypts a package whose first byte happens to be "{"', async () => {
		const pkg = packageStartingWith(PUBLIC_PEM, PNG, '{'.charCodeAt(0));
		const { json, file } = await receive(SIGNED, async () => reply(pkg), { credential: { privateKey: PRIVATE_PEM } });
		expect(json.download_error).toBeUndefined();
		expect(bytesOf(file).equals(PNG)).toBe(true);
		expect(file).toMatchObject({ mimeType: 'image/png', fileName: 'sheet_images-page-0.png' });
	});

	it('an artefact encrypted for another key → download_error, execution goes on', async () => {
		const pkg = encryptPackage(OTHER_PUBLIC_PEM, PNG);
		const { json, file } = await receive(SIGNED, async () => reply(pkg), { credential: { privateKey: PRIVATE_PEM } });
		expect(file).toBeUndefined();
		expect(json.download_error).toMatch(/could not be decrypted: .*wrong key/);
	});

	it('unknown bytes without a private key are kept with the server content type', async () => {
		const bytes = Buffer.from([1, 2, 3, 4]);
		const { file } = await receive('https://payloads.w24.co/r/data', async () =>
			reply(bytes, { headers: { 'content-type': 'text/csv; charset=utf-8' } }),
		);
		expect(bytesOf(file).equals(bytes)).toBe(true);
		expect(file).toMatchObject({ mimeType: 'text/csv', fileName: 'sheet_images-page-0' });
	});

	it('unknown content keeps the extension the URL path gives (an opaque id gives none)', async () => {
		const bytes = Buffer.from('a;b\n1;2\n');
		const { file } = await receive('https://payloads.w24.co/r/7f3a9c/table.csv?X-Amz-Signature=s', async () => reply(bytes));
		expect(file?.fileName).toBe('sheet_images-page-0.csv');
	});

	it('HTTP errors → download_error without the query string', async () => {
		const { json } = await receive(SIGNED, async () => reply(Buffer.from('denied'), { statusCode: 403 }));
		expect(json.download_error).toBe('download of https://payloads.w24.co/3f2b/sheet_images/page-0.png answered HTTP 403');
	});

	it('network errors → download_error, the signature scrubbed from the message', async () => {
		const { json } = await receive(SIGNED, async (options) => {
			throw new Error(`timeout of 30000ms exceeded for ${options.url}`);
		});
		expect(json.download_error).toMatch(/failed: timeout of 30000ms exceeded/);
		expect(String(json.download_error)).not.toContain('SECRETSIG');
		expect(String(json.download_error)).not.toContain('X-Amz');
	});

	it('30 s is the budget of the whole file (redirects included), not only the idle time', async () => {
		// The deadline is a real AbortSignal.timeout(30 s); this one is aborted by hand instead of waiting.
		const deadline = new AbortController();
		const timeout = jest.spyOn(AbortSignal, 'timeout').mockReturnValue(deadline.signal);
		try {
			const slow = await receive(SIGNED, async (options) => {
				if (options.url === SIGNED) return reply(Buffer.alloc(0), { statusCode: 302, headers: { location: 'https://cdn.w24.co/f.png' } });
				deadline.abort();
				throw new Error(`canceled ${options.url}`);
			});
			expect(timeout).toHaveBeenCalledTimes(1);
			expect(timeout).toHaveBeenCalledWith(DOWNLOAD_TIMEOUT_MS);
			const signals = slow.fake.httpRequest.mock.calls.map(([o]) => (o as IHttpRequestOptions).abortSignal);
			expect(signals).toEqual([deadline.signal, deadline.signal]);
			expect(slow.file).toBeUndefined();
			expect(slow.json.download_error).toBe('download of https://cdn.w24.co/f.png took longer than 30 s');
		} finally {
			timeout.mockRestore();
		}
	});

	it('a redirect to something that is not a URL → download_error that says so', async () => {
		const { json } = await receive(SIGNED, async () =>
			reply(Buffer.alloc(0), { statusCode: 302, headers: { location: 'http://[not-an-address/x' } }),
		);
		expect(json.download_error).toBe(
			'download of https://payloads.w24.co/3f2b/sheet_images/page-0.png was redirected to an address that is not a URL',
		);
	});

	it('more than 50 MB → download_error', async () => {
		expect(MAX_DOWNLOAD_BYTES).toBe(50 * 1024 * 1024);
		const declared = await receive(SIGNED, async () => reply(PNG, { headers: { 'content-length': String(MAX_DOWNLOAD_BYTES + 1) } }));
		expect(declared.json.download_error).toMatch(/50\.0 MB; the limit is 50 MB/);
		const actual = await receive(SIGNED, async () => reply(Buffer.alloc(MAX_DOWNLOAD_BYTES + 1)));
		expect(actual.file).toBeUndefined();
		expect(actual.json.download_error).toMatch(/limit is 50 MB/);
	});

	// Regression: the cap was checked only once the whole body was in memory; a stream is now cut off at 50 MB.
	describe('a streamed body (as n8n returns it for encoding "stream")', () => {
		const MB = Buffer.alloc(1024 * 1024, 7);
		function streamOf(megabytes: number, first: Buffer = MB) {
			const produced = { chunks: 0, destroyed: false };
			const stream = Readable.from(
				(function* () {
					for (let index = 0; index < megabytes; index++) {
						produced.chunks++;
						yield index === 0 ? first : MB;
					}
				})(),
			);
			stream.on('close', () => (produced.destroyed = !stream.readableEnded));
			return { stream, produced };
		}

		it('stops reading as soon as it passes 50 MB, without waiting for the rest', async () => {
			const { stream, produced } = streamOf(200);
			const { json, file } = await receive(SIGNED, async () => reply(stream as unknown as Buffer));
			expect(file).toBeUndefined();
			expect(json.download_error).toBe('result file is larger than 50 MB; the limit is 50 MB');
			expect(produced.chunks).toBeLessThanOrEqual(52);
			await new Promise((resolve) => setImmediate(resolve));
			expect(produced.destroyed).toBe(true);
		});

		it('reads a stream within the limit into the binary field, byte for byte', async () => {
			const { stream } = streamOf(3, Buffer.concat([PNG, Buffer.alloc(1024 * 1024 - PNG.length)]));
			const { json, file } = await receive(SIGNED, async () => reply(stream as unknown as Buffer));
			expect(json.download_error).toBeUndefined();
			const bytes = bytesOf(file);
			expect(bytes.length).toBe(3 * 1024 * 1024);
			expect(bytes.subarray(0, PNG.length).equals(PNG)).toBe(true);
		});

		it('does not read a body whose Content-Length is over the limit', async () => {
			const { stream, produced } = streamOf(60);
			const { json } = await receive(SIGNED, async () =>
				reply(stream as unknown as Buffer, { headers: { 'content-length': String(60 * 1024 * 1024) } }),
			);
			expect(json.download_error).toBe('result file is 60.0 MB; the limit is 50 MB');
			expect(produced.chunks).toBeLessThanOrEqual(1);
		});
	});

	it('redirects are followed only to hosts that pass the guard', async () => {
		const toPublic = await receive(SIGNED, async (options) =>
			options.url === SIGNED
				? reply(Buffer.alloc(0), { statusCode: 302, headers: { location: 'https://cdn.w24.co/final.png' } })
				: reply(PNG),
		);
		expect(toPublic.fake.httpRequest.mock.calls.map(([o]) => (o as IHttpRequestOptions).url)).toEqual([
			SIGNED,
			'https://cdn.w24.co/final.png',
		]);
		expect(bytesOf(toPublic.file).equals(PNG)).toBe(true);

		const toMetadata = await receive(SIGNED, async () =>
			reply(Buffer.alloc(0), { statusCode: 301, headers: { location: 'http://169.254.169.254/latest/' } }),
		);
		expect(toMetadata.fake.httpRequest).toHaveBeenCalledTimes(1);
		expect(toMetadata.json.download_error).toMatch(/local or private/);

		const loop = await receive(SIGNED, async () => reply(Buffer.alloc(0), { statusCode: 302, headers: { location: '/again' } }));
		expect(loop.json.download_error).toMatch(/redirected more than 3 times/);
	});

	it('a malformed %-sequence in the file name still downloads', async () => {
		const { json, file } = await receive('https://payloads.w24.co/r/bad%E0%A4%A.png', async () => reply(PNG));
		expect(json.download_error).toBeUndefined();
		expect(file?.fileName).toMatch(/\.png$/);
	});

	it('a binary store failure → download_error, the execution goes on', async () => {
		const fake = callbackContext(
			{ ...SHEET_IMAGES, payload_url: SIGNED },
			{ parameters: { options: { downloadFiles: true } }, httpRequest: (async () => reply(PNG)) as never },
		);
		fake.prepareBinaryData.mockRejectedValueOnce(new Error(`disk full while writing ${SIGNED}`));
		const items = (await trigger.webhook.call(fake.context)).workflowData?.[0] ?? [];
		expect(items[0].json.download_error).toMatch(/could not be stored: disk full/);
		expect(String(items[0].json.download_error)).not.toContain('SECRETSIG');
	});

	it('each message of a batch gets its own outcome', async () => {
		const messages = [
			{ ...SHEET_IMAGES, payload_url: 'https://payloads.w24.co/a.png' },
			{ ...SHEET_IMAGES, payload_url: 'http://127.0.0.1/b.png' },
			{ ...SHEET_IMAGES, payload_url: 'https://payloads.w24.co/c.pdf' },
		];
		const fake = callbackContext(messages, {
			parameters: { options: { downloadFiles: true } },
			httpRequest: (async (options: IHttpRequestOptions) => reply(options.url.endsWith('.pdf') ? PDF : PNG)) as never,
		});
		const items = (await trigger.webhook.call(fake.context)).workflowData?.[0] ?? [];
		expect(items.map((item) => item.binary?.file?.mimeType ?? item.json.download_error)).toEqual([
			'image/png',
			expect.stringMatching(/local or private/),
			'application/pdf',
		]);
	});
});
