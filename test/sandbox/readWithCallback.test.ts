import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { decryptPackage, generateKeyPair, parseMessage, type TechreadMessage } from '../../core';
import { DEFAULT_RETRY } from '../../sandbox/callbacks';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { bushingPng, flangePdf, submitLikeNodeExample, submitLikeWerk24Python, v2 } from './submit';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SECRET = 'shared-secret-0123456789';

let sandbox: Sandbox;
let receiver: Receiver;

beforeAll(async () => {
	sandbox = await startSandbox({ callbackLatencyMs: 0, retry: { backoffMs: 5 } });
});
afterAll(async () => {
	await sandbox.close();
});
beforeEach(async () => {
	receiver = await startReceiver();
});
afterEach(async () => {
	await receiver.close();
});

/** Every callback body must be a TechreadMessage core accepts; returns them in arrival order. */
function messagesOf(r: Receiver): TechreadMessage[] {
	return r.requests.map((request) => {
		const parsed = parseMessage(request.json);
		if (!parsed.ok) throw new Error(`Callback failed parseMessage: ${JSON.stringify(parsed.problems)}`);
		return parsed.value;
	});
}

/** Loosely typed view of JSON payloads (JSON.parse's own result type), for reading test data only. */
type Loose = ReturnType<typeof JSON.parse>;
const loose = (value: unknown): Loose => value;

const summary = (messages: TechreadMessage[]): string[] => messages.map((m) => `${m.message_type}/${m.message_subtype}/${m.page_number}`);

async function download(url: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
	const response = await fetch(url);
	return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type') };
}

