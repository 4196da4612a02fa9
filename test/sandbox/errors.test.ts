import net from 'node:net';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { StreamingTestClient } from './streamingClient';
import { bushingPng, flangePdf, rawMultipart, submitLikeNodeExample, v2, type Answer } from './submit';

const UUID = /^[0-9a-f-]{36}$/;

let sandbox: Sandbox;
let receiver: Receiver;

beforeAll(async () => {
	sandbox = await startSandbox({ callbackLatencyMs: 0 });
	receiver = await startReceiver();
});
afterAll(async () => {
	await sandbox.close();
	await receiver.close();
});

const valid = () => ({ drawing: bushingPng(), filename: 'bushing.png', asks: [v2('META_DATA')], callback_url: receiver.url });

function expectErrorBody(answer: Answer, status: number): Record<string, unknown> {
	expect(answer.status).toBe(status);
	expect(answer.body).toEqual({ code: String(status), message: expect.any(String), details: expect.any(Object), request_id: expect.stringMatching(UUID) });
	return answer.body.details as Record<string, unknown>;
}

async function postRaw(body: Buffer | string, headers: Record<string, string>): Promise<Answer> {
	const response = await fetch(`${sandbox.url}/techread/read-with-callback`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('authentication comes before anything else', () => {
	it('answers 401 for a wrong token and sends no callbacks', async () => {
		const answer = await submitLikeNodeExample(sandbox.url, 'wrong-token', valid());
		expect(expectErrorBody(answer, 401)).toEqual({ reason: 'invalid_token' });
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(receiver.requests).toHaveLength(0);
	});

	it('answers 401 without an Authorization header, and for a Bearer token', async () => {
		expect(expectErrorBody(await postRaw('garbage', { 'content-type': 'text/plain' }), 401)).toEqual({ reason: 'missing_token' });
		expect((await postRaw('x', { authorization: `Bearer ${sandbox.token}` })).status).toBe(401);
	});

	it('answers 401 even for an oversized or wrongly typed body', async () => {
		expect((await submitLikeNodeExample(sandbox.url, 'nope', { ...valid(), drawing: Buffer.alloc(11 * 1024 * 1024, 1) })).status).toBe(401);
		expect((await postRaw('{}', { 'content-type': 'application/json' })).status).toBe(401);
	});

	it('with a valid token but no drawing part: 400 (the credential test relies on 401 before 400)', async () => {
		const { body, contentType } = rawMultipart([{ name: 'asks', body: '[]' }]);
		const details = expectErrorBody(await postRaw(body, { 'content-type': contentType, authorization: `Token ${sandbox.token}` }), 400);
		expect(details.missing).toEqual(expect.arrayContaining(['drawing']));
		const notMultipart = expectErrorBody(await postRaw('', { authorization: `Token ${sandbox.token}` }), 400);
		expect(notMultipart.content_type).toMatch(/^text\/plain/);
	});
});

/** One request as raw bytes, so the request target goes out exactly as written (fetch would drop a #fragment). */
function rawRequest(port: number, target: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		const chunks: Buffer[] = [];
		socket.on('data', (chunk: Buffer) => chunks.push(chunk));
		socket.on('error', reject);
		socket.on('close', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
			const rest = text.slice(text.indexOf('\r\n\r\n') + 4);
			let json: Record<string, unknown>;
			try {
				json = JSON.parse(rest) as Record<string, unknown>;
			} catch {
				json = { text: rest };
			}
			resolve({ status, body: json });
		});
		const head = Object.entries({ host: '127.0.0.1', connection: 'close', ...headers, 'content-length': String(body.length) }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
		socket.end(Buffer.concat([Buffer.from(`POST ${target} HTTP/1.1\r\n${head}\r\n`, 'latin1'), body]));
	});
}

