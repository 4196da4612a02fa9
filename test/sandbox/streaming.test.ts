import { PNG } from 'pngjs';
import WebSocket from 'ws';
import {
	decryptPackage,
	encryptPackage,
	generateKeyPair,
	parseMessage,
	readDrawingStreaming,
	type Ask,
	type TechreadMessage,
	type WebSocketConstructor,
} from '../../core';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { startReceiver } from '../helpers/receiver';
import { StreamingTestClient, uploadDrawing, type PresignedPost } from './streamingClient';
import { bushingPng, flangePdf, submitLikeNodeExample, v2 } from './submit';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ callbackLatencyMs: 0 });
});
afterAll(async () => {
	await sandbox.close();
});

const INITIALIZE = (asks: unknown[] = [v2('META_DATA'), v2('FEATURES')], maxPages = 5) => ({
	action: 'INITIALIZE',
	message: { asks, client_version: '2.6.0', max_pages: maxPages },
});

function parsed(frame: { json: unknown }): TechreadMessage {
	const result = parseMessage(frame.json);
	if (!result.ok) throw new Error(`frame failed parseMessage: ${JSON.stringify(result.problems)}`);
	return result.value;
}

/** INITIALIZE and wait for INITIALIZATION_SUCCESS; returns the client and the init payload. */
async function initialize(target: Sandbox, asks?: unknown[], maxPages?: number) {
	const client = await StreamingTestClient.connect(target.streamingUrl, target.token);
	client.send(INITIALIZE(asks, maxPages));
	const [frame] = await client.waitForFrames(1);
	const init = parsed(frame);
	expect(init).toMatchObject({ message_type: 'PROGRESS', message_subtype: 'INITIALIZATION_SUCCESS' });
	const payload = init.payload_dict as { exceptions: unknown[]; drawing_presigned_post: PresignedPost; model_presigned_post: unknown; public_key: string | null };
	return { client, init, payload };
}

const subtypes = (frames: Array<{ json: unknown }>) => frames.map((f) => parsed(f)).map((m) => `${m.message_type}/${m.message_subtype}/${m.page_number}`);

async function withSandbox<T>(options: SandboxOptions, run: (s: Sandbox) => Promise<T>): Promise<T> {
	const other = await startSandbox({ callbackLatencyMs: 0, ...options });
	try {
		return await run(other);
	} finally {
		await other.close();
	}
}

