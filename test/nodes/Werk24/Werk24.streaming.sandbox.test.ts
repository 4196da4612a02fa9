/**
 * Read and Wait against the sandbox's streaming /v2 endpoint over loopback: the real protocol, the real
 * presigned upload (fetch), every bad outcome the sandbox can inject. `ws` stands in for the global
 * WebSocket of Node ≥ 22 (jest runs on Node 20); the e2e suite exercises the real global in n8n.
 */
import { NodeApiError, type INodeParameters } from 'n8n-workflow';

import { detectDrawingType } from '../../../core';
import { werk24ApiTest } from '../../../nodes/Werk24/methods/credentialTest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../sandbox/server';
import { createExecuteContext, realHttp, type ExecuteContextOptions } from '../../helpers/executeContext';
import { useWsAsGlobalWebSocket } from '../../helpers/fakeStreaming';
import { bushingPng, flangePdf } from '../../sandbox/submit';
import { testKey as key } from '../../fixtures/testKeys';

useWsAsGlobalWebSocket();

const SECURITY = {
	headerName: 'X-Werk24-Token',
	secret: 'sandbox-secret-0123456789',
	publicKey: key('test-only-main.public.pem'),
	privateKey: key('test-only-main.private.pem'),
	passphrase: '',
};

const sandboxes: Sandbox[] = [];
afterAll(async () => {
	await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
});

async function sandboxWith(options: SandboxOptions = {}): Promise<Sandbox> {
	const sandbox = await startSandbox({ callbackLatencyMs: 0, ...options });
	sandboxes.push(sandbox);
	return sandbox;
}

function readThroughNode(sandbox: Sandbox, parameters: INodeParameters, overrides: Partial<ExecuteContextOptions> & { token?: string } = {}) {
	const credentials = {
		werk24Api: { token: overrides.token ?? sandbox.token, apiUrl: sandbox.url, streamingUrl: sandbox.streamingUrl },
		werk24CallbackApi: SECURITY,
	};
	return createExecuteContext({
		parameters: { resource: 'drawing', operation: 'read', ...parameters },
		items: [{ binary: { data: { bytes: flangePdf(), mimeType: 'application/pdf', fileName: 'flange.pdf' } } }],
		credentials,
		...realHttp(credentials),
		...overrides,
	});
}

async function failure(run: { run(): Promise<unknown> }): Promise<NodeApiError> {
	const error = await run.run().then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}

describe('Read and Wait × sandbox /v2', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await sandboxWith();
	});

	it('reads a two-page drawing: one item with every ask grouped per page, in the same execution', async () => {
		const [[item]] = await readThroughNode(sandbox, { asks: ['META_DATA', 'FEATURES', 'SHEET_IMAGES'] }).run();
		expect(item.json).toMatchObject({ ok: true, file_name: 'flange.pdf', pages: 2, errors: [] });
		const results = item.json.results as Record<string, Array<Record<string, unknown>>>;
		expect(Object.keys(results).sort()).toEqual(['features', 'meta_data', 'sheet_images']);
		expect(results.meta_data.map((entry) => entry.page_number)).toEqual([0, 1]);
		expect(results.sheet_images.every((entry) => typeof entry.payload_url === 'string')).toBe(true);
		expect(typeof item.json.drawing_number).toBe('string');

		const record = sandbox.request(String(item.json.request_id))!;
		expect(record.flow).toBe('streaming');
		expect(record.drawing).toMatchObject({ filename: 'flange.pdf', kind: 'PDF', pages: 2 });
	});

	it('one item per message, like the Werk24 Trigger', async () => {
		const [items] = await readThroughNode(sandbox, { asks: ['META_DATA'], options: { output: 'message' } }).run();
		const subtypes = items.map((item) => item.json.message_subtype);
		expect(subtypes[0]).toBe('STARTED');
		expect(subtypes[subtypes.length - 1]).toBe('COMPLETED');
		expect(subtypes.filter((subtype) => subtype === 'META_DATA')).toHaveLength(2);
	});

	it('Result Encryption + Download Result Files: the sandbox encrypts with our public key, the node decrypts', async () => {
		const run = readThroughNode(sandbox, {
			asks: ['SHEET_IMAGES'],
			resultEncryption: 'werk24CallbackApi',
			options: { downloadFiles: true, maxPages: 1 },
		});
		const [[item]] = await run.run();
		const record = sandbox.request(String(item.json.request_id))!;
		expect((record.fields.read as Record<string, unknown>).public_key).toBe(SECURITY.publicKey.trim());
		const binary = item.binary!.sheet_images_0;
		expect(detectDrawingType(Buffer.from(binary.data, 'base64'))?.kind).toBe('PNG');
	});

	it('a PNG drawing works as well', async () => {
		const run = readThroughNode(sandbox, { asks: ['META_DATA'] }, { items: [{ binary: { data: { bytes: bushingPng(), fileName: 'bushing.png' } } }] });
		const [[item]] = await run.run();
		expect(item.json).toMatchObject({ ok: true, pages: 1 });
	});

	it('a wrong token: the handshake is refused with 401, "License token rejected"', async () => {
		const error = await failure(readThroughNode(sandbox, { asks: ['META_DATA'] }, { token: 'wrong-token' }));
		expect(error.message).toMatch(/^License token rejected/);
		expect(error.httpCode).toBe('401');
	});

	it('the credential test opens the handshake: accepted, and a wrong token rejected', async () => {
		const test = (token: string) =>
			werk24ApiTest.call({} as never, { id: '1', name: 'c', type: 'werk24Api', data: { token, apiUrl: sandbox.url, streamingUrl: sandbox.streamingUrl } });
		expect(await test(sandbox.token)).toEqual({ status: 'OK', message: 'License token accepted (API and streaming connection)' });
		expect((await test('wrong-token')).message).toMatch(/^License token rejected/);
	});
});