describe('every spelling of the submit path that reaches the route is authenticated', () => {
	// The router decodes percent-escapes and ignores the query, a #fragment and an absolute-form origin, so
	// each of these is POST /techread/read-with-callback to it (a literal URL comparison once let them in unauthenticated).
	const reaching = [
		'/techread/read%2Dwith-callback',
		'/techread/read%2dwith-callback',
		'/%74echread/read-with-callback',
		'/techread/%72ead-with-callback',
		'/techread/read-with-callback?x=1',
		'/techread/read-with-callback#x',
		'http://127.0.0.1/techread/read-with-callback',
	];
	// Spellings the router does not match: 404 with or without a token.
	const notReaching = ['/techread/read-with-callback/', '//techread/read-with-callback', '/techread//read-with-callback', '/techread%2Fread-with-callback', '/TECHREAD/read-with-callback'];

	/** A complete, valid submission; only the Authorization header is up to the caller. */
	const submission = (authorization?: string) => {
		const { body, contentType } = rawMultipart([
			{ name: 'drawing', filename: 'bushing.png', contentType: 'image/png', body: bushingPng() },
			{ name: 'asks', body: JSON.stringify([v2('META_DATA')]) },
			{ name: 'callback_url', body: JSON.stringify(receiver.url) },
		]);
		return { body, headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) } };
	};

	async function expectNothingCreated(requestsBefore: number, callbacksBefore: number): Promise<void> {
		expect(sandbox.context.requests.size).toBe(requestsBefore);
		await sandbox.idle();
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(receiver.requests).toHaveLength(callbacksBefore);
	}

	it.each(reaching)('POST %s without a token: 401, no request and no callbacks', async (target) => {
		const [requestsBefore, callbacksBefore] = [sandbox.context.requests.size, receiver.requests.length];
		const { body, headers } = submission();
		expect(expectErrorBody(await rawRequest(sandbox.port, target, headers, body), 401)).toEqual({ reason: 'missing_token' });
		const wrong = submission('Token wrong-token');
		expect(expectErrorBody(await rawRequest(sandbox.port, target, wrong.headers, wrong.body), 401)).toEqual({ reason: 'invalid_token' });
		await expectNothingCreated(requestsBefore, callbacksBefore);
	});

	it.each(reaching)('POST %s with a valid token but no drawing: 400, so the route was reached', async (target) => {
		const { body, contentType } = rawMultipart([{ name: 'asks', body: '[]' }]);
		const details = expectErrorBody(await rawRequest(sandbox.port, target, { 'content-type': contentType, authorization: `Token ${sandbox.token}` }, body), 400);
		expect(details.missing).toEqual(expect.arrayContaining(['drawing']));
	});

	it.each(notReaching)('POST %s does not reach the route: 404 with or without a token, nothing created', async (target) => {
		const [requestsBefore, callbacksBefore] = [sandbox.context.requests.size, receiver.requests.length];
		for (const authorization of [undefined, `Token ${sandbox.token}`]) {
			const { body, headers } = submission(authorization);
			expectErrorBody(await rawRequest(sandbox.port, target, headers, body), 404);
		}
		await expectNothingCreated(requestsBefore, callbacksBefore);
	});

	it('the streaming upgrade opens no socket without a token on any spelling of /v2 (401 on /v2, 404 on encoded or doubled forms)', async () => {
		const base = sandbox.streamingUrl.replace(/\/v2$/, '');
		for (const path of ['/v2/', '/v2?x=1']) await expect(StreamingTestClient.connect(`${base}${path}`, null)).rejects.toMatchObject({ status: 401 });
		// The upgrade handler matches the raw path exactly, so an encoded spelling is refused outright, never let through.
		for (const path of ['/v%32', '/%762', '//v2', '/V2']) await expect(StreamingTestClient.connect(`${base}${path}`, null)).rejects.toMatchObject({ status: 404 });
	});
});