describe('streaming /v2: INITIALIZE → upload → READ', () => {
	it('streams STARTED, each ask per page and COMPLETED, then closes; same results as the callback flow', async () => {
		const { client, init, payload } = await initialize(sandbox);
		expect(payload.exceptions).toEqual([]);
		expect(payload.model_presigned_post).toBeNull();
		expect(payload.public_key).toBeNull();
		expect(Object.keys(payload.drawing_presigned_post.fields)).toEqual(expect.arrayContaining(['key', 'policy', 'x-amz-signature']));
		expect(payload.drawing_presigned_post.url.startsWith(sandbox.url)).toBe(true);

		expect((await uploadDrawing(payload.drawing_presigned_post, flangePdf())).status).toBe(204);
		client.send({ action: 'READ', message: {} });
		const frames = await client.waitForClose();
		expect(client.closeCode).toBe(1000);
		expect(subtypes(frames.slice(1))).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'ASK/META_DATA/1', 'ASK/FEATURES/0', 'ASK/FEATURES/1', 'PROGRESS/COMPLETED/0']);
		expect(new Set(frames.map((f) => parsed(f).request_id))).toEqual(new Set([init.request_id]));

		// The same drawing through read-with-callback gives the same payloads.
		const receiver = await startReceiver();
		try {
			await submitLikeNodeExample(sandbox.url, sandbox.token, { drawing: flangePdf(), asks: [v2('META_DATA'), v2('FEATURES')], callback_url: receiver.url });
			await sandbox.idle();
			const viaCallback = receiver.requests.map((r) => r.json as TechreadMessage).filter((m) => m.message_type === 'ASK');
			expect(frames.slice(2, 6).map((f) => parsed(f).payload_dict)).toEqual(viaCallback.map((m) => m.payload_dict));
		} finally {
			await receiver.close();
		}

		const log = sandbox.request(init.request_id)!;
		expect(log.flow).toBe('streaming');
		expect(log.fields).toMatchObject({ client_version: '2.6.0', max_pages: 5 });
		expect(log.frames).toHaveLength(7);
		expect(log.drawing).toMatchObject({ kind: 'PDF', pages: 2 });
	});

	it('accepts READ with the message as the string "{}" (the JS client) and honours max_pages', async () => {
		const { client, payload } = await initialize(sandbox, [v2('META_DATA')], 1);
		await uploadDrawing(payload.drawing_presigned_post, flangePdf());
		client.send({ action: 'READ', message: '{}' });
		expect(subtypes((await client.waitForClose()).slice(1))).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'PROGRESS/COMPLETED/0']);
	});

	it('encrypts payload_url downloads for the public_key sent with READ', async () => {
		const keys = generateKeyPair({ modulusLength: 2048 });
		const { client, payload } = await initialize(sandbox, [v2('SHEET_IMAGES')]);
		await uploadDrawing(payload.drawing_presigned_post, bushingPng());
		client.send({ action: 'READ', message: { public_key: keys.publicKey } });
		const frames = await client.waitForClose();
		const sheet = parsed(frames[2]);
		const download = Buffer.from(await (await fetch(sheet.payload_url!)).arrayBuffer());
		const plain = decryptPackage(keys.privateKey, download);
		if (!plain.ok) throw new Error(JSON.stringify(plain.problems));
		expect(PNG.sync.read(plain.value).width).toBeGreaterThan(100);
	});

	it('refuses a bad INITIALIZE through TechreadInitResponse.exceptions and closes', async () => {
		const client = await StreamingTestClient.connect(sandbox.streamingUrl, sandbox.token);
		client.send(INITIALIZE([{ ask_version: 'v2', ask_type: 'NOT_AN_ASK' }]));
		const frames = await client.waitForClose();
		expect(frames).toHaveLength(1);
		expect((parsed(frames[0]).payload_dict as { exceptions: unknown[] }).exceptions).toEqual([{ exception_level: 'ERROR', exception_type: 'CONFIGURATION_INCORRECT' }]);
	});

	it('answers READ before the upload with an error frame', async () => {
		const { client } = await initialize(sandbox);
		client.send({ action: 'READ', message: {} });
		const frames = await client.waitForClose();
		expect(frames[1].json).toMatchObject({ error: 'DRAWING_NOT_UPLOADED' });
	});
});

describe('streaming /v2: auth and error frames', () => {
	it('refuses the upgrade with 401 for a wrong or missing token', async () => {
		await expect(StreamingTestClient.connect(sandbox.streamingUrl, 'wrong')).rejects.toMatchObject({ status: 401 });
		await expect(StreamingTestClient.connect(sandbox.streamingUrl, null)).rejects.toMatchObject({ status: 401 });
		await expect(StreamingTestClient.connect(sandbox.streamingUrl.replace('/v2', '/v1'), sandbox.token)).rejects.toMatchObject({ status: 404 });
		expect((await fetch(`${sandbox.url}/v2`)).status).toBe(426);
	});

	it('PRIORITY_TOO_HIGH when READ asks for PRIO1 on a PRIO2 account; PRIO2 itself is fine', async () => {
		await withSandbox({ accountTier: 'PRIO2' }, async (tiered) => {
			const { client, payload } = await initialize(tiered, [v2('META_DATA')]);
			await uploadDrawing(payload.drawing_presigned_post, bushingPng());
			client.send({ action: 'READ', message: { priority: 'PRIO1' } });
			const frames = await client.waitForClose();
			expect(frames[1].json).toEqual({
				error: 'PRIORITY_TOO_HIGH',
				message: 'Requested priority PRIO1 exceeds account tier PRIO2',
				details: { account_tier: 'PRIO2', requested_priority: 'PRIO1' },
			});
			const ok = await initialize(tiered, [v2('META_DATA')]);
			await uploadDrawing(ok.payload.drawing_presigned_post, bushingPng());
			ok.client.send({ action: 'READ', message: { priority: 'prio2' } });
			expect(subtypes((await ok.client.waitForClose()).slice(1))).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'PROGRESS/COMPLETED/0']);
		});
	});

	it('INVALID_PRIORITY for an unknown priority', async () => {
		const { client, payload } = await initialize(sandbox, [v2('META_DATA')]);
		await uploadDrawing(payload.drawing_presigned_post, bushingPng());
		client.send({ action: 'READ', message: { priority: 'URGENT' } });
		expect((await client.waitForClose())[1].json).toMatchObject({ error: 'INVALID_PRIORITY', details: { priority: 'URGENT' } });
	});

	it('{"message":"Forbidden"} for frames it cannot route, and the socket stays usable', async () => {
		const client = await StreamingTestClient.connect(sandbox.streamingUrl, sandbox.token);
		client.send({ action: 'DANCE' });
		client.send('not json at all');
		const frames = await client.waitForFrames(2);
		expect(frames.map((f) => f.json.message)).toEqual(['Forbidden', 'Forbidden']);
		client.send(INITIALIZE());
		const [, , init] = await client.waitForFrames(3);
		expect(parsed(init).message_subtype).toBe('INITIALIZATION_SUCCESS');
		client.close();
	});
});

