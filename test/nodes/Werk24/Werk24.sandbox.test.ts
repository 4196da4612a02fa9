/**
 * The Werk24 node against the real sandbox on loopback: real multipart over HTTP (fetch), read back by the
 * sandbox's own parser, compared with what werk24-python sends for the same inputs.
 */
import { createHash } from 'crypto';

import { NodeApiError } from 'n8n-workflow';

import { detectDrawingType } from '../../../core';
import { werk24ApiTest } from '../../../nodes/Werk24/methods/credentialTest';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { createExecuteContext, realHttp } from '../../helpers/executeContext';
import { startReceiver, type Receiver } from '../../helpers/receiver';
import { flangePdf, submitLikeWerk24Python } from '../../sandbox/submit';
import { testKey as key } from '../../fixtures/testKeys';

const SECURITY = {
	headerName: 'X-Werk24-Token',
	secret: 'sandbox-secret-0123456789',
	publicKey: key('test-only-main.public.pem'),
	privateKey: key('test-only-main.private.pem'),
	passphrase: '',
};

interface PartRecord {
	name: string;
	filename: string | null;
	content_type: string | null;
	raw_value: string | null;
	size: number;
	sha256: string | null;
}

let sandbox: Sandbox;
let receiver: Receiver;
let api: { token: string; apiUrl: string; streamingUrl: string };

beforeAll(async () => {
	sandbox = await startSandbox({ callbackLatencyMs: 0 });
	receiver = await startReceiver();
	api = { token: sandbox.token, apiUrl: sandbox.url, streamingUrl: sandbox.streamingUrl };
});
afterAll(async () => {
	await sandbox.close();
	await receiver.close();
});

async function requestRecord(requestId: string): Promise<{ parts: PartRecord[]; fields: Record<string, unknown> }> {
	const response = await fetch(`${sandbox.url}/sandbox/requests/${requestId}`);
	expect(response.status).toBe(200);
	return (await response.json()) as { parts: PartRecord[]; fields: Record<string, unknown> };
}

function submitThroughNode(token = api.token) {
	const credentials = { werk24Api: { ...api, token }, werk24CallbackApi: SECURITY };
	return createExecuteContext({
		parameters: {
			resource: 'drawing',
			operation: 'readWithCallback',
			asks: ['META_DATA', 'SHEET_IMAGES'],
			callbackUrl: `${receiver.url}/callback`,
			callbackSecurity: 'werk24CallbackApi',
			options: { maxPages: 2, priority: 'PRIO2', clientVersion: '2.6.0' },
		},
		items: [{ binary: { data: { bytes: flangePdf(), mimeType: 'application/pdf', fileName: 'drawing.pdf' } } }],
		credentials,
		...realHttp(credentials),
	});
}

describe('Werk24 node × sandbox', () => {
	let requestId: string;

	it('Submit: the sandbox receives every part exactly as werk24-python sends it, with secret header and public key', async () => {
		const [[item]] = await submitThroughNode().run();
		requestId = String(item.json.request_id);
		expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

		const python = await submitLikeWerk24Python(sandbox.url, sandbox.token, {
			drawing: flangePdf(),
			asks: [
				{ ask_version: 'v2', ask_type: 'META_DATA' },
				{ ask_version: 'v2', ask_type: 'SHEET_IMAGES' },
			],
			callback_url: `${receiver.url}/callback`,
			callback_headers: { [SECURITY.headerName]: SECURITY.secret },
			max_pages: 2,
			public_key: SECURITY.publicKey.trim(),
			priority: 'PRIO2',
		});
		expect(python.status).toBe(200);

		const ours = await requestRecord(requestId);
		const reference = await requestRecord(String(python.body.request_id));
		expect(ours.parts.map((p) => p.name)).toEqual(reference.parts.map((p) => p.name));
		for (const [index, part] of ours.parts.entries()) {
			const expected = reference.parts[index];
			if (part.name === 'drawing') {
				expect({ filename: part.filename, size: part.size, sha256: part.sha256 }).toEqual({
					filename: expected.filename,
					size: expected.size,
					sha256: expected.sha256,
				});
				expect(part.sha256).toBe(createHash('sha256').update(flangePdf()).digest('hex'));
			} else {
				expect({ name: part.name, raw: part.raw_value }).toEqual({ name: expected.name, raw: expected.raw_value });
			}
		}
		expect(ours.fields.callback_headers).toEqual({ 'X-Werk24-Token': SECURITY.secret });
		expect(ours.fields.public_key).toBe(SECURITY.publicKey.trim());
	});

	it('the callbacks carry the secret header, and Download File decrypts a sandbox artefact', async () => {
		const withFile = await receiver.waitUntil(
			(request) => (request.json as { request_id?: string; payload_url?: string } | undefined)?.request_id === requestId && Boolean((request.json as { payload_url?: string }).payload_url),
			10_000,
		);
		expect(withFile.headers['x-werk24-token']).toBe(SECURITY.secret);
		const message = withFile.json as { payload_url: string };

		const credentials = { werk24Api: api, werk24CallbackApi: SECURITY };
		const downloadRun = (decrypt: string) =>
			createExecuteContext({
				parameters: { resource: 'result', operation: 'downloadFile', decrypt },
				items: [{ json: message as never }],
				credentials,
				...realHttp(credentials),
			}).run();

		const [[decrypted]] = await downloadRun('auto');
		const plain = Buffer.from(decrypted.binary!.file.data, 'base64');
		expect(detectDrawingType(plain)?.kind).toBe('PNG');
		expect(decrypted.json).toMatchObject({ decrypted: true, mime_type: 'image/png', size_bytes: plain.length });

		const [[raw]] = await downloadRun('no');
		const bytes = Buffer.from(raw.binary!.file.data, 'base64');
		expect(detectDrawingType(bytes)).toBeNull();
		expect(bytes.length).toBe(256 + 12 + 16 + plain.length);
	});

	it('Get Status returns the sandbox SystemStatus', async () => {
		const credentials = { werk24Api: api };
		const [[item]] = await createExecuteContext({
			parameters: { resource: 'service', operation: 'getStatus' },
			credentials,
			...realHttp(credentials),
		}).run();
		expect(item.json).toMatchObject({ status_indicator: 'ok' });
	});

	it('a wrong token: 401 mapped to "License token rejected", sent once', async () => {
		const run = submitThroughNode('not-the-token');
		const error = await run.run().then(
			() => undefined,
			(thrown: unknown) => thrown,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('401');
		expect((error as NodeApiError).message).toMatch(/License token rejected/);
		expect(run.httpCalls).toHaveLength(1);
	});

	it('the credential test: the sandbox token is accepted, another is rejected', async () => {
		const test = (token: string) =>
			werk24ApiTest.call({} as never, { id: '1', name: 'c', type: 'werk24Api', data: { token, apiUrl: sandbox.url } });
		expect(await test(sandbox.token)).toEqual({ status: 'OK', message: 'License token accepted' });
		expect((await test('wrong-token')).message).toMatch(/^License token rejected/);
	});
});
