import { Readable } from 'node:stream';

import { NodeApiError, NodeOperationError, type INodeParameters } from 'n8n-workflow';

import { encryptPackage } from '../../../../../core';
import { loadDrawing } from '../../../../fixtures/drawings';
import { packageStartingWith } from '../../../../fixtures/packages';
import { createExecuteContext, fullResponse, type ExecuteContextOptions, type HttpStub } from '../../../../helpers/executeContext';
import { testKey as key } from '../../../../fixtures/testKeys';

const mockSleep = jest.fn(async (ms: number) => void ms);
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleep: (ms: number) => mockSleep(ms) }));

const API = { token: 'license-token-123', apiUrl: 'https://api.w24.co', streamingUrl: 'wss://ws-api.w24.co/v2' };
const SECURITY = {
	headerName: 'X-Werk24-Token',
	secret: 'a-secret-of-24-characters',
	publicKey: key('test-only-main.public.pem'),
	privateKey: key('test-only-main.private.pem'),
	passphrase: '',
};
const PAYLOAD_URL =
	'https://payloads.w24-emulator.example.com/3f2b/sheet_images/page-0.png?X-Amz-Expires=3600&X-Amz-Signature=abc123secret';
const MESSAGE = { request_id: '3f2b', message_type: 'ASK', message_subtype: 'SHEET_IMAGES', payload_url: PAYLOAD_URL };

function download(parameters: INodeParameters, answer: HttpStub, overrides: Partial<ExecuteContextOptions> = {}) {
	return createExecuteContext({
		parameters: { resource: 'result', operation: 'downloadFile', ...parameters },
		items: [{ json: MESSAGE }],
		credentials: { werk24Api: API },
		httpRequest: answer,
		...overrides,
	});
}

const serve =
	(bytes: Buffer, headers: Record<string, string> = {}): HttpStub =>
	async () =>
		fullResponse(200, bytes, headers);

async function failure(run: { run(): Promise<unknown> }) {
	return await run.run().then(
		() => undefined,
		(thrown: unknown) => thrown as NodeOperationError | NodeApiError,
	);
}