describe('read-with-callback, the documented Node.js client pattern', () => {
	it('reads the 2-page PDF: STARTED, each page-wise ask per page, REDACTION once, COMPLETED, all with X-Token', async () => {
		const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, {
			drawing: flangePdf(),
			filename: 'flange.pdf',
			asks: [v2('META_DATA'), v2('FEATURES'), v2('SHEET_IMAGES'), v2('REDACTION')],
			callback_url: `${receiver.url}/webhook`,
			callback_headers: { 'X-Token': SECRET },
			max_pages: 5,
		});
		expect(answer.status).toBe(200);
		const requestId = answer.body.request_id as string;
		expect(requestId).toMatch(UUID_V4);
		await sandbox.idle();

		const messages = messagesOf(receiver);
		expect(summary(messages)).toEqual([
			'PROGRESS/STARTED/0',
			'ASK/META_DATA/0',
			'ASK/META_DATA/1',
			'ASK/FEATURES/0',
			'ASK/FEATURES/1',
			'ASK/SHEET_IMAGES/0',
			'ASK/SHEET_IMAGES/1',
			'ASK/REDACTION/0',
			'PROGRESS/COMPLETED/0',
		]);
		for (const request of receiver.requests) {
			expect(request.method).toBe('POST');
			expect(request.path).toBe('/webhook');
			expect(request.headers['x-token']).toBe(SECRET);
			expect(request.headers['content-type']).toBe('application/json');
		}
		expect(new Set(messages.map((m) => m.request_id))).toEqual(new Set([requestId]));

		// The fixture's title block comes back in META_DATA.
		const meta = loose(messages[1].payload_dict);
		expect(meta.identifiers).toEqual(
			expect.arrayContaining([expect.objectContaining({ identifier_type: 'DRAWING_NUMBER', value: 'W24-SBX-1001' }), expect.objectContaining({ identifier_type: 'PART_NUMBER' })]),
		);
		expect(meta.material_options[0].material_combination[0]).toMatchObject({ raw_ocr: '1.4404', material_category: ['FERROUS_ALLOY', 'STEEL', 'STAINLESS_STEEL'] });
		expect(meta.general_tolerances).toMatchObject({ tolerance_standard: 'ISO 2768' });
		expect(meta.weight).toMatchObject({ value: '0.42', unit: 'kilogram' });
		const features = loose(messages[3].payload_dict);
		expect(features.threads[0]).toMatchObject({ thread_type: 'ISO_METRIC' });
		for (const key of ['dimensions', 'bores', 'chamfers', 'radii', 'roughnesses', 'gdnts']) expect(features[key].length).toBeGreaterThan(0);

		// Sheet images are real PNGs; the redacted drawing is a real 2-page PDF.
		const sheet = await download(messages[5].payload_url as string);
		expect(sheet.status).toBe(200);
		expect(sheet.type).toBe('image/png');
		expect(PNG.sync.read(sheet.bytes).width).toBeGreaterThan(100);
		const redacted = await download(messages[7].payload_url as string);
		expect(redacted.type).toBe('application/pdf');
		expect((await PDFDocument.load(redacted.bytes)).getPageCount()).toBe(2);
		expect(loose(messages[7].payload_dict).redaction_zones.length).toBe(3);

		const log = await (await fetch(`${sandbox.url}/sandbox/requests/${requestId}`)).json();
		expect(log.drawing).toMatchObject({ kind: 'PDF', pages: 2, filename: 'flange.pdf' });
		expect(log.callbacks).toHaveLength(9);
		expect(log.callbacks.every((c: Loose) => c.state === 'delivered' && c.attempts.length === 1 && c.attempts[0].status === 200)).toBe(true);
	});

	it('reads the PNG as one page, with a scaled copy as sheet image and every v2 ask answered', async () => {
		const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, {
			drawing: bushingPng(),
			filename: 'bushing.png',
			asks: [v2('META_DATA'), v2('INSIGHTS'), v2('BALLOONS'), v2('REFERENCE_POSITIONS'), v2('CUSTOM', { custom_id: 'erp-export', config: { fields: ['material'] } }), v2('SHEET_IMAGES'), v2('VIEW_IMAGES'), v2('REDACTION', { output_format: 'PNG' })],
			callback_url: `${receiver.url}/hook`,
			callback_headers: { 'X-Token': SECRET },
		});
		expect(answer.status).toBe(200);
		await sandbox.idle();
		const messages = messagesOf(receiver);
		expect(summary(messages)).toEqual([
			'PROGRESS/STARTED/0',
			'ASK/META_DATA/0',
			'ASK/INSIGHTS/0',
			'ASK/BALLOONS/0',
			'ASK/REFERENCE_POSITIONS/0',
			'ASK/CUSTOM/0',
			'ASK/SHEET_IMAGES/0',
			'ASK/VIEW_IMAGES/0',
			'ASK/REDACTION/0',
			'PROGRESS/COMPLETED/0',
		]);
		expect(receiver.requests.every((r) => r.headers['x-token'] === SECRET)).toBe(true);
		expect(messages[5].payload_dict).toMatchObject({ custom_id: 'erp-export', output: { config: { fields: ['material'] } } });
		const positions = loose(messages[4].payload_dict).reference_positions.map((p: Loose) => p.reference_id);
		for (const balloon of loose(messages[3].payload_dict).balloons) expect(positions).toContain(balloon.reference_id);

		const original = PNG.sync.read(bushingPng());
		const sheet = PNG.sync.read((await download(messages[6].payload_url as string)).bytes);
		expect(sheet.width / sheet.height).toBeCloseTo(original.width / original.height, 1);
		const redacted = PNG.sync.read((await download(messages[8].payload_url as string)).bytes);
		expect([redacted.width, redacted.height]).toEqual([original.width, original.height]);
		expect(redacted.data.equals(original.data)).toBe(false);
	});

	it('gives the same results for the same drawing (seeded by its SHA-256)', async () => {
		const send = () =>
			submitLikeNodeExample(sandbox.url, sandbox.token, {
				drawing: flangePdf(),
				asks: [v2('META_DATA'), v2('FEATURES')],
				callback_url: receiver.url,
				max_pages: 1,
			});
		await send();
		await send();
		await sandbox.idle();
		// Two requests deliver concurrently: group by request_id, then compare ask by ask.
		const byRequest = new Map<string, TechreadMessage[]>();
		for (const m of messagesOf(receiver)) byRequest.set(m.request_id, [...(byRequest.get(m.request_id) ?? []), m]);
		const [a, b] = [...byRequest.values()].map((messages) => messages.filter((m) => m.message_type === 'ASK'));
		expect(byRequest.size).toBe(2);
		expect(summary(a)).toEqual(['ASK/META_DATA/0', 'ASK/FEATURES/0']);
		expect(a.map((m) => m.payload_dict)).toEqual(b.map((m) => m.payload_dict));
	});
});