describe('Read and Wait × sandbox /v2 — faults and refusals', () => {
	it('PRIORITY_TOO_HIGH above the account tier', async () => {
		const sandbox = await sandboxWith({ accountTier: 'PRIO2' });
		const error = await failure(readThroughNode(sandbox, { asks: ['META_DATA'], options: { priority: 'PRIO1' } }));
		expect(error.message).toBe("Priority PRIO1 is above your account's tier PRIO2");
	});

	it('the server public key: the upload is encrypted and still read', async () => {
		const sandbox = await sandboxWith({ serverPublicKey: true });
		const [[item]] = await readThroughNode(sandbox, { asks: ['META_DATA'] }).run();
		expect(item.json).toMatchObject({ ok: true, pages: 2 });
		expect(sandbox.request(String(item.json.request_id))!.faults.join(' ')).not.toMatch(/not encrypted/);
	});

	it('upload rejected: "drawing too large", as werk24-python maps it', async () => {
		const sandbox = await sandboxWith({ faults: { rejectUpload: 1 } });
		const error = await failure(readThroughNode(sandbox, { asks: ['META_DATA'] }));
		expect(error.message).toMatch(/too large \(HTTP 400\)/);
	});

	it('socket dropped mid-stream: lists what never arrived; Continue On Fail keeps what did', async () => {
		const sandbox = await sandboxWith({ faults: { dropSocket: 1 }, seed: 7 });
		const parameters = { asks: ['META_DATA', 'FEATURES'] };
		const error = await failure(readThroughNode(sandbox, parameters));
		expect(error.message).toMatch(/before COMPLETED/);
		expect(error.description).toMatch(/message\(s\) arrived/);

		const [[item]] = await readThroughNode(sandbox, parameters, { continueOnFail: true }).run();
		expect(item.json.ok).toBe(false);
		expect(item.json.error).toMatch(/before COMPLETED/);
		expect(Array.isArray(item.json.missing)).toBe(true);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('ERROR/INTERNAL mid-stream: the node reports the internal error, not "closed the connection"; Continue On Fail keeps what arrived', async () => {
		const sandbox = await sandboxWith({ faults: { internalError: 1 }, seed: 7 });
		const parameters = { asks: ['META_DATA', 'FEATURES'] };
		const error = await failure(readThroughNode(sandbox, parameters));
		expect(error.message).toBe('Werk24 reported an internal error while reading the drawing (ERROR/INTERNAL)');
		expect(error.message).not.toMatch(/closed the connection/);
		expect(error.description).toMatch(/Run the node again later; if it keeps happening, contact Werk24 support with the request ID [0-9a-f-]{36}\.$/);

		const [[item]] = await readThroughNode(sandbox, parameters, { continueOnFail: true }).run();
		expect(item.json).toMatchObject({ ok: false, error: 'Werk24 reported an internal error while reading the drawing (ERROR/INTERNAL)' });
		expect(item.json.errors).toContainEqual(expect.objectContaining({ level: 'ERROR', type: 'INTERNAL' }));
		expect(Array.isArray(item.json.missing)).toBe(true);
		expect(sandbox.request(String(item.json.request_id))!.faults.some((fault) => fault.startsWith('internalError'))).toBe(true);
	});

	it('slow asks beyond the timeout: the timeout error lists the missing asks', async () => {
		const sandbox = await sandboxWith({ faults: { slow: 1 }, slowMs: 5000 });
		const error = await failure(readThroughNode(sandbox, { asks: ['META_DATA'], options: { timeoutMinutes: 0.01 } }));
		expect(error.message).toMatch(/within the timeout/);
		expect(error.description).toMatch(/Never arrived: META_DATA/);
	});
});
