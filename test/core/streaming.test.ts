import WebSocket from 'ws';

import {
	decryptPackage,
	describeException,
	missingResults,
	readDrawingStreaming,
	type StreamingReadRequest,
	type WebSocketConstructor,
} from '../../core';
import { loadDrawing } from '../fixtures/drawings';
import { startFakeStreaming as fakeServer, streamMessage as message, STREAM_REQUEST_ID as REQUEST_ID } from '../helpers/fakeStreaming';
import { testKey as key } from '../fixtures/testKeys';

const WS = WebSocket as unknown as WebSocketConstructor;

function recordingUpload(status = 204) {
	const uploads: Array<{ url: string; names: string[]; fields: Record<string, string>; file: Buffer; fileName: string }> = [];
	const upload = async (url: string, form: FormData) => {
		const names: string[] = [];
		const fields: Record<string, string> = {};
		let file = Buffer.alloc(0);
		let fileName = '';
		const entries: Array<[string, FormDataEntryValue]> = [];
		form.forEach((value, name) => entries.push([name, value]));
		for (const [name, value] of entries) {
			names.push(name);
			if (typeof value === 'string') fields[name] = value;
			else {
				file = Buffer.from(await value.arrayBuffer());
				fileName = (value as File).name;
			}
		}
		uploads.push({ url, names, fields, file, fileName });
		return status;
	};
	return { upload, uploads };
}

const baseRequest = (url: string): StreamingReadRequest => ({
	streamingUrl: url,
	token: 'stream-token',
	drawing: loadDrawing('pdf'),
	fileName: 'flange.pdf',
	asks: [{ ask_version: 'v2', ask_type: 'META_DATA' }],
	maxPages: 3,
	clientVersion: '0.1.0-n8n',
});