describe('streaming /v2: the presigned upload', () => {
	it('checks every field: missing or changed → 403; unknown URL → 403; a second upload → 403', async () => {
		const { client, payload } = await initialize(sandbox);
		const post = payload.drawing_presigned_post;
		const withoutPolicy = Object.fromEntries(Object.entries(post.fields).filter(([name]) => name !== 'policy'));
		expect((await uploadDrawing(post, bushingPng(), withoutPolicy)).status).toBe(403);
		expect((await uploadDrawing(post, bushingPng(), { ...post.fields, key: 'someone-else/drawing' })).status).toBe(403);
		expect((await uploadDrawing({ ...post, url: `${sandbox.url}/uploads/guessed` }, bushingPng())).status).toBe(403);
		expect((await uploadDrawing(post, bushingPng())).status).toBe(204);
		expect((await uploadDrawing(post, bushingPng())).status).toBe(403);
		client.close();
	});

	it('rejects a drawing over 10 MB with 413', async () => {
		const { client, payload } = await initialize(sandbox);
		expect((await uploadDrawing(payload.drawing_presigned_post, Buffer.alloc(11 * 1024 * 1024, 7))).status).toBe(413);
		client.close();
	});

	it('with a server public key: hands out the PEM, decrypts an encrypted upload, and cannot read a plain one', async () => {
		await withSandbox({ serverPublicKey: true }, async (secure) => {
			const { client, payload } = await initialize(secure, [v2('META_DATA')]);
			expect(payload.public_key).toMatch(/^-----BEGIN PUBLIC KEY-----/);
			await uploadDrawing(payload.drawing_presigned_post, encryptPackage(payload.public_key!, bushingPng()));
			client.send({ action: 'READ', message: {} });
			const frames = await client.waitForClose();
			expect(parsed(frames[2]).exceptions).toEqual([]);
			expect((parsed(frames[2]).payload_dict as { identifiers: Array<{ value: string }> }).identifiers[0].value).toBe('W24-SBX-2001');

			const plain = await initialize(secure, [v2('META_DATA')]);
			await uploadDrawing(plain.payload.drawing_presigned_post, bushingPng());
			plain.client.send({ action: 'READ', message: {} });
			const refused = await plain.client.waitForClose();
			expect(parsed(refused[2]).exceptions).toEqual([{ exception_level: 'ERROR', exception_type: 'DRAWING_CONTENT_NOT_UNDERSTOOD' }]);
		});
	});
});

