import { NodeApiError, NodeOperationError, type INodeParameters } from 'n8n-workflow';

import { encryptPackage } from '../../../../../core';
import { loadDrawing, pdfOfSize } from '../../../../fixtures/drawings';
import { loadExample } from '../../../../fixtures/examples';
import { createExecuteContext, fullResponse, type ExecuteContextOptions } from '../../../../helpers/executeContext';
import {
	OpaqueWebSocket,
	startFakeStreaming,
	streamMessage,
	STREAM_REQUEST_ID,
	useWsAsGlobalWebSocket,
	type FakeStreamingServer,
	type StreamingScript,
} from '../../../../helpers/fakeStreaming';
import { testKey as key } from '../../../../fixtures/testKeys';

useWsAsGlobalWebSocket();

const SECURITY = {
	headerName: 'X-Werk24-Token',
	secret: 'a-secret-of-24-characters',
	publicKey: key('test-only-main.public.pem'),
	privateKey: key('test-only-main.private.pem'),
	passphrase: '',
};
const META_DATA = loadExample<Record<string, unknown>>('06-message-ask-meta-data.json');
const PNG_URL = 'https://payloads.example.com/r/sheet_images/page-0.png?X-Amz-Signature=secret';

let servers: FakeStreamingServer[] = [];
afterEach(async () => {
	await Promise.all(servers.map((server) => server.close()));
	servers = [];
});

async function readWith(script: StreamingScript, parameters: INodeParameters = {}, overrides: Partial<ExecuteContextOptions> = {}) {
	const server = await startFakeStreaming(script);
	servers.push(server);
	const uploads: FormData[] = [];
	const downloads: string[] = [];
	const run = createExecuteContext({
		parameters: { resource: 'drawing', operation: 'read', asks: ['META_DATA'], ...parameters },
		items: [{ binary: { data: { bytes: loadDrawing('pdf'), mimeType: 'application/pdf', fileName: 'flange.pdf' } } }],
		credentials: { werk24Api: { token: 'stream-token', apiUrl: 'https://api.w24.co', streamingUrl: server.url } },
		httpRequest: async (options) => {
			if (options.method === 'POST') {
				uploads.push(options.body as unknown as FormData);
				return fullResponse(204, '');
			}
			downloads.push(options.url);
			return fullResponse(200, encryptPackage(SECURITY.publicKey, loadDrawing('png')), { 'content-type': 'application/octet-stream' });
		},
		...overrides,
	});
	return { server, run, uploads, downloads };
}

const fullRead =
	(...frames: object[]) =>
	(socket: { send(data: string): void }) => {
		for (const frame of [streamMessage('PROGRESS', 'STARTED'), ...frames, streamMessage('PROGRESS', 'COMPLETED')]) socket.send(JSON.stringify(frame));
	};

async function failure(run: { run(): Promise<unknown> }) {
	return await run.run().then(
		() => undefined,
		(thrown: unknown) => thrown as NodeApiError | NodeOperationError,
	);
}