describe('Result → Download File', () => {
	it('GETs the payload_url of the item without credentials and writes the file to the "file" binary field', async () => {
		const png = loadDrawing('png');
		const run = download({}, serve(png, { 'content-type': 'image/png', 'content-disposition': 'attachment; filename="sheet-0.png"' }));
		const [[item]] = await run.run();

		expect(run.httpCalls).toHaveLength(1);
		expect(run.httpCalls[0].helper).toBe('httpRequest');
		// A stream, so the 100 MB cap can stop the transfer.
		expect(run.httpCalls[0].options).toMatchObject({ method: 'GET', url: PAYLOAD_URL, encoding: 'stream' });
		expect(run.httpCalls[0].options.headers ?? {}).not.toHaveProperty('Authorization');

		expect(Buffer.from(item.binary!.file.data, 'base64').equals(png)).toBe(true);
		expect(item.binary!.file).toMatchObject({ fileName: 'sheet-0.png', mimeType: 'image/png' });
		expect(item.json).toMatchObject({ ...MESSAGE, file_name: 'sheet-0.png', mime_type: 'image/png', size_bytes: png.length, decrypted: false });
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('takes the file name from the URL path and the type from the bytes when headers say nothing useful', async () => {
		const run = download({ outputBinaryField: 'sheet' }, serve(loadDrawing('png'), { 'content-type': 'application/octet-stream' }));
		const [[item]] = await run.run();
		expect(item.binary!.sheet).toMatchObject({ fileName: 'page-0.png', mimeType: 'image/png' });
	});

	it('reads an RFC 5987 file name', async () => {
		const run = download({}, serve(loadDrawing('pdf'), { 'content-disposition': "attachment; filename*=UTF-8''Zeichnung%20%C3%B6.pdf" }));
		const [[item]] = await run.run();
		expect(item.binary!.file.fileName).toBe('Zeichnung ö.pdf');
	});

	describe('decryption', () => {
		const png = loadDrawing('png');
		const encrypted = encryptPackage(SECURITY.publicKey, png);

		it('auto: decrypts with the private key of the Callback Security credential', async () => {
			const run = download({}, serve(encrypted, { 'content-type': 'application/octet-stream' }), {
				credentials: { werk24Api: API, werk24CallbackApi: SECURITY },
			});
			const [[item]] = await run.run();
			expect(Buffer.from(item.binary!.file.data, 'base64').equals(png)).toBe(true);
			expect(item.json).toMatchObject({ decrypted: true, mime_type: 'image/png', size_bytes: png.length });
		});

		it('auto: keeps a plain file as it is', async () => {
			const run = download({}, serve(png, { 'content-type': 'image/png' }), { credentials: { werk24Api: API, werk24CallbackApi: SECURITY } });
			const [[item]] = await run.run();
			expect(Buffer.from(item.binary!.file.data, 'base64').equals(png)).toBe(true);
			expect(item.json.decrypted).toBe(false);
		});

		it('auto without a credential: keeps the bytes', async () => {
			const run = download({}, serve(encrypted));
			const [[item]] = await run.run();
			expect(Buffer.from(item.binary!.file.data, 'base64').equals(encrypted)).toBe(true);
			expect(item.json.decrypted).toBe(false);
		});

		it('auto: an encrypted-looking file that the key cannot open is an error, without the URL query', async () => {
			const other = encryptPackage(key('test-only-other.public.pem'), png);
			const error = await failure(download({}, serve(other), { credentials: { werk24Api: API, werk24CallbackApi: SECURITY } }));
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toMatch(/could not be decrypted/);
			expect(`${error!.message} ${error!.description}`).not.toMatch(/X-Amz|abc123secret/);
		});

		// Regression: such a package looked like JSON, so auto kept the undecryptable bytes without a word.
		it('auto: a package for another key is an error even when its first byte is "{"', async () => {
			const other = packageStartingWith(key('test-only-other.public.pem'), png, '{'.charCodeAt(0));
			const error = await failure(download({}, serve(other), { credentials: { werk24Api: API, werk24CallbackApi: SECURITY } }));
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toMatch(/could not be decrypted/);
		});

		it('auto: keeps a plain JSON or SVG result file that the key cannot open', async () => {
			for (const plain of ['{"zones": []}', '<svg xmlns="http://www.w3.org/2000/svg"/>']) {
				const [[item]] = await download({}, serve(Buffer.from(plain)), { credentials: { werk24Api: API, werk24CallbackApi: SECURITY } }).run();
				expect(Buffer.from(item.binary!.file.data, 'base64').toString()).toBe(plain);
				expect(item.json.decrypted).toBe(false);
			}
		});

		it('yes: decrypts with a passphrase-protected private key', async () => {
			const run = download({ decrypt: 'yes' }, serve(encrypted), {
				credentials: {
					werk24Api: API,
					werk24CallbackApi: { ...SECURITY, privateKey: key('test-only-main.private.encrypted.pem'), passphrase: 'test-only-passphrase' },
				},
			});
			const [[item]] = await run.run();
			expect(Buffer.from(item.binary!.file.data, 'base64').equals(png)).toBe(true);
		});

		it('yes: fails on a plain file', async () => {
			const error = await failure(download({ decrypt: 'yes' }, serve(png), { credentials: { werk24Api: API, werk24CallbackApi: SECURITY } }));
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toMatch(/could not be decrypted/);
		});

		it('yes without a credential: says which credential to select, before downloading', async () => {
			const run = download({ decrypt: 'yes' }, serve(encrypted));
			const error = await failure(run);
			expect(error!.message).toBe('"Decrypt" is Yes but no private key is available');
			expect(error!.description).toMatch(/Select the Werk24 Callback Security credential/);
			expect(run.httpCalls).toHaveLength(0);
		});

		it('no: keeps the bytes even with a credential', async () => {
			const run = download({ decrypt: 'no' }, serve(encrypted), { credentials: { werk24Api: API, werk24CallbackApi: SECURITY } });
			const [[item]] = await run.run();
			expect(Buffer.from(item.binary!.file.data, 'base64').equals(encrypted)).toBe(true);
		});
	});

	describe('problems', () => {
		it('an item without payload_url explains which messages carry one', async () => {
			const run = download({}, serve(Buffer.from('x')), { items: [{ json: { message_type: 'ASK', payload_url: null } }] });
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toBe('"URL" is empty');
			expect(run.httpCalls).toHaveLength(0);
		});

		it('refuses a metadata or private address while the API is the real service, without the query string', async () => {
			const run = download({ url: 'http://169.254.169.254/latest/meta-data?token=abc123secret' }, serve(Buffer.from('x')));
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toContain('http://169.254.169.254/latest/meta-data');
			expect(`${error!.message} ${error!.description}`).not.toContain('abc123secret');
			expect(run.httpCalls).toHaveLength(0);
		});

		it('an expired link (403) is a NodeApiError that never shows the signature', async () => {
			const run = download({}, async () => fullResponse(403, Buffer.from('<Error><Code>AccessDenied</Code></Error>')));
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect((error as NodeApiError).httpCode).toBe('403');
			expect(JSON.stringify({ m: error!.message, d: error!.description })).not.toMatch(/X-Amz|abc123secret/);
			// No token is sent with a result URL, so the license is never blamed.
			expect(error!.message).toBe('The result file could not be downloaded (HTTP 403)');
			expect(error!.description).toMatch(/expire/);
			expect(`${error!.message} ${error!.description}`).not.toMatch(/License token|API URL/);
		});

		it.each([404, 410, 400])('HTTP %i for a result URL names the link, not the API credential, and is not retried', async (status) => {
			const run = download({}, async () => fullResponse(status, Buffer.from('<Error/>')));
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toBe(`The result file could not be downloaded (HTTP ${status})`);
			expect(`${error!.message} ${error!.description}`).not.toMatch(/License token|API URL/);
			expect(run.httpCalls).toHaveLength(1);
		});

	});

	// Regression: a result URL is presigned storage fetched without the token, yet its network failures said
	// "Could not reach Werk24 … check the API URL in the Werk24 API credential" and its 5xx "Werk24 service error".
	describe('regression: result URL failures blamed the API URL in the Werk24 API credential', () => {
		const HOST = 'payloads.w24-emulator.example.com';
		const REDACTED = 'https://payloads.w24-emulator.example.com/3f2b/sheet_images/page-0.png';
		/** n8n's plain httpRequest throws axios's error as it is; core reads the socket error in `cause`. */
		const socketError = (code: string) =>
			Object.assign(new Error(`connect ${code} ${HOST}`), { name: 'AxiosError', code, cause: Object.assign(new Error(code), { code }) });
		const text = (error: NodeApiError | NodeOperationError | undefined) => JSON.stringify({ m: error?.message, d: error?.description });

		it.each([
			['ECONNREFUSED', 'the connection was refused'],
			['ENOTFOUND', 'its host name could not be resolved'],
			['ECONNRESET', 'the connection was interrupted'],
		])('%s: says the result file\'s host could not be reached, retried 3 times, never names the credential', async (code, what) => {
			const run = download({}, async () => {
				throw socketError(code);
			});
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toBe(`The result file's host (${HOST}) could not be reached: ${what} (${code})`);
			expect(error!.description).toMatch(/retry later/);
			expect(error!.description).toContain(REDACTED);
			expect(text(error)).not.toMatch(/credential|API URL|Could not reach Werk24/i);
			expect(text(error)).not.toMatch(/X-Amz|abc123secret/);
			expect(error!.context.itemIndex).toBe(0);
			expect(run.httpCalls).toHaveLength(3);
		});

		it('a connection failure followed by success downloads the file', async () => {
			let calls = 0;
			const png = loadDrawing('png');
			const run = download({}, async () => {
				if (calls++ === 0) throw socketError('ECONNRESET');
				return fullResponse(200, png, { 'content-type': 'image/png' });
			});
			const [[item]] = await run.run();
			expect(Buffer.from(item.binary!.file.data, 'base64').equals(png)).toBe(true);
			expect(run.httpCalls).toHaveLength(2);
		});

		it('an untrusted TLS certificate names the result host, not the Werk24 server, and is not retried', async () => {
			const run = download({}, async () => {
				throw socketError('SELF_SIGNED_CERT_IN_CHAIN');
			});
			const error = await failure(run);
			expect(error!.message).toBe(`The TLS certificate of the result file's host (${HOST}) could not be verified (SELF_SIGNED_CERT_IN_CHAIN)`);
			expect(text(error)).not.toMatch(/credential|API URL|Werk24 server|X-Amz|abc123secret/i);
			expect(run.httpCalls).toHaveLength(1);
		});

		it.each([502, 503, 504])('HTTP %i from storage says so, is retried 3 times, and never names the credential', async (status) => {
			const run = download({}, async () => fullResponse(status, Buffer.from('<Error><Code>ServiceUnavailable</Code></Error>')));
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toBe(`The storage holding the result file answered HTTP ${status}`);
			expect(error!.description).toMatch(/retry later/);
			expect((error as NodeApiError).httpCode).toBe(String(status));
			expect(text(error)).not.toMatch(/credential|API URL|Werk24 service error|X-Amz|abc123secret/i);
			expect(run.httpCalls).toHaveLength(3);
		});

		it('HTTP 500 from storage says so and is not retried', async () => {
			const run = download({}, async () => fullResponse(500, Buffer.from('')));
			const error = await failure(run);
			expect(error!.message).toBe('The storage holding the result file answered HTTP 500');
			expect(text(error)).not.toMatch(/credential|API URL/i);
			expect(run.httpCalls).toHaveLength(1);
		});
	});

	// Regression: Download File had no size cap and no overall time limit, unlike the Trigger's downloads.
	describe('regression: Download File had no size cap and no overall time limit', () => {
		const MB = 1024 * 1024;
		afterEach(() => jest.restoreAllMocks());

		/** Replaces the whole-download deadline with one the test fires; returns its controller. */
		function controlledDeadline(): AbortController {
			const controller = new AbortController();
			jest.spyOn(AbortSignal, 'timeout').mockReturnValue(controller.signal);
			return controller;
		}

		/** Like axios: pending until the signal aborts, then a CanceledError (n8n's plain httpRequest does not wrap it). */
		const hangUntilAborted: HttpStub = async (options) =>
			await new Promise((_resolve, reject) => {
				const signal = options.abortSignal as AbortSignal;
				const cancel = () => reject(Object.assign(new Error('canceled'), { name: 'CanceledError', code: 'ERR_CANCELED' }));
				if (signal.aborted) cancel();
				else signal.addEventListener('abort', cancel);
			});

		it('sends one 120 s deadline (abortSignal) and an idle timeout with the request', async () => {
			const timeout = jest.spyOn(AbortSignal, 'timeout');
			const run = download({}, serve(loadDrawing('png')));
			await run.run();
			expect(timeout).toHaveBeenCalledWith(120_000);
			expect(run.httpCalls[0].options.abortSignal).toBe(timeout.mock.results[0].value);
			expect(run.httpCalls[0].options.timeout).toBe(120_000);
		});

		it('a download that does not finish in 120 s stops with a clear error, without retrying or the query string', async () => {
			const deadline = controlledDeadline();
			const run = download({}, hangUntilAborted);
			const pending = failure(run);
			await new Promise((resolve) => setImmediate(resolve));
			deadline.abort();
			const error = await pending;
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toBe(
				'The download of https://payloads.w24-emulator.example.com/3f2b/sheet_images/page-0.png did not finish within 120 s',
			);
			expect(error!.description).toMatch(/Retry later/);
			expect(`${error!.message} ${error!.description}`).not.toMatch(/credential|API URL|X-Amz|abc123secret/i);
			expect(error!.context.itemIndex).toBe(0);
			expect(run.httpCalls).toHaveLength(1);
		});

		it('the deadline covers retries: passing it while waiting to retry a 503 ends the download', async () => {
			const deadline = controlledDeadline();
			mockSleep.mockImplementationOnce(async () => void deadline.abort());
			let calls = 0;
			const run = download({}, async (options) => (calls++ === 0 ? fullResponse(503, Buffer.from('')) : await hangUntilAborted(options)));
			const error = await failure(run);
			expect(error!.message).toMatch(/did not finish within 120 s$/);
			expect(run.httpCalls).toHaveLength(2);
		});

		it('a file that declares more than 100 MB is refused', async () => {
			const run = download({}, serve(loadDrawing('png'), { 'content-type': 'image/png', 'content-length': String(150 * MB) }));
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toBe(
				'The result file at https://payloads.w24-emulator.example.com/3f2b/sheet_images/page-0.png is larger than 100 MB (150.0 MB)',
			);
			expect(error!.description).toMatch(/payload_url of a Werk24 message/);
			expect(`${error!.message} ${error!.description}`).not.toMatch(/X-Amz|abc123secret/);
			expect(error!.context.itemIndex).toBe(0);
		});

		it('a file whose bytes exceed 100 MB is refused even without Content-Length', async () => {
			const error = await failure(download({}, serve(Buffer.alloc(100 * MB + 1))));
			expect(error!.message).toBe('The result file at https://payloads.w24-emulator.example.com/3f2b/sheet_images/page-0.png is larger than 100 MB');
		});

		// Regression: the cap was judged only once the whole body was in memory.
		it('a streamed body is cut off as soon as it passes 100 MB', async () => {
			let produced = 0;
			const chunk = Buffer.alloc(MB);
			const stream = Readable.from(
				(function* () {
					for (; produced < 300; ) {
						produced++;
						yield chunk;
					}
				})(),
			);
			const error = await failure(download({}, async () => fullResponse(200, stream)));
			expect(error!.message).toMatch(/is larger than 100 MB$/);
			expect(produced).toBeLessThanOrEqual(102);
		});

		it('a file of exactly 100 MB is kept', async () => {
			const [[item]] = await download({ decrypt: 'no' }, serve(Buffer.alloc(100 * MB))).run();
			expect(item.json.size_bytes).toBe(100 * MB);
		});
	});
});