describe('streaming /v2: fault injection', () => {
	it('rejectUpload: the upload is answered 400', async () => {
		await withSandbox({ faults: { rejectUpload: 1 } }, async (flaky) => {
			const { client, payload } = await initialize(flaky);
			expect((await uploadDrawing(payload.drawing_presigned_post, bushingPng())).status).toBe(400);
			client.close();
		});
	});

	it('dropSocket: the connection drops before COMPLETED, without a close frame', async () => {
		await withSandbox({ faults: { dropSocket: 1 } }, async (flaky) => {
			const { client, init, payload } = await initialize(flaky, [v2('META_DATA'), v2('FEATURES'), v2('INSIGHTS')]);
			await uploadDrawing(payload.drawing_presigned_post, flangePdf());
			client.send({ action: 'READ', message: {} });
			const frames = await client.waitForClose();
			expect(client.closeCode).toBe(1006);
			expect(subtypes(frames)).not.toContain('PROGRESS/COMPLETED/0');
			expect(flaky.request(init.request_id)!.faults.some((f) => f.startsWith('dropSocket'))).toBe(true);
		});
	});

	it('internalError: ERROR/INTERNAL part-way instead of COMPLETED, then a clean close', async () => {
		await withSandbox({ faults: { internalError: 1 } }, async (flaky) => {
			const { client, init, payload } = await initialize(flaky, [v2('META_DATA'), v2('FEATURES')]);
			await uploadDrawing(payload.drawing_presigned_post, flangePdf());
			client.send({ action: 'READ', message: {} });
			const frames = subtypes((await client.waitForClose()).slice(1));
			expect(client.closeCode).toBe(1000);
			expect(frames[0]).toBe('PROGRESS/STARTED/0');
			expect(frames[frames.length - 1]).toBe('ERROR/INTERNAL/0');
			expect(frames).not.toContain('PROGRESS/COMPLETED/0');
			expect(flaky.request(init.request_id)!.faults.some((f) => f.startsWith('internalError'))).toBe(true);
		});
	});

	it('internalError through readDrawingStreaming: the internal error is reported, not "closed the connection", and what arrived is kept', async () => {
		await withSandbox({ faults: { internalError: 1 } }, async (flaky) => {
			const outcome = await readDrawingStreaming(
				{
					streamingUrl: flaky.streamingUrl,
					token: flaky.token,
					drawing: flangePdf(),
					fileName: 'flange.pdf',
					asks: [v2('META_DATA'), v2('FEATURES')] as Ask[],
					maxPages: 5,
					clientVersion: '2.6.0',
				},
				{
					WebSocket: WebSocket as unknown as WebSocketConstructor,
					upload: async (url, form) => (await fetch(url, { method: 'POST', body: form })).status,
					signal: AbortSignal.timeout(10_000),
				},
			);
			expect(outcome.completed).toBe(false);
			expect(outcome.error).toMatchObject({ kind: 'service', retryable: true });
			expect(outcome.error!.title).toBe('Werk24 reported an internal error while reading the drawing (ERROR/INTERNAL)');
			expect(outcome.error!.title).not.toMatch(/closed the connection/);
			expect(outcome.error!.hint).toMatch(new RegExp(`contact Werk24 support with the request ID ${outcome.requestId}\\.$`));
			const kinds = outcome.messages.map((m) => `${m.message_type}/${m.message_subtype}`);
			expect(kinds[0]).toBe('PROGRESS/STARTED');
			expect(kinds[kinds.length - 1]).toBe('ERROR/INTERNAL');
			expect(flaky.request(outcome.requestId!)!.faults.some((f) => f.startsWith('internalError'))).toBe(true);
		});
	});

	it('slow: each message waits slowMs longer and the log says so', async () => {
		await withSandbox({ faults: { slow: 1 }, slowMs: 30 }, async (flaky) => {
			const { client, init, payload } = await initialize(flaky, [v2('META_DATA')]);
			await uploadDrawing(payload.drawing_presigned_post, bushingPng());
			client.send({ action: 'READ', message: {} });
			expect(subtypes((await client.waitForClose()).slice(1))).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'PROGRESS/COMPLETED/0']);
			expect(flaky.request(init.request_id)!.faults.filter((f) => f.startsWith('slow'))).toHaveLength(3);
		});
	});
});
