// The real sandbox posts its callbacks to Werk24 Trigger's webhook() through a loopback adapter.
import type { IBinaryData, IDataObject } from 'n8n-workflow';
import { buildReadForm, detectDrawingType, validateReadRequest, type Ask } from '../../../core';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { loadDrawing } from '../../fixtures/drawings';
import { startTriggerAdapter, type TriggerAdapter } from '../../helpers/triggerAdapter';
import { callbackCredential, PRIVATE_PEM, PUBLIC_PEM, SECRET } from './triggerFixtures';

const ASKS: Ask[] = [
	{ ask_version: 'v2', ask_type: 'META_DATA' },
	{ ask_version: 'v2', ask_type: 'FEATURES' },
	{ ask_version: 'v2', ask_type: 'SHEET_IMAGES' },
];

jest.setTimeout(60_000);

let sandbox: Sandbox | undefined;
let adapter: TriggerAdapter | undefined;

afterEach(async () => {
	await adapter?.close();
	await sandbox?.close();
	adapter = undefined;
	sandbox = undefined;
});

async function submit(target: Sandbox, callbackUrl: string, headerValue: string, publicKey: string | null): Promise<string> {
	const request = validateReadRequest({
		drawing: loadDrawing('pdf'),
		fileName: 'drawing.pdf',
		asks: ASKS,
		callbackUrl,
		callbackHeaders: { 'X-Werk24-Token': headerValue },
		publicKey,
		clientVersion: '0.1.0-n8n',
	});
	if (!request.ok) throw new Error(JSON.stringify(request.problems));
	const response = await fetch(`${target.url}/techread/read-with-callback`, {
		method: 'POST',
		headers: { authorization: `Token ${target.token}` },
		body: buildReadForm(request.value),
	});
	expect(response.status).toBe(200);
	const { request_id: requestId } = (await response.json()) as { request_id: string };
	await target.idle();
	return requestId;
}

const emitted = (calls: TriggerAdapter['calls']) =>
	calls.flatMap((call) => call.result.workflowData?.[0] ?? []).map((item) => ({ json: item.json as IDataObject, binary: item.binary }));