describe('validation', () => {
	const token = () => sandbox.token;

	it('lists invalid asks and the valid ones', async () => {
		const details = expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), asks: [v2('META_DATA'), { ask_version: 'v2', ask_type: 'TITLE_BLOCKS' }] }), 400);
		expect(details.invalid_asks).toEqual(['TITLE_BLOCKS']);
		// v1 asks are accepted, so the valid list names them too, as the documented error example does.
		expect(details.valid_asks).toEqual(expect.arrayContaining(['META_DATA', 'FEATURES', 'REDACTION', 'TITLE_BLOCK', 'VARIANT_MEASURES']));
		expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), asks: [] }), 400);
	});

	it('says what is wrong with known ask types sent in the wrong shape or with bad parameters', async () => {
		const notAList = await submitLikeNodeExample(sandbox.url, token(), { ...valid(), asks: 'META_DATA' });
		expect(expectErrorBody(notAList, 400).invalid_asks).toEqual([]);
		expect(notAList.body.message).toMatch(/^Invalid asks: asks must be a list of asks/);
		const custom = await submitLikeNodeExample(sandbox.url, token(), { ...valid(), asks: [v2('CUSTOM')] });
		expect(expectErrorBody(custom, 400).invalid_asks).toEqual([]);
		expect(custom.body.message).toBe('Invalid asks: asks[0].custom_id is required for CUSTOM asks');
		const redaction = await submitLikeNodeExample(sandbox.url, token(), { ...valid(), asks: [v2('REDACTION', { output_format: 'GIF' })] });
		expect(redaction.body.message).toMatch(/^Invalid asks: asks\[0\]\.output_format must be "PDF" or "PNG"/);
	});

	it('names a bad callback header', async () => {
		const answer = await submitLikeNodeExample(sandbox.url, token(), { ...valid(), callback_headers: { 'X-Token': 'fine', 'Werk24-Secret': 'nope' } });
		const details = expectErrorBody(answer, 400);
		expect(answer.body.message).toContain('Werk24-Secret');
		expect(details.invalid_headers).toEqual(['Werk24-Secret']);
		const long = expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), callback_headers: { [`X-${'a'.repeat(130)}`]: 'v' } }), 400);
		expect(long.invalid_headers).toEqual([`X-${'a'.repeat(130)}`]);
		expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), callback_headers: { 'X-Long': 'v'.repeat(4097) } }), 400);
	});

	it('rejects max_pages < 1, an unknown priority, a missing callback_url and a non-http callback_url', async () => {
		expect(expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), max_pages: 0 }), 400)).toEqual({ max_pages: 0 });
		expect(expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), priority: 'PRIO9' }), 400)).toMatchObject({ priority: 'PRIO9' });
		expect(expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), callback_url: undefined }), 400)).toEqual({ missing: ['callback_url'] });
		expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), callback_url: 'ftp://example.com/x' }), 400);
		expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), public_key: 'not a pem' }), 400);
	});

	it('answers 413 for an 11 MB drawing', async () => {
		const big = Buffer.concat([flangePdf(), Buffer.alloc(11 * 1024 * 1024 - flangePdf().length, 0x20)]);
		expect(expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), drawing: big }), 413)).toEqual({ limit_bytes: 10 * 1024 * 1024 });
	});

	it('answers 415 for a .docx (zip magic bytes), naming the supported types', async () => {
		const docx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('[Content_Types].xml word/document.xml'), Buffer.alloc(500)]);
		const details = expectErrorBody(await submitLikeNodeExample(sandbox.url, token(), { ...valid(), drawing: docx, filename: 'part.docx' }), 415);
		expect(details.supported).toEqual(['PDF', 'PNG', 'JPEG', 'TIFF']);
	});

	it('answers 400 for a broken multipart body and for too many parts', async () => {
		const truncated = rawMultipart([{ name: 'drawing', filename: 'a.pdf', body: flangePdf() }]).body.subarray(0, 300);
		expectErrorBody(await postRaw(truncated, { 'content-type': 'multipart/form-data; boundary=sandbox-boundary-42', authorization: `Token ${token()}` }), 400);
		const many = rawMultipart(Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, body: 'x' })));
		expectErrorBody(await postRaw(many.body, { 'content-type': many.contentType, authorization: `Token ${token()}` }), 400);
	});
});

describe('other endpoints', () => {
	it('GET /status answers a SystemStatus without auth', async () => {
		const response = await fetch(`${sandbox.url}/status`, { headers: { accept: 'application/json' } });
		expect(response.status).toBe(200);
		const status = (await response.json()) as Record<string, unknown>;
		expect(status).toMatchObject({ status_indicator: 'ok', incidents: [], scheduled_maintenances: [] });
		expect(status.components).toEqual(expect.arrayContaining([expect.objectContaining({ id: expect.any(String), name: expect.any(String), status: expect.any(String) })]));
	});

	it('answers 405 for a wrong method on a known path and 404 elsewhere', async () => {
		const wrong = await fetch(`${sandbox.url}/techread/read-with-callback`);
		expect(wrong.status).toBe(405);
		expect(wrong.headers.get('allow')).toBe('POST');
		expect((await fetch(`${sandbox.url}/status`, { method: 'DELETE' })).status).toBe(405);
		expect((await fetch(`${sandbox.url}/nothing-here`)).status).toBe(404);
		// The allowed method on a path the routes do not serve is not told that method is not allowed.
		expect((await fetch(`${sandbox.url}/status/`)).status).toBe(404);
		expect((await fetch(`${sandbox.url}/techread/read-with-callback/`, { method: 'POST', headers: { authorization: `Token ${sandbox.token}` } })).status).toBe(404);
		expect((await fetch(`${sandbox.url}/payloads/unknown-id`)).status).toBe(404);
		expect((await fetch(`${sandbox.url}/sandbox/requests/unknown-id`)).status).toBe(404);
	});

	it('answers 503 on submit when the submit503 fault hits', async () => {
		const flaky = await startSandbox({ callbackLatencyMs: 0, faults: { submit503: 1 } });
		try {
			expectErrorBody(await submitLikeNodeExample(flaky.url, flaky.token, valid()), 503);
		} finally {
			await flaky.close();
		}
	});
});