describe('Drawing → Read and Wait (streaming)', () => {
	it('one item per drawing: grouped results, title block fields on top, errors readable', async () => {
		const { run, server, uploads } = await readWith(
			{
				onRead: fullRead(
					META_DATA,
					{ ...META_DATA, page_number: 1 },
					streamMessage('ASK', 'FEATURES', 0, { payload_dict: { dimensions: [] } }),
					streamMessage('ASK', 'FEATURES', 1, { exceptions: [{ exception_level: 'ERROR', exception_type: 'DRAWING_RESOLUTION_TOO_LOW' }] }),
				),
			},
			{ asks: ['META_DATA', 'FEATURES'], options: { maxPages: 2, priority: 'PRIO2' } },
		);
		const [[item]] = await run.run();

		expect(server.authorizations).toEqual(['Token stream-token']);
		expect(server.commands[0]).toMatchObject({ action: 'INITIALIZE', message: { max_pages: 2 } });
		expect(server.commands[1]).toEqual({ action: 'READ', message: { priority: 'PRIO2' } });
		expect(uploads).toHaveLength(1);
		const file = uploads[0].get('file') as File;
		expect(Buffer.from(await file.arrayBuffer()).equals(loadDrawing('pdf'))).toBe(true);

		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			request_id: STREAM_REQUEST_ID,
			ok: false,
			file_name: 'flange.pdf',
			pages: 2,
			drawing_number: 'W24-4711-A',
			part_number: '100-2233',
			designation: 'FLANGE',
		});
		const results = item.json.results as Record<string, Array<Record<string, unknown>>>;
		expect(Object.keys(results)).toEqual(['meta_data', 'features']);
		expect(results.meta_data.map((entry) => entry.page_number)).toEqual([0, 1]);
		expect(results.meta_data[0].identifiers).toEqual((META_DATA.payload_dict as Record<string, unknown>).identifiers);
		expect(results.features[0]).toEqual({ page_number: 0, dimensions: [] });
		expect(item.json.errors).toEqual([
			{ ask_type: 'FEATURES', page_number: 1, level: 'ERROR', type: 'DRAWING_RESOLUTION_TOO_LOW', text: expect.any(String) },
		]);
		expect(String((item.json.errors as Array<{ text: string }>)[0].text).length).toBeGreaterThan(10);
	});

	it('a complete read without exceptions is ok', async () => {
		const { run } = await readWith({ onRead: fullRead(META_DATA) });
		const [[item]] = await run.run();
		expect(item.json).toMatchObject({ ok: true, pages: 1, errors: [] });
		expect(item.json).not.toHaveProperty('missing');
	});

	it('one item per message: every message simplified as the Werk24 Trigger emits it', async () => {
		const { run } = await readWith({ onRead: fullRead(META_DATA) }, { options: { output: 'message' } });
		const [items] = await run.run();
		expect(items.map((item) => item.json.message_subtype)).toEqual(['STARTED', 'META_DATA', 'COMPLETED']);
		expect(items[1].json).toMatchObject({ ask_type: 'META_DATA', ok: true, drawing_number: 'W24-4711-A' });
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('Result Encryption sends the public key; Download Result Files decrypts each payload_url into a binary field', async () => {
		const server = await startFakeStreaming({ onRead: fullRead(streamMessage('ASK', 'SHEET_IMAGES', 0, { payload_url: PNG_URL })) });
		servers.push(server);
		const credentials = { werk24Api: { token: 't', apiUrl: 'https://api.w24.co', streamingUrl: server.url }, werk24CallbackApi: SECURITY };
		const downloads: string[] = [];
		const run = createExecuteContext({
			parameters: { resource: 'drawing', operation: 'read', asks: ['SHEET_IMAGES'], resultEncryption: 'werk24CallbackApi', options: { downloadFiles: true } },
			items: [{ binary: { data: { bytes: loadDrawing('pdf') } } }],
			credentials,
			httpRequest: async (options) => {
				if (options.method === 'POST') return fullResponse(204, '');
				downloads.push(options.url);
				return fullResponse(200, encryptPackage(SECURITY.publicKey, loadDrawing('png')), { 'content-type': 'application/octet-stream' });
			},
		});
		const [[item]] = await run.run();
		expect(server.commands[1]).toEqual({ action: 'READ', message: { public_key: SECURITY.publicKey.trim() } });
		expect(downloads).toEqual([PNG_URL]);
		const entry = (item.json.results as Record<string, Array<Record<string, unknown>>>).sheet_images[0];
		expect(entry).toMatchObject({ page_number: 0, payload_url: PNG_URL, binary_field: 'sheet_images_0' });
		expect(Buffer.from(item.binary!.sheet_images_0.data, 'base64').equals(loadDrawing('png'))).toBe(true);
		// File names carry the API's 0-based page_number, like the binary field and the Trigger's files.
		expect(item.binary!.sheet_images_0.fileName).toBe('sheet_images-page-0.png');
	});

	it('several files for the same ask and page each get their own binary field and file name', async () => {
		const VIEW_URL = (n: number) => `https://payloads.example.com/r/view_images/view-${n}?X-Amz-Signature=secret`;
		const { run } = await readWith(
			{
				onRead: fullRead(
					streamMessage('ASK', 'VIEW_IMAGES', 0, { payload_url: VIEW_URL(1) }),
					streamMessage('ASK', 'VIEW_IMAGES', 0, { payload_url: VIEW_URL(2) }),
					streamMessage('ASK', 'VIEW_IMAGES', 1, { payload_url: VIEW_URL(3) }),
				),
			},
			{ asks: ['VIEW_IMAGES'], options: { downloadFiles: true } },
			{
				httpRequest: async (options) => {
					if (options.method === 'POST') return fullResponse(204, '');
					return fullResponse(200, loadDrawing(options.url === VIEW_URL(2) ? 'jpeg' : 'png'), { 'content-type': 'application/octet-stream' });
				},
			},
		);
		const [[item]] = await run.run();
		const entries = (item.json.results as Record<string, Array<Record<string, unknown>>>).view_images;
		expect(entries.map((entry) => entry.binary_field)).toEqual(['view_images_0', 'view_images_0_2', 'view_images_1']);
		expect(Object.keys(item.binary!).sort()).toEqual(['view_images_0', 'view_images_0_2', 'view_images_1']);
		expect(Buffer.from(item.binary!.view_images_0.data, 'base64').equals(loadDrawing('png'))).toBe(true);
		expect(Buffer.from(item.binary!.view_images_0_2.data, 'base64').equals(loadDrawing('jpeg'))).toBe(true);
		expect(item.binary!.view_images_0.fileName).toBe('view_images-page-0.png');
		expect(item.binary!.view_images_0_2.fileName).toBe('view_images-page-0-2.jpg');
		expect(item.binary!.view_images_1.fileName).toBe('view_images-page-1.png');
	});

	it('keeps input order and reads 2 drawings at a time by default', async () => {
		// A read is "in flight" from its upload until the server sent COMPLETED.
		let inFlight = 0;
		let maxInFlight = 0;
		const server = await startFakeStreaming({
			onRead: (socket) =>
				setTimeout(() => {
					inFlight--;
					fullRead(META_DATA)(socket);
				}, 30),
		});
		servers.push(server);
		const run = createExecuteContext({
			parameters: { resource: 'drawing', operation: 'read', asks: ['META_DATA'] },
			items: Array.from({ length: 5 }, (_, i) => ({ binary: { data: { bytes: pdfOfSize(900 + i), fileName: `d${i}.pdf` } } })),
			credentials: { werk24Api: { token: 't', apiUrl: 'https://api.w24.co', streamingUrl: server.url } },
			httpRequest: async () => {
				maxInFlight = Math.max(maxInFlight, ++inFlight);
				return fullResponse(204, '');
			},
		});
		const [items] = await run.run();
		expect(items.map((item) => item.json.file_name)).toEqual(['d0.pdf', 'd1.pdf', 'd2.pdf', 'd3.pdf', 'd4.pdf']);
		expect(maxInFlight).toBe(2);
	});

	describe('bad outcomes', () => {
		it('handshake 401 is "License token rejected" with the HTTP code', async () => {
			const { run } = await readWith({ refuse: 401 });
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toMatch(/^License token rejected/);
			expect((error as NodeApiError).httpCode).toBe('401');
			expect(error!.context.itemIndex).toBe(0);
		});

		describe('with a WebSocket that hides the refused status (like the built-in one)', () => {
			const global = globalThis as { WebSocket?: unknown };
			let installed: unknown;
			beforeAll(() => {
				installed = global.WebSocket;
				global.WebSocket = OpaqueWebSocket;
			});
			afterAll(() => {
				global.WebSocket = installed;
			});

			it('asks the API with the same token: 401 there makes it "License token rejected"', async () => {
				const { run } = await readWith({ refuse: 401 }, {}, { httpRequestWithAuthentication: async () => fullResponse(401, { message: 'Unauthorized' }) });
				const error = await failure(run);
				expect(error!.message).toBe('License token rejected — check the Werk24 API credential');
				expect((error as NodeApiError).httpCode).toBe('401');
				expect(run.httpCalls.filter((call) => call.helper === 'httpRequestWithAuthentication')).toHaveLength(1);
			});

			it('the API accepts the token: the connection problem stays the message', async () => {
				const { run } = await readWith({ refuse: 401 }, {}, { httpRequestWithAuthentication: async () => fullResponse(400, { message: 'drawing missing' }) });
				const error = await failure(run);
				expect(error!.message).toBe('The streaming connection could not be opened');
				expect(error!.description).toMatch(/Streaming URL/);
			});
		});

		it('an error frame (PRIORITY_TOO_HIGH) is a NodeApiError naming the tiers', async () => {
			const { run } = await readWith(
				{ onRead: (socket) => socket.send(JSON.stringify({ error: 'PRIORITY_TOO_HIGH', message: 'x', details: { account_tier: 'PRIO3', requested_priority: 'PRIO1' } })) },
				{ options: { priority: 'PRIO1' } },
			);
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toBe("Priority PRIO1 is above your account's tier PRIO3");
		});

		it('upload rejected with 413: drawing too large', async () => {
			const { run } = await readWith({}, {}, { httpRequest: async () => fullResponse(413, '') });
			const error = await failure(run);
			expect(error!.message).toMatch(/too large \(HTTP 413\)/);
		});

		it('socket closed before COMPLETED: lists what never arrived; continue on fail keeps what did', async () => {
			const script: StreamingScript = {
				onRead: (socket) => {
					socket.send(JSON.stringify(streamMessage('PROGRESS', 'STARTED')));
					socket.send(JSON.stringify(META_DATA), () => socket.terminate());
				},
			};
			const strict = await readWith(script, { asks: ['META_DATA', 'FEATURES'] });
			const error = await failure(strict.run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toMatch(/before COMPLETED/);
			expect(error!.description).toMatch(/Never arrived: FEATURES/);

			const lenient = await readWith(script, { asks: ['META_DATA', 'FEATURES'] }, { continueOnFail: true });
			const [[item]] = await lenient.run.run();
			expect(item.json).toMatchObject({ ok: false, missing: ['FEATURES'], drawing_number: 'W24-4711-A', http_code: null });
			expect(item.json.error).toMatch(/before COMPLETED/);
			expect(Object.keys(item.json.results as object)).toEqual(['meta_data']);
		});

		it('timeout: the message lists the missing asks', async () => {
			const { run } = await readWith(
				{ onRead: (socket) => socket.send(JSON.stringify(streamMessage('PROGRESS', 'STARTED'))) },
				{ options: { timeoutMinutes: 0.005 } },
			);
			const error = await failure(run);
			expect(error!.message).toMatch(/within the timeout/);
			expect(error!.description).toMatch(/Never arrived: META_DATA/);
		});

		it('the execution cancel signal ends the wait', async () => {
			const controller = new AbortController();
			const { run } = await readWith(
				{
					onRead: (socket) => {
						socket.send(JSON.stringify(streamMessage('PROGRESS', 'STARTED')));
						setTimeout(() => controller.abort(new Error('stopped')), 10);
					},
				},
				{},
				{ cancelSignal: controller.signal },
			);
			const error = await failure(run);
			expect(error!.message).toBe('The read was cancelled');
		});

		it('a Streaming URL that is not ws(s):// is a settings error', async () => {
			const run = createExecuteContext({
				parameters: { resource: 'drawing', operation: 'read' },
				items: [{ binary: { data: { bytes: loadDrawing('pdf') } } }],
				credentials: { werk24Api: { token: 't', apiUrl: 'https://api.w24.co', streamingUrl: 'https://ws-api.w24.co/v2' } },
			});
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toMatch(/"Streaming URL"/);
		});

		it('a result file that cannot be downloaded: fails the item; continue on fail keeps every result', async () => {
			const script: StreamingScript = { onRead: fullRead(META_DATA, streamMessage('ASK', 'SHEET_IMAGES', 0, { payload_url: PNG_URL })) };
			const expired: ExecuteContextOptions['httpRequest'] = async (options) =>
				options.method === 'POST' ? fullResponse(204, '') : fullResponse(403, '<Error><Code>AccessDenied</Code></Error>');
			const parameters = { asks: ['META_DATA', 'SHEET_IMAGES'], options: { downloadFiles: true } };

			const strict = await readWith(script, parameters, { httpRequest: expired });
			const error = await failure(strict.run);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.message).toBe('The result file could not be downloaded (HTTP 403)');

			const lenient = await readWith(script, parameters, { httpRequest: expired, continueOnFail: true });
			const [[item]] = await lenient.run.run();
			expect(item.json).toMatchObject({
				drawing_number: 'W24-4711-A',
				error: 'The result file could not be downloaded (HTTP 403)',
				http_code: '403',
			});
			const results = item.json.results as Record<string, Array<Record<string, unknown>>>;
			expect(Object.keys(results)).toEqual(['meta_data', 'sheet_images']);
			expect(results.sheet_images[0]).toMatchObject({ payload_url: PNG_URL });
			expect(item.binary).toBeUndefined();
		});

		it('Download Result Files with encryption but no private key: refused before connecting', async () => {
			// The Streaming URL leads nowhere: reaching it would end in a connection error, not this message.
			const { run } = await readWith({}, { resultEncryption: 'werk24CallbackApi', options: { downloadFiles: true } }, {
				credentials: { werk24Api: { token: 't', apiUrl: 'https://api.w24.co', streamingUrl: 'ws://127.0.0.1:9/v2' }, werk24CallbackApi: { ...SECURITY, privateKey: '' } },
			});
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toBe('Result files will be encrypted but the credential has no private key');
			expect(error!.context.itemIndex).toBe(0);
			expect(run.httpCalls).toHaveLength(0);
		});

		it('Result Encryption with a credential without public key', async () => {
			const { run } = await readWith({}, { resultEncryption: 'werk24CallbackApi' }, {
				credentials: { werk24Api: { token: 't', apiUrl: 'https://api.w24.co', streamingUrl: 'ws://127.0.0.1:9/v2' }, werk24CallbackApi: { ...SECURITY, publicKey: '' } },
			});
			const error = await failure(run);
			expect(error!.message).toBe('The Werk24 Callback Security credential has no public key');
		});
	});
});

