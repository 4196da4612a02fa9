import { readFileSync } from 'fs';
import { join } from 'path';

import { NodeApiError, NodeOperationError, type INodeParameters } from 'n8n-workflow';

import { encryptPackage } from '../../../../../core';
import { loadDrawing } from '../../../../fixtures/drawings';
import { packageStartingWith } from '../../../../fixtures/packages';
import { createExecuteContext, fullResponse, type ExecuteContextOptions, type HttpStub } from '../../../../helpers/executeContext';

const mockSleep = jest.fn(async (ms: number) => void ms);
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleep: (ms: number) => mockSleep(ms) }));

const KEYS = join(__dirname, '../../../../fixtures/keys');
const key = (name: string) => readFileSync(join(KEYS, name), 'utf8');
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
		expect(run.httpCalls[0].options).toMatchObject({ method: 'GET', url: PAYLOAD_URL, encoding: 'arraybuffer' });
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

		it('a 503 for a result URL keeps the service reading and is retried', async () => {
			const run = download({}, async () => fullResponse(503, ''));
			const error = await failure(run);
			expect(error!.message).toMatch(/Werk24 service error \(HTTP 503\)/);
			expect(run.httpCalls).toHaveLength(3);
		});
	});
});
