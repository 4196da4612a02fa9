import { NodeApiError, NodeOperationError, type IHttpRequestOptions, type INodeParameters } from 'n8n-workflow';

import { CLIENT_VERSION } from '../../../../../core';
import { loadDrawing, pdfOfSize } from '../../../../fixtures/drawings';
import { createExecuteContext, fullResponse, type ExecuteContextOptions, type FakeItem } from '../../../../helpers/executeContext';
import { testKey as key } from '../../../../fixtures/testKeys';

const PUBLIC_KEY = key('test-only-main.public.pem');
const REQUEST_ID = '3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d';
const CALLBACK = 'https://n8n.example.com/webhook/1f0c/callback';
const API = { token: 'license-token-123', apiUrl: 'https://api.w24.co/', streamingUrl: 'wss://ws-api.w24.co/v2' };
const SECURITY = { headerName: 'X-Werk24-Token', secret: 'a-secret-of-24-characters', publicKey: PUBLIC_KEY, privateKey: '', passphrase: '' };

const pdfItem = (json = {}): FakeItem => ({
	json,
	binary: { data: { bytes: loadDrawing('pdf'), mimeType: 'application/pdf', fileName: 'flange.pdf' } },
});

function submit(parameters: INodeParameters, overrides: Partial<ExecuteContextOptions> = {}) {
	return createExecuteContext({
		parameters: { resource: 'drawing', operation: 'readWithCallback', callbackUrl: CALLBACK, callbackSecurity: 'none', ...parameters },
		items: [pdfItem()],
		credentials: { werk24Api: API },
		httpRequestWithAuthentication: async () => fullResponse(200, { request_id: REQUEST_ID }),
		...overrides,
	});
}

/** The multipart body as the server will see it: every part by name, text parts as their raw strings. */
async function readForm(options: IHttpRequestOptions) {
	expect(options.body).toBeInstanceOf(FormData);
	const form = options.body as FormData;
	const names: string[] = [];
	form.forEach((_value, name) => names.push(name));
	const text = (name: string) => {
		const value = form.get(name);
		expect(typeof value).toBe('string');
		return value as string;
	};
	const drawing = form.get('drawing') as File;
	return { names, text, drawing, bytes: Buffer.from(await drawing.arrayBuffer()) };
}