describe('read-with-callback, other client encodings', () => {
	it("accepts werk24-python's encoding (json.dumps fields, nulls, drawing.pdf) and records client_version", async () => {
		const answer = await submitLikeWerk24Python(sandbox.url, sandbox.token, {
			drawing: flangePdf(),
			asks: [v2('META_DATA')],
			callback_url: `${receiver.url}/py`,
			callback_headers: { 'X-Token': SECRET },
			max_pages: 1,
		});
		expect(answer.status).toBe(200);
		await sandbox.idle();
		expect(summary(messagesOf(receiver))).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'PROGRESS/COMPLETED/0']);
		const log = sandbox.request(answer.body.request_id as string)!;
		expect(log.fields).toMatchObject({ client_version: '2.6.0', public_key: null, priority: null, max_pages: 1, callback_url: `${receiver.url}/py` });
		expect(log.parts.find((p) => p.name === 'asks')?.raw_value).toBe('[{"ask_version": "v2", "ask_type": "META_DATA"}]');
		expect(log.parts.find((p) => p.name === 'client_version')?.raw_value).toBe('"2.6.0"');
		expect(log.parts.find((p) => p.name === 'drawing')).toMatchObject({ filename: 'drawing.pdf', content_type: 'application/octet-stream' });
	});

	it('accepts raw (not JSON-encoded) strings, the docs\' {kind} alias and v1 asks', async () => {
		const FormData = (await import('form-data')).default;
		const form = new FormData();
		form.append('drawing', bushingPng(), { filename: 'bushing.png' });
		form.append('asks', JSON.stringify([{ kind: 'meta_data' }, { version: 'v1', ask_type: 'TITLE_BLOCK', is_training: false }]));
		form.append('callback_url', `${receiver.url}/raw`);
		form.append('priority', 'prio2');
		const response = await fetch(`${sandbox.url}/techread/read-with-callback`, { method: 'POST', headers: { ...form.getHeaders(), Authorization: `Token ${sandbox.token}` }, body: new Uint8Array(form.getBuffer()) });
		expect(response.status).toBe(200);
		await sandbox.idle();
		const messages = messagesOf(receiver);
		expect(summary(messages)).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'ASK/TITLE_BLOCK/0', 'PROGRESS/COMPLETED/0']);
		// The sandbox simulates only v2 asks and says so with the service's own exception type.
		expect(messages[2].exceptions).toEqual([{ exception_level: 'ERROR', exception_type: 'CONFIGURATION_INCORRECT' }]);
		expect(receiver.requests[0].path).toBe('/raw');
	});
});

describe('read-with-callback, drawings it cannot fully read', () => {
	it('answers every ask with DRAWING_CONTENT_NOT_UNDERSTOOD for a PDF pdf-lib cannot parse', async () => {
		const broken = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]);
		const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, { drawing: broken, asks: [v2('META_DATA'), v2('FEATURES')], callback_url: receiver.url });
		expect(answer.status).toBe(200);
		await sandbox.idle();
		const messages = messagesOf(receiver);
		expect(summary(messages)).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'ASK/FEATURES/0', 'PROGRESS/COMPLETED/0']);
		for (const m of messages.slice(1, 3)) {
			expect(m.exceptions).toEqual([{ exception_level: 'ERROR', exception_type: 'DRAWING_CONTENT_NOT_UNDERSTOOD' }]);
			expect(m.payload_dict).toBeNull();
		}
	});

	it('refuses REDACTION with DRAWING_PAGE_COUNT_TOO_LARGE when the drawing has more pages than max_pages', async () => {
		const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, { drawing: flangePdf(), asks: [v2('META_DATA'), v2('REDACTION')], callback_url: receiver.url, max_pages: 1 });
		expect(answer.status).toBe(200);
		await sandbox.idle();
		const messages = messagesOf(receiver);
		expect(summary(messages)).toEqual(['PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'ASK/REDACTION/0', 'PROGRESS/COMPLETED/0']);
		expect(messages[2].exceptions).toEqual([{ exception_level: 'ERROR', exception_type: 'DRAWING_PAGE_COUNT_TOO_LARGE' }]);
		expect(messages[2].payload_url).toBeNull();
	});
});