describe('Drawing → Read and Wait checks before any socket opens', () => {
	it('a bad second drawing stops the node before the first is read (and charged)', async () => {
		const { run, server } = await readWith({}, {}, {
			items: [
				{ binary: { data: { bytes: loadDrawing('pdf'), fileName: 'flange.pdf' } } },
				{ binary: { data: { bytes: Buffer.from('PK\u0003\u0004 a zip, not a drawing'), fileName: 'part.zip' } } },
			],
		});
		const error = await failure(run);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error!.context.itemIndex).toBe(1);
		expect(server.commands).toEqual([]);
		expect(server.authorizations).toEqual([]);
	});

	it.each([0, 24 * 60 + 1, 40_000])('"Timeout (Minutes)" of %d is refused (past 24.8 days the timer would fire at once)', async (minutes) => {
		const { run, server } = await readWith({}, { options: { timeoutMinutes: minutes } });
		const error = await failure(run);
		expect(error!.message).toBe(`"Timeout (Minutes)" is ${minutes}; it must be more than 0 and at most 1440`);
		expect(server.authorizations).toEqual([]);
	});

	it('"Result Encryption" without a selected credential says which credential to select', async () => {
		const { run, server } = await readWith({}, { resultEncryption: 'werk24CallbackApi' });
		const error = await failure(run);
		expect(error!.message).toBe('"Result Encryption" needs a Werk24 Callback Security credential');
		expect(server.authorizations).toEqual([]);
	});
});

describe('Drawing → Read and Wait without a built-in WebSocket (Node.js < 22)', () => {
	it('fails with a message naming the requirement and pointing at Submit', async () => {
		const global = globalThis as { WebSocket?: unknown };
		const installed = global.WebSocket;
		delete global.WebSocket;
		try {
			const run = createExecuteContext({
				parameters: { resource: 'drawing', operation: 'read' },
				items: [{ binary: { data: { bytes: loadDrawing('pdf') } } }],
				credentials: { werk24Api: { token: 't', apiUrl: 'https://api.w24.co', streamingUrl: 'wss://ws-api.w24.co/v2' } },
			});
			const error = await failure(run);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error!.message).toBe('This n8n runs on a Node.js version without a built-in WebSocket client');
			expect(error!.description).toMatch(/Node\.js 22 or newer/);
			expect(error!.description).toMatch(/"Submit"/);
		} finally {
			global.WebSocket = installed;
		}
	});
});