describe('Drawing → Submit (readWithCallback)', () => {
	it('posts the drawing and every field exactly as werk24-python encodes them', async () => {
		const run = submit({});
		await run.run();

		expect(run.httpCalls).toHaveLength(1);
		const [call] = run.httpCalls;
		expect(call.helper).toBe('httpRequestWithAuthentication');
		expect(call.credentialType).toBe('werk24Api');
		expect(call.options).toMatchObject({
			method: 'POST',
			baseURL: 'https://api.w24.co',
			url: '/techread/read-with-callback',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		});
		// axios must set multipart/form-data with its boundary; and the node never builds auth headers.
		const headerNames = Object.keys(call.options.headers ?? {}).map((name) => name.toLowerCase());
		expect(headerNames).not.toContain('content-type');
		expect(headerNames).not.toContain('authorization');

		const form = await readForm(call.options);
		expect(form.names).toEqual(['drawing', 'asks', 'callback_url', 'callback_headers', 'max_pages', 'client_version', 'public_key', 'priority']);
		expect(form.drawing.name).toBe('flange.pdf');
		expect(form.bytes.equals(loadDrawing('pdf'))).toBe(true);
		expect(form.text('asks')).toBe('[{"ask_version": "v2", "ask_type": "META_DATA"}]');
		expect(form.text('callback_url')).toBe(`"${CALLBACK}"`);
		expect(form.text('callback_headers')).toBe('null');
		expect(form.text('max_pages')).toBe('5');
		expect(form.text('client_version')).toBe(`"${CLIENT_VERSION}"`);
		expect(form.text('public_key')).toBe('null');
		expect(form.text('priority')).toBe('null');
	});

	it('outputs one item per drawing with the request id and what was sent', async () => {
		const before = Date.now();
		const [[item]] = await submit({ asks: ['META_DATA', 'FEATURES'] }).run();
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			request_id: REQUEST_ID,
			file_name: 'flange.pdf',
			mime_type: 'application/pdf',
			size_bytes: loadDrawing('pdf').length,
			asks: ['META_DATA', 'FEATURES'],
			callback_url: CALLBACK,
		});
		const submittedAt = Date.parse(String(item.json.submitted_at));
		expect(submittedAt).toBeGreaterThanOrEqual(before - 1000);
		expect(Object.keys(item.json).sort()).toEqual(
			['asks', 'callback_url', 'file_name', 'mime_type', 'request_id', 'size_bytes', 'submitted_at'].sort(),
		);
	});

	it('with Callback Security sends the secret header and the public key of the credential', async () => {
		const run = submit(
			{
				callbackSecurity: 'werk24CallbackApi',
				options: { callbackHeaders: { header: [{ name: 'X-Order-Id', value: 'PO-4711' }] } },
			},
			{ credentials: { werk24Api: API, werk24CallbackApi: SECURITY } },
		);
		await run.run();
		const form = await readForm(run.httpCalls[0].options);
		expect(JSON.parse(form.text('callback_headers'))).toEqual({ 'X-Order-Id': 'PO-4711', 'X-Werk24-Token': SECURITY.secret });
		expect(form.text('callback_headers')).toBe(`{"X-Order-Id": "PO-4711", "X-Werk24-Token": "${SECURITY.secret}"}`);
		expect(form.text('public_key')).toBe(JSON.stringify(PUBLIC_KEY.trim()));
	});

	// Regression: Submit defaulted to no security while the Trigger requires the credential by default,
	// so with both defaults every callback was refused with 401 and its result lost.
	describe('Callback Security left at its default', () => {
		const atDefault = (overrides: Partial<ExecuteContextOptions>) =>
			createExecuteContext({
				parameters: { resource: 'drawing', operation: 'readWithCallback', callbackUrl: CALLBACK },
				items: [pdfItem()],
				credentials: { werk24Api: API },
				httpRequestWithAuthentication: async () => fullResponse(200, { request_id: REQUEST_ID }),
				...overrides,
			});

		it('sends the secret header of the selected credential, as the Trigger expects by default', async () => {
			const run = atDefault({ credentials: { werk24Api: API, werk24CallbackApi: SECURITY } });
			await run.run();
			const form = await readForm(run.httpCalls[0].options);
			expect(JSON.parse(form.text('callback_headers'))).toEqual({ 'X-Werk24-Token': SECURITY.secret });
		});

		it('without a selected credential: says which credential to select, before any upload', async () => {
			const run = atDefault({});
			const error = await run.run().then(
				() => undefined,
				(thrown: unknown) => thrown as NodeOperationError,
			);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toBe('"Callback Security" needs a Werk24 Callback Security credential');
			expect(error!.description).toMatch(/Select the Werk24 Callback Security credential your Werk24 Trigger uses/);
			expect(run.httpCalls).toHaveLength(0);
		});
	});

	it('sends a credential without public key as public_key null', async () => {
		const run = submit(
			{ callbackSecurity: 'werk24CallbackApi' },
			{ credentials: { werk24Api: API, werk24CallbackApi: { ...SECURITY, publicKey: '' } } },
		);
		await run.run();
		const form = await readForm(run.httpCalls[0].options);
		expect(form.text('public_key')).toBe('null');
		expect(JSON.parse(form.text('callback_headers'))).toEqual({ 'X-Werk24-Token': SECURITY.secret });
	});

	it('applies every option: max pages, priority, file name, client version, ask parameters, additional asks', async () => {
		const run = submit({
			asks: ['REDACTION', 'CUSTOM'],
			redactionOptions: { redactLogos: false, redactKeywords: 'ACME, Falcon ,', outputFormat: 'PNG', fillColor: '' },
			customId: 'my-output',
			customOptions: { config: '{"unit": "mm"}', postprocessorSlot: 'GREEN' },
			options: {
				maxPages: 2,
				priority: 'PRIO2',
				fileName: 'renamed.pdf',
				clientVersion: '9.9.9-test',
				additionalAsks: '[{"ask_type": "TITLE_BLOCK", "version": "v1", "is_training": false}]',
			},
		});
		const [[item]] = await run.run();
		const form = await readForm(run.httpCalls[0].options);
		expect(form.drawing.name).toBe('renamed.pdf');
		expect(form.text('max_pages')).toBe('2');
		expect(form.text('priority')).toBe('"PRIO2"');
		expect(form.text('client_version')).toBe('"9.9.9-test"');
		expect(JSON.parse(form.text('asks'))).toEqual([
			{
				ask_version: 'v2',
				ask_type: 'REDACTION',
				redact_logos: false,
				redact_company_data: true,
				redact_personal_data: true,
				redact_keywords: [{ keyword: 'ACME' }, { keyword: 'Falcon' }],
				output_format: 'PNG',
				fill_color: null,
			},
			{ ask_version: 'v2', ask_type: 'CUSTOM', custom_id: 'my-output', config: { unit: 'mm' }, postprocessor_slot: 'GREEN' },
			{ ask_type: 'TITLE_BLOCK', version: 'v1', is_training: false },
		]);
		expect(item.json.asks).toEqual(['REDACTION', 'CUSTOM', 'TITLE_BLOCK']);
		expect(item.json.file_name).toBe('renamed.pdf');
	});

	it.each([
		['png', 'image/png'],
		['jpeg', 'image/jpeg'],
		['tiffLittleEndian', 'image/tiff'],
	] as const)('accepts a %s drawing (type from its bytes) and names it by type when it has no file name', async (fixture, mime) => {
		const run = submit({}, { items: [{ binary: { data: { bytes: loadDrawing(fixture) } } }] });
		const [[item]] = await run.run();
		expect(item.json.mime_type).toBe(mime);
		const form = await readForm(run.httpCalls[0].options);
		expect(form.drawing.name).toMatch(/^drawing\.(png|jpg|jpeg|tif|tiff)$/);
	});

	it('allows a loopback callback URL when the API URL is a local sandbox', async () => {
		const run = submit(
			{ callbackUrl: 'http://127.0.0.1:5678/webhook/w24/callback' },
			{ credentials: { werk24Api: { ...API, apiUrl: 'http://127.0.0.1:4724' } } },
		);
		await run.run();
		expect(run.httpCalls[0].options.baseURL).toBe('http://127.0.0.1:4724');
	});
});