describe('readDrawingStreaming', () => {
	it('INITIALIZE → presigned upload (fields, then the file) → READ → messages until COMPLETED', async () => {
		const server = await fakeServer({ uploadUrl: 'http://uploads.test/' });
		const { upload, uploads } = recordingUpload();
		const seen: string[] = [];
		const outcome = await readDrawingStreaming(baseRequest(server.url), {
			WebSocket: WS,
			upload,
			onMessage: (m) => seen.push(m.message_subtype),
		});
		await server.close();

		expect(server.authorizations).toEqual(['Token stream-token']);
		expect(server.commands).toEqual([
			{ action: 'INITIALIZE', message: { asks: [{ ask_version: 'v2', ask_type: 'META_DATA' }], client_version: '0.1.0-n8n', max_pages: 3 } },
			{ action: 'READ', message: {} },
		]);
		expect(uploads).toHaveLength(1);
		expect(uploads[0]).toMatchObject({
			url: 'http://uploads.test/',
			names: ['key', 'policy', 'file'],
			fields: { key: `${REQUEST_ID}/drawing`, policy: 'cG9saWN5' },
			fileName: 'flange.pdf',
		});
		expect(uploads[0].file.equals(loadDrawing('pdf'))).toBe(true);
		expect(outcome).toMatchObject({ requestId: REQUEST_ID, completed: true, error: null, missing: [], uploadEncrypted: false });
		expect(outcome.messages.map((m) => m.message_subtype)).toEqual(['STARTED', 'META_DATA', 'COMPLETED']);
		expect(seen).toEqual(['STARTED', 'META_DATA', 'COMPLETED']);
	});

	it('sends public_key and priority in READ only when set', async () => {
		const server = await fakeServer();
		const publicKey = key('test-only-main.public.pem');
		await readDrawingStreaming({ ...baseRequest(server.url), publicKey, priority: 'PRIO2' }, { WebSocket: WS, upload: recordingUpload().upload });
		await server.close();
		expect(server.commands[1]).toEqual({ action: 'READ', message: { public_key: publicKey, priority: 'PRIO2' } });
	});

	it('encrypts the upload with the server public key when INITIALIZATION_SUCCESS has one', async () => {
		const server = await fakeServer({ serverPublicKey: key('test-only-main.public.pem') });
		const { upload, uploads } = recordingUpload();
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload });
		await server.close();
		expect(outcome.uploadEncrypted).toBe(true);
		const plain = decryptPackage(key('test-only-main.private.pem'), uploads[0].file);
		expect(plain.ok && plain.value.equals(loadDrawing('pdf'))).toBe(true);
	});

	it.each([401, 403])('a handshake refused with %i is "License token rejected"', async (status) => {
		const server = await fakeServer({ refuse: status });
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload: recordingUpload().upload });
		await server.close();
		expect(outcome.completed).toBe(false);
		expect(outcome.error).toMatchObject({ kind: 'unauthorized', status });
		expect(outcome.error!.title).toMatch(/^License token rejected/);
	});

	it('an unreachable streaming URL is a network error', async () => {
		const server = await fakeServer();
		await server.close();
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload: recordingUpload().upload });
		expect(outcome.error).toMatchObject({ kind: 'network' });
		expect(outcome.error!.hint).toMatch(/Streaming URL/);
		// Regression: "connect ECONNREFUSED 127.0.0.1:…" was read as "(HTTP 127)".
		expect(outcome.error!.status).toBe(0);
		expect(outcome.error!.title).not.toMatch(/HTTP/);
	});

	it.each([
		[{ error: 'PRIORITY_TOO_HIGH', message: 'too high', details: { account_tier: 'PRIO2', requested_priority: 'PRIO1' } }, 'unauthorized', /Priority PRIO1 is above your account's tier PRIO2/],
		[{ error: 'INVALID_PRIORITY', message: 'bad', details: { priority: 'PRIO9' } }, 'bad_request', /"PRIO9"/],
		[{ message: 'Forbidden' }, 'unauthorized', /^License token rejected/],
	])('error frame %j', async (frame, kind, title) => {
		const server = await fakeServer({ onRead: (socket) => socket.send(JSON.stringify(frame)) });
		const outcome = await readDrawingStreaming({ ...baseRequest(server.url), priority: 'PRIO1' }, { WebSocket: WS, upload: recordingUpload().upload });
		await server.close();
		expect(outcome.error).toMatchObject({ kind });
		expect(outcome.error!.title).toMatch(title);
	});

	it('INITIALIZATION_SUCCESS with exceptions fails before any upload', async () => {
		const { upload, uploads } = recordingUpload();
		const server = await fakeServer({
			onInitialize: (socket) =>
				socket.send(
					JSON.stringify(
						message('PROGRESS', 'INITIALIZATION_SUCCESS', 0, {
							payload_dict: { exceptions: [{ exception_level: 'ERROR', exception_type: 'CONFIGURATION_INCORRECT' }], drawing_presigned_post: null },
						}),
					),
				),
		});
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload });
		await server.close();
		expect(outcome.error).toMatchObject({ kind: 'bad_request' });
		expect(outcome.error!.title).toMatch(/CONFIGURATION_INCORRECT/);
		expect(uploads).toHaveLength(0);
	});

	it.each([400, 413])('an upload rejected with %i reads as "drawing too large" (as werk24-python maps it)', async (status) => {
		const server = await fakeServer();
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload: recordingUpload(status).upload });
		await server.close();
		expect(outcome.error).toMatchObject({ kind: 'too_large', status });
		expect(server.commands.map((c) => c.action)).toEqual(['INITIALIZE']);
	});

	it('an upload that never reaches the server is a network error', async () => {
		const server = await fakeServer();
		const outcome = await readDrawingStreaming(baseRequest(server.url), {
			WebSocket: WS,
			upload: async () => {
				throw new Error('connect ECONNREFUSED');
			},
		});
		await server.close();
		expect(outcome.error).toMatchObject({ kind: 'network' });
		expect(outcome.error!.title).toMatch(/upload did not reach Werk24/);
	});

	it('a socket closed before COMPLETED keeps what arrived and lists what did not', async () => {
		const asks = [
			{ ask_version: 'v2' as const, ask_type: 'META_DATA' as const },
			{ ask_version: 'v2' as const, ask_type: 'FEATURES' as const },
		];
		const server = await fakeServer({
			onRead: (socket) => {
				socket.send(JSON.stringify(message('PROGRESS', 'STARTED')));
				socket.send(JSON.stringify(message('ASK', 'META_DATA', 0)));
				socket.send(JSON.stringify(message('ASK', 'META_DATA', 1)));
				socket.send(JSON.stringify(message('ASK', 'FEATURES', 0)), () => socket.terminate());
			},
		});
		const outcome = await readDrawingStreaming({ ...baseRequest(server.url), asks }, { WebSocket: WS, upload: recordingUpload().upload });
		await server.close();
		expect(outcome.completed).toBe(false);
		expect(outcome.messages).toHaveLength(4);
		expect(outcome.missing).toEqual(['FEATURES (page 2)']);
		expect(outcome.error!.title).toMatch(/before COMPLETED/);
		expect(outcome.error!.hint).toMatch(/4 message\(s\) arrived\. Never arrived: FEATURES \(page 2\)/);
	});

	it('ERROR/INTERNAL after some ASK messages ends the read at once: internal error, messages kept, socket closed by the client', async () => {
		const asks = [
			{ ask_version: 'v2' as const, ask_type: 'META_DATA' as const },
			{ ask_version: 'v2' as const, ask_type: 'FEATURES' as const },
		];
		let closedByClient: Promise<number> = Promise.resolve(0);
		const server = await fakeServer({
			onRead: (socket) => {
				closedByClient = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
				socket.send(JSON.stringify(message('PROGRESS', 'STARTED')));
				socket.send(JSON.stringify(message('ASK', 'META_DATA', 0)));
				socket.send(JSON.stringify(message('ASK', 'META_DATA', 1)));
				socket.send(JSON.stringify(message('ASK', 'FEATURES', 0)));
				// The server keeps the socket open: only the client can end the read before the timeout.
				socket.send(JSON.stringify(message('ERROR', 'INTERNAL')));
			},
		});
		const seen: string[] = [];
		const started = Date.now();
		const outcome = await readDrawingStreaming(
			{ ...baseRequest(server.url), asks },
			{ WebSocket: WS, upload: recordingUpload().upload, signal: AbortSignal.timeout(4000), onMessage: (m) => seen.push(`${m.message_type}/${m.message_subtype}`) },
		);
		const elapsed = Date.now() - started;
		expect(await closedByClient).toBe(1000);
		await server.close();

		expect(elapsed).toBeLessThan(2000);
		expect(outcome.completed).toBe(false);
		expect(outcome.error).toMatchObject({ kind: 'service', retryable: true });
		expect(outcome.error!.title).toBe('Werk24 reported an internal error while reading the drawing (ERROR/INTERNAL)');
		expect(outcome.error!.title).not.toMatch(/closed the connection|timeout/);
		expect(outcome.error!.hint).toBe(
			`4 message(s) arrived before it. Never arrived: FEATURES (page 2). Run the node again later; if it keeps happening, contact Werk24 support with the request ID ${REQUEST_ID}.`,
		);
		expect(outcome.error!.details).toMatchObject({ subtype: 'INTERNAL', exceptions: [], request_id: REQUEST_ID, missing: ['FEATURES (page 2)'], received: 5 });
		expect(outcome.messages.map((m) => `${m.message_type}/${m.message_subtype}/${m.page_number}`)).toEqual([
			'PROGRESS/STARTED/0',
			'ASK/META_DATA/0',
			'ASK/META_DATA/1',
			'ASK/FEATURES/0',
			'ERROR/INTERNAL/0',
		]);
		expect(seen).toEqual(['PROGRESS/STARTED', 'ASK/META_DATA', 'ASK/META_DATA', 'ASK/FEATURES', 'ERROR/INTERNAL']);
		expect(outcome.missing).toEqual(['FEATURES (page 2)']);
	});

	it('an ERROR message names its exceptions with their explanations', async () => {
		const server = await fakeServer({
			onRead: (socket) =>
				socket.send(
					JSON.stringify(message('ERROR', 'INTERNAL', 0, { exceptions: [{ exception_level: 'ERROR', exception_type: 'DRAWING_CONTENT_NOT_UNDERSTOOD' }] })),
				),
		});
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload: recordingUpload().upload, signal: AbortSignal.timeout(4000) });
		await server.close();
		expect(outcome.error!.title).toBe('Werk24 reported an internal error while reading the drawing (ERROR/INTERNAL: DRAWING_CONTENT_NOT_UNDERSTOOD)');
		expect(outcome.error!.hint.startsWith(`${describeException('DRAWING_CONTENT_NOT_UNDERSTOOD')} 0 message(s) arrived before it.`)).toBe(true);
		expect(outcome.error!.hint).toMatch(/Never arrived: META_DATA\./);
		expect(outcome.messages.map((m) => m.message_type)).toEqual(['ERROR']);
	});

	it('ERROR/INTERNAL instead of INITIALIZATION_SUCCESS is the internal error, not a protocol problem, and nothing is uploaded', async () => {
		const { upload, uploads } = recordingUpload();
		const server = await fakeServer({ onInitialize: (socket) => socket.send(JSON.stringify(message('ERROR', 'INTERNAL'))) });
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload, signal: AbortSignal.timeout(4000) });
		await server.close();
		expect(outcome.error).toMatchObject({ kind: 'service', retryable: true });
		expect(outcome.error!.title).toBe('Werk24 reported an internal error before reading the drawing started (ERROR/INTERNAL)');
		expect(outcome.requestId).toBe(REQUEST_ID);
		expect(uploads).toHaveLength(0);
	});

	it('the abort signal ends the wait: a timeout lists the missing asks', async () => {
		const server = await fakeServer({ onRead: (socket) => socket.send(JSON.stringify(message('PROGRESS', 'STARTED'))) });
		const outcome = await readDrawingStreaming(baseRequest(server.url), {
			WebSocket: WS,
			upload: recordingUpload().upload,
			signal: AbortSignal.timeout(300),
		});
		await server.close();
		expect(outcome.error).toMatchObject({ kind: 'timeout' });
		expect(outcome.error!.title).toMatch(/within the timeout/);
		expect(outcome.missing).toEqual(['META_DATA']);
		expect(outcome.messages.map((m) => m.message_subtype)).toEqual(['STARTED']);
	});

	it('a cancelled execution reads as cancelled', async () => {
		const server = await fakeServer({ onRead: () => undefined });
		const controller = new AbortController();
		const pending = readDrawingStreaming(baseRequest(server.url), {
			WebSocket: WS,
			upload: async (url, form) => {
				setTimeout(() => controller.abort(new Error('cancelled by user')), 20);
				return await recordingUpload().upload(url, form);
			},
			signal: controller.signal,
		});
		const outcome = await pending;
		await server.close();
		expect(outcome.error!.title).toBe('The read was cancelled');
	});

	it('a frame that is not JSON is a protocol error', async () => {
		const server = await fakeServer({ onRead: (socket) => socket.send('not json') });
		const outcome = await readDrawingStreaming(baseRequest(server.url), { WebSocket: WS, upload: recordingUpload().upload });
		await server.close();
		expect(outcome.error).toMatchObject({ kind: 'protocol' });
	});
});

describe('missingResults', () => {
	const asks = ['META_DATA', 'FEATURES', 'REDACTION', 'SHEET_IMAGES'].map((ask_type) => ({ ask_version: 'v2' as const, ask_type }));
	it('lists asks without any message, and page gaps of page-wise asks', () => {
		const messages = [message('ASK', 'META_DATA', 0), message('ASK', 'META_DATA', 1), message('ASK', 'FEATURES', 1), message('ASK', 'REDACTION', 0)];
		expect(missingResults(asks as never, messages)).toEqual(['FEATURES (page 1)', 'SHEET_IMAGES']);
	});
	it('is empty when everything arrived', () => {
		expect(missingResults(asks.slice(0, 1) as never, [message('ASK', 'META_DATA', 0)])).toEqual([]);
	});
});