describe('read-with-callback, encryption', () => {
	const keys = generateKeyPair({ modulusLength: 2048, passphrase: 'sandbox-pass' });

	it('encrypts artefacts for the public_key: the download decrypts with the private key to a valid PNG and PDF', async () => {
		const answer = await submitLikeWerk24Python(sandbox.url, sandbox.token, {
			drawing: flangePdf(),
			asks: [v2('SHEET_IMAGES'), v2('REDACTION')],
			callback_url: receiver.url,
			max_pages: 2,
			public_key: keys.publicKey,
		});
		expect(answer.status).toBe(200);
		await sandbox.idle();
		const messages = messagesOf(receiver);
		// Callback bodies stay plain JSON by default (the service's behaviour is undocumented).
		expect(receiver.requests.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
		const sheet = await download(messages[1].payload_url as string);
		expect(sheet.type).toBe('application/octet-stream');
		expect(() => PNG.sync.read(sheet.bytes)).toThrow();
		const plainSheet = decryptPackage(keys.privateKey, sheet.bytes, 'sandbox-pass');
		if (!plainSheet.ok) throw new Error(JSON.stringify(plainSheet.problems));
		expect(PNG.sync.read(plainSheet.value).width).toBeGreaterThan(100);
		const redacted = await download(messages[3].payload_url as string);
		const plainPdf = decryptPackage(keys.privateKey, redacted.bytes, 'sandbox-pass');
		if (!plainPdf.ok) throw new Error(JSON.stringify(plainPdf.problems));
		expect((await PDFDocument.load(plainPdf.value)).getPageCount()).toBe(2);
	});

	it('with encryptCallbackBodies, POSTs the encrypted message as application/octet-stream', async () => {
		const encrypting = await startSandbox({ callbackLatencyMs: 0, encryptCallbackBodies: true });
		try {
			const answer = await submitLikeNodeExample(encrypting.url, encrypting.token, { drawing: bushingPng(), asks: [v2('META_DATA')], callback_url: receiver.url, public_key: keys.publicKey });
			expect(answer.status).toBe(200);
			await encrypting.idle();
			expect(receiver.requests).toHaveLength(3);
			for (const request of receiver.requests) {
				expect(request.headers['content-type']).toBe('application/octet-stream');
				const plain = decryptPackage(keys.privateKey, request.body, 'sandbox-pass');
				if (!plain.ok) throw new Error(JSON.stringify(plain.problems));
				expect(parseMessage(JSON.parse(plain.value.toString('utf8'))).ok).toBe(true);
			}
		} finally {
			await encrypting.close();
		}
	});
});

describe('callback delivery', () => {
	it('retries a receiver that answers 500 twice: the third attempt is delivered and the log shows 3 attempts', async () => {
		await receiver.close();
		receiver = await startReceiver((_request, index) => (index < 2 ? 500 : 200));
		const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, { drawing: bushingPng(), asks: [v2('META_DATA')], callback_url: receiver.url });
		await sandbox.idle();
		const log = sandbox.request(answer.body.request_id as string)!;
		expect(log.callbacks[0].attempts.map((a) => a.status)).toEqual([500, 500, 200]);
		expect(log.callbacks[0].state).toBe('delivered');
		expect(log.callbacks.slice(1).every((c) => c.attempts.length === 1)).toBe(true);
		// The receiver saw STARTED three times, then META_DATA and COMPLETED once each.
		expect(summary(messagesOf(receiver))).toEqual(['PROGRESS/STARTED/0', 'PROGRESS/STARTED/0', 'PROGRESS/STARTED/0', 'ASK/META_DATA/0', 'PROGRESS/COMPLETED/0']);
	});

	it('gives up after the configured attempts and logs it, then goes on with the next message', async () => {
		const strict = await startSandbox({ callbackLatencyMs: 0, retry: { attempts: 3, backoffMs: 1 } });
		await receiver.close();
		receiver = await startReceiver((request) => ((request.json as TechreadMessage).message_subtype === 'STARTED' ? 503 : 200));
		try {
			const answer = await submitLikeNodeExample(strict.url, strict.token, { drawing: bushingPng(), asks: [v2('META_DATA')], callback_url: receiver.url });
			await strict.idle();
			const log = strict.request(answer.body.request_id as string)!;
			expect(log.callbacks.map((c) => c.state)).toEqual(['given_up', 'delivered', 'delivered']);
			expect(log.callbacks[0].attempts.map((a) => a.status)).toEqual([503, 503, 503]);
			expect(log.state).toBe('done');
		} finally {
			await strict.close();
		}
	});

	it('retries a receiver that does not answer within the timeout (10 s and 5 attempts by default)', async () => {
		expect(DEFAULT_RETRY).toMatchObject({ attempts: 5, timeoutMs: 10_000 });
		let calls = 0;
		// The first POST is never answered; later ones get 200.
		const silent = http.createServer((request, response) => {
			request.resume();
			if (calls++ > 0) request.on('end', () => response.writeHead(200).end());
		});
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const strict = await startSandbox({ callbackLatencyMs: 0, retry: { timeoutMs: 200, backoffMs: 1 } });
		try {
			const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
			const answer = await submitLikeNodeExample(strict.url, strict.token, { drawing: bushingPng(), asks: [v2('META_DATA')], callback_url: url });
			await strict.idle();
			const first = strict.request(answer.body.request_id as string)!.callbacks[0];
			expect(first.attempts.map((a) => a.status)).toEqual([null, 200]);
			expect(first.attempts[0].error).toMatch(/TimeoutError/);
			expect(first.attempts[0].duration_ms).toBeGreaterThanOrEqual(190);
			expect(first.state).toBe('delivered');
		} finally {
			await strict.close();
			silent.closeAllConnections();
			await new Promise<void>((resolve) => silent.close(() => resolve()));
		}
	});

	it('logs a refused connection as an attempt without status', async () => {
		const strict = await startSandbox({ callbackLatencyMs: 0, retry: { attempts: 2, backoffMs: 1 } });
		try {
			const answer = await submitLikeNodeExample(strict.url, strict.token, { drawing: bushingPng(), asks: [v2('META_DATA')], callback_url: 'http://127.0.0.1:9/nothing-listens' });
			await strict.idle();
			const log = strict.request(answer.body.request_id as string)!;
			expect(log.callbacks).toHaveLength(3);
			expect(log.callbacks[0].attempts).toHaveLength(2);
			expect(log.callbacks[0].attempts[0]).toMatchObject({ status: null });
			expect(log.callbacks[0].attempts[0].error).toMatch(/ECONNREFUSED|fetch failed/);
		} finally {
			await strict.close();
		}
	});
});

describe('payload downloads', () => {
	it('expire after payloadTtlMs', async () => {
		const shortLived = await startSandbox({ callbackLatencyMs: 0, payloadTtlMs: 150 });
		try {
			await submitLikeNodeExample(shortLived.url, shortLived.token, { drawing: bushingPng(), asks: [v2('SHEET_IMAGES')], callback_url: receiver.url });
			await shortLived.idle();
			const url = messagesOf(receiver)[1].payload_url as string;
			expect((await download(url)).status).toBe(200);
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect((await download(url)).status).toBe(404);
		} finally {
			await shortLived.close();
		}
	});
});