describe('Werk24 Trigger receives the sandbox callbacks', () => {
	it('every message of a request arrives as an item with the simplified fields; result files download', async () => {
		sandbox = await startSandbox({ callbackLatencyMs: 0, retry: { attempts: 1 } });
		adapter = await startTriggerAdapter({
			credentials: {
				werk24CallbackApi: callbackCredential(),
				werk24Api: { token: sandbox.token, apiUrl: sandbox.url },
			},
			parameters: { options: { downloadFiles: true } },
		});
		const requestId = await submit(sandbox, adapter.url, SECRET, null);

		const record = sandbox.request(requestId);
		const delivered = record?.callbacks ?? [];
		expect(delivered.length).toBeGreaterThanOrEqual(5);
		expect(delivered.every((d) => d.attempts.at(-1)?.status === 200)).toBe(true);

		const items = emitted(adapter.calls);
		expect(items.map((i) => [i.json.message_type, i.json.message_subtype, i.json.page_number])).toEqual(
			delivered.map((d) => [d.message_type, d.message_subtype, d.page_number]),
		);
		expect(items[0].json.message_subtype).toBe('STARTED');
		expect(items.at(-1)?.json.message_subtype).toBe('COMPLETED');
		for (const item of items) {
			expect(item.json).toMatchObject({ request_id: requestId, ok: expect.any(Boolean), errors: expect.any(Array) });
			expect(item.json).toHaveProperty('payload');
			expect(item.json).toHaveProperty('message');
			expect(item.json.download_error).toBeUndefined();
		}
		const asks = items.filter((i) => i.json.message_type === 'ASK');
		expect(new Set(asks.map((i) => i.json.ask_type))).toEqual(new Set(['META_DATA', 'FEATURES', 'SHEET_IMAGES']));
		const metaData = asks.find((i) => i.json.ask_type === 'META_DATA');
		expect(metaData?.json.payload).toEqual(expect.objectContaining({ ask_type: 'META_DATA' }));

		const sheets = asks.filter((i) => i.json.ask_type === 'SHEET_IMAGES');
		expect(sheets.length).toBeGreaterThan(0);
		for (const sheet of sheets) {
			const file = sheet.binary?.file as IBinaryData;
			const bytes = Buffer.from(file.data, 'base64');
			expect(detectDrawingType(bytes)?.kind).toBe('PNG');
			expect(file.mimeType).toBe('image/png');
		}
		for (const call of adapter.calls) {
			const count = call.result.workflowData?.[0].length ?? 0;
			expect(call.answer).toEqual({ received: true, emitted: count });
		}
	});

	it('a wrong secret gets 401 and starts nothing', async () => {
		sandbox = await startSandbox({ callbackLatencyMs: 0, retry: { attempts: 1 } });
		adapter = await startTriggerAdapter({ credentials: { werk24CallbackApi: callbackCredential() } });
		const requestId = await submit(sandbox, adapter.url, 'not-the-secret-0123456789', null);

		expect(adapter.calls.length).toBeGreaterThan(0);
		for (const call of adapter.calls) {
			expect(call.status).toBe(401);
			expect(call.answer).toEqual({ error: 'unauthorized' });
			expect(call.result).toEqual({ noWebhookResponse: true });
		}
		const attempts = sandbox.request(requestId)?.callbacks.flatMap((d) => d.attempts) ?? [];
		expect(attempts.length).toBe(adapter.calls.length);
		expect(attempts.every((a) => a.status === 401)).toBe(true);
	});

	it('encrypted bodies and encrypted result files are decrypted with the credential key', async () => {
		sandbox = await startSandbox({ callbackLatencyMs: 0, retry: { attempts: 1 }, encryptCallbackBodies: true });
		adapter = await startTriggerAdapter({
			credentials: {
				werk24CallbackApi: callbackCredential({ publicKey: PUBLIC_PEM, privateKey: PRIVATE_PEM }),
				werk24Api: { token: sandbox.token, apiUrl: sandbox.url },
			},
			parameters: { options: { downloadFiles: true } },
		});
		const requestId = await submit(sandbox, adapter.url, SECRET, PUBLIC_PEM);

		const delivered = sandbox.request(requestId)?.callbacks ?? [];
		expect(delivered.length).toBeGreaterThanOrEqual(5);
		expect(delivered.every((d) => d.encrypted)).toBe(true);
		expect(adapter.calls.every((c) => c.contentType === 'application/octet-stream' && c.status === 200)).toBe(true);

		const items = emitted(adapter.calls);
		expect(items).toHaveLength(delivered.length);
		const sheets = items.filter((i) => i.json.ask_type === 'SHEET_IMAGES');
		expect(sheets.length).toBeGreaterThan(0);
		for (const sheet of sheets) {
			expect(sheet.json.download_error).toBeUndefined();
			expect(String(sheet.json.payload_url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
			const file = sheet.binary?.file as IBinaryData;
			expect(detectDrawingType(Buffer.from(file.data, 'base64'))?.kind).toBe('PNG');
			expect(file.fileName).toMatch(/\.png$/);
		}
	});

	it('without the Werk24 API credential, result files on the loopback sandbox are refused', async () => {
		sandbox = await startSandbox({ callbackLatencyMs: 0, retry: { attempts: 1 } });
		adapter = await startTriggerAdapter({
			credentials: { werk24CallbackApi: callbackCredential() },
			parameters: { options: { downloadFiles: true } },
		});
		await submit(sandbox, adapter.url, SECRET, null);
		const sheets = emitted(adapter.calls).filter((i) => i.json.ask_type === 'SHEET_IMAGES');
		expect(sheets.length).toBeGreaterThan(0);
		for (const sheet of sheets) {
			expect(sheet.binary).toBeUndefined();
			expect(sheet.json.download_error).toMatch(/local or private/);
		}
	});
});