describe('Drawing → Submit preflight: every check fails before any network call', () => {
	async function preflight(parameters: INodeParameters, overrides: Partial<ExecuteContextOptions> = {}) {
		const run = submit(parameters, overrides);
		const error = await run.run().then(
			() => undefined,
			(thrown: unknown) => thrown,
		);
		expect(run.httpCalls).toHaveLength(0);
		expect(error).toBeInstanceOf(NodeOperationError);
		const nodeError = error as NodeOperationError;
		expect(nodeError.context.itemIndex).toBe(0);
		expect(nodeError.description).toBeTruthy();
		return nodeError;
	}

	it('missing binary field: names the fields the item has', async () => {
		const error = await preflight(
			{ binaryPropertyName: 'drawing' },
			{ items: [{ binary: { attachment_0: { bytes: loadDrawing('pdf') }, file: { bytes: loadDrawing('png') } } }] },
		);
		expect(error.message).toBe('The item has no binary field "drawing"');
		expect(error.description).toContain('"attachment_0", "file"');
	});

	it('no binary data at all: says so and suggests a node that loads files', async () => {
		const error = await preflight({}, { items: [{ json: { a: 1 } }] });
		expect(error.message).toBe('The item has no binary field "data"');
		expect(error.description).toMatch(/no binary data at all/);
	});

	it('drawing over 10 MB', async () => {
		const error = await preflight({}, { items: [{ binary: { data: { bytes: pdfOfSize(12.4 * 1024 * 1024) } } }] });
		expect(error.message).toMatch(/^Drawing is 12\.4 MB; the limit is 10 MB/);
		expect(error.description).toMatch(/up to 10 MB/);
	});

	it('accepts exactly 10 MB', async () => {
		const run = submit({}, { items: [{ binary: { data: { bytes: pdfOfSize(10 * 1024 * 1024) } } }] });
		await run.run();
		expect(run.httpCalls).toHaveLength(1);
	});

	it('not a PDF/PNG/JPEG/TIFF by its bytes, whatever the MIME type says', async () => {
		const error = await preflight(
			{},
			{ items: [{ binary: { data: { bytes: Buffer.from('{"not":"a drawing"}'), mimeType: 'application/pdf', fileName: 'x.pdf' } } }] },
		);
		expect(error.message).toMatch(/not a PDF, PNG, JPEG or TIFF/);
		expect(error.description).toContain('application/pdf');
	});

	it('invalid extra callback header name', async () => {
		const error = await preflight({ options: { callbackHeaders: { header: [{ name: 'Order-Id', value: '1' }] } } });
		expect(error.message).toMatch(/"Extra Callback Headers"/);
		expect(error.description).toMatch(/Order-Id/);
	});

	it('extra header with a value but no name', async () => {
		const error = await preflight({ options: { callbackHeaders: { header: [{ name: ' ', value: 'PO-4711' }] } } });
		expect(error.message).toBe('"Extra Callback Headers" has a header without a name');
		expect(error.description).toMatch(/X-/);
	});

	it('extra header name given twice', async () => {
		const error = await preflight({
			options: { callbackHeaders: { header: [{ name: 'X-Order-Id', value: '1' }, { name: 'X-Order-Id', value: '2' }] } },
		});
		expect(error.message).toBe('"Extra Callback Headers" has "X-Order-Id" twice');
	});

	it('extra header row left completely empty is ignored', async () => {
		const run = submit({ options: { callbackHeaders: { header: [{ name: '', value: '' }, { name: 'X-Order-Id', value: '1' }] } } });
		await run.run();
		const form = await readForm(run.httpCalls[0].options);
		expect(form.text('callback_headers')).toBe('{"X-Order-Id": "1"}');
	});

	it('extra header that repeats the secret header of the credential', async () => {
		const error = await preflight(
			{ callbackSecurity: 'werk24CallbackApi', options: { callbackHeaders: { header: [{ name: 'x-werk24-token', value: 'guess' }] } } },
			{ credentials: { werk24Api: API, werk24CallbackApi: SECURITY } },
		);
		expect(error.message).toMatch(/repeats "X-Werk24-Token"/);
	});

	it('credential secret shorter than 16 characters', async () => {
		const error = await preflight(
			{ callbackSecurity: 'werk24CallbackApi' },
			{ credentials: { werk24Api: API, werk24CallbackApi: { ...SECURITY, secret: 'short' } } },
		);
		expect(error.message).toBe('Secret has 5 characters — use at least 16');
		expect(error.description).toMatch(/Werk24 Callback Security credential \(its Test runs the same check\)/);
	});

	it('credential header name Werk24 would not forward', async () => {
		const error = await preflight(
			{ callbackSecurity: 'werk24CallbackApi' },
			{ credentials: { werk24Api: API, werk24CallbackApi: { ...SECURITY, headerName: 'Werk24-Token' } } },
		);
		expect(error.message).toMatch(/^Header Name "Werk24-Token" is not forwarded by Werk24 — use a name starting with "X-"/);
	});

	it('max pages below 1', async () => {
		const error = await preflight({ options: { maxPages: 0 } });
		expect(error.message).toMatch(/"Max Pages" is 0/);
	});

	it.each(['http://localhost:5678/webhook/x', 'http://127.0.0.1/webhook/x', 'https://192.168.1.20/webhook/x', 'http://10.0.0.5/x', 'http://[::1]:5678/x'])(
		'callback URL %s while the API URL is the real service',
		async (callbackUrl) => {
			const error = await preflight({ callbackUrl });
			expect(error.message).toMatch(/can never reach/);
			expect(error.description).toMatch(/public/);
		},
	);

	it('callback URL that is not a URL', async () => {
		const error = await preflight({ callbackUrl: 'n8n.example.com/webhook' });
		expect(error.message).toMatch(/"Callback URL" is not a valid URL/);
	});

	it('callback URL that is empty', async () => {
		const error = await preflight({ callbackUrl: '' });
		expect(error.message).toBe('"Callback URL" is empty');
	});

	it('callback URL with another scheme', async () => {
		const error = await preflight({ callbackUrl: 'ftp://n8n.example.com/x' });
		expect(error.message).toMatch(/must start with https:\/\/ or http:\/\//);
	});

	it('no ask at all', async () => {
		const error = await preflight({ asks: [] });
		expect(error.message).toBe('No ask selected');
	});

	it('additional asks that are not JSON', async () => {
		const error = await preflight({ options: { additionalAsks: '[{ask_type: TITLE_BLOCK}]' } });
		expect(error.message).toMatch(/not valid JSON/);
	});

	it('additional asks Werk24 would reject', async () => {
		const error = await preflight({ options: { additionalAsks: '[{"no_type": true}]' } });
		expect(error.message).toMatch(/would reject/);
	});

	it('custom ask without custom id', async () => {
		const error = await preflight({ asks: ['CUSTOM'], customId: ' ' });
		expect(error.message).toBe('"Custom ID" is empty');
	});

	it('custom ask config that is not an object', async () => {
		const error = await preflight({ asks: ['CUSTOM'], customId: 'x', customOptions: { config: '[1,2]' } });
		expect(error.message).toMatch(/must be a JSON object/);
	});
});

describe('Drawing → Submit service answers', () => {
	it('a 2xx without request_id is reported as an API problem', async () => {
		const run = submit({}, { httpRequestWithAuthentication: async () => fullResponse(200, { ok: true }) });
		await expect(run.run()).rejects.toThrow(NodeApiError);
		await expect(run.run()).rejects.toThrow('Werk24 accepted the drawing but returned no request_id');
	});
});
