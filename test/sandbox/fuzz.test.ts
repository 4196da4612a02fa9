// Fires 10,000 random and malformed requests at the sandbox over raw loopback sockets and checks that every
// one is answered with a 4xx, that nothing hangs, that the server still serves afterwards and that memory
// returns near its baseline.
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SeededRandom } from '../../sandbox/faults';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { startReceiver } from '../helpers/receiver';
import { bushingPng, rawMultipart, submitLikeNodeExample, v2 } from './submit';

const TOTAL = 10_000;
const CONCURRENCY = 24;
const PER_REQUEST_TIMEOUT_MS = 15_000;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

type Category = 'bad-multipart' | 'huge-headers' | 'truncated-body' | 'wrong-method' | 'binary-garbage' | 'bad-fields' | 'bad-token' | 'bad-upgrade' | 'bad-upload';
const CATEGORIES: Category[] = ['bad-multipart', 'huge-headers', 'truncated-body', 'wrong-method', 'binary-garbage', 'bad-fields', 'bad-token', 'bad-upgrade', 'bad-upload'];

interface Outcome {
	category: Category;
	status: number | null;
	/** closed = the server closed without an HTTP answer; hung = nothing within the timeout. */
	kind: 'answered' | 'closed' | 'hung';
}

function randomBytes(random: SeededRandom, length: number): Buffer {
	const bytes = Buffer.alloc(length);
	for (let i = 0; i < length; i++) bytes[i] = random.int(0, 255);
	return bytes;
}

const PATHS = ['/techread/read-with-callback', '/status', '/payloads/abc', '/sandbox/requests/x', '/v2', '/', '/techread', '/%ff%fe', '/a/b/c/d'];
/** Spellings the router takes for the submit route (percent-escapes decoded, query and fragment dropped): auth must hold on each. */
const SUBMIT_SPELLINGS = [PATHS[0], '/techread/read%2Dwith-callback', '/%74echread/read-with-callback', '/techread/read-with-callback?a=1', '/techread/read-with-callback#f'];

/** One malformed request as raw bytes, plus whether to half-close after sending (truncation). */
function makeRequest(category: Category, random: SeededRandom, token: string): { bytes: Buffer; endEarly: boolean } {
	const head = (method: string, path: string, headers: Record<string, string>, body: Buffer = Buffer.alloc(0), contentLength = body.length): Buffer =>
		Buffer.concat([
			Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: ${contentLength}\r\n\r\n`, 'latin1'),
			body,
		]);
	const auth = { Authorization: `Token ${token}` };
	switch (category) {
		case 'bad-multipart': {
			const variants = [
				() => head('POST', PATHS[0], { ...auth, 'Content-Type': 'multipart/form-data' }, randomBytes(random, random.int(0, 400))),
				() => head('POST', PATHS[0], { ...auth, 'Content-Type': 'multipart/form-data; boundary=zzz' }, Buffer.from(`--zzz\r\nContent-Disposition: form-data\r\n\r\n${randomBytes(random, 50).toString('latin1')}`, 'latin1')),
				() => head('POST', PATHS[0], { ...auth, 'Content-Type': `multipart/form-data; boundary=${'b'.repeat(random.int(1, 300))}` }, randomBytes(random, 200)),
				() => head('POST', PATHS[0], { ...auth, 'Content-Type': 'multipart/form-data; boundary=q' }, Buffer.from('--q\r\nContent-Disposition: form-data; name="drawing"; filename="x.pdf"\r\n\r\n%PDF-1.4 partial', 'latin1')),
				() => head('POST', PATHS[0], { ...auth, 'Content-Type': 'multipart/mixed; boundary=q' }, Buffer.from('--q--\r\n')),
			];
			return { bytes: random.pick(variants)(), endEarly: false };
		}
		case 'huge-headers': {
			const size = random.int(17, 64) * 1024;
			return { bytes: head(random.pick(['GET', 'POST']), random.pick(PATHS), { ...auth, 'X-Huge': 'h'.repeat(size) }), endEarly: false };
		}
		case 'truncated-body': {
			const { body, contentType } = rawMultipart([{ name: 'drawing', filename: 'a.png', body: bushingPng().subarray(0, 2000) }, { name: 'asks', body: '[]' }]);
			const cut = random.int(0, body.length - 1);
			return { bytes: head('POST', PATHS[0], { ...auth, 'Content-Type': contentType }, body.subarray(0, cut), body.length), endEarly: true };
		}
		case 'wrong-method': {
			const method = random.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'FOO', 'GET', 'HEAD']);
			const path = method === 'GET' || method === 'HEAD' ? random.pick(['/techread/read-with-callback', '/nowhere', '/payloads/zzz']) : random.pick(PATHS);
			return { bytes: head(method, path, auth, randomBytes(random, random.int(0, 64))), endEarly: false };
		}
		case 'binary-garbage':
			return { bytes: randomBytes(random, random.int(1, 2048)), endEarly: true };
		case 'bad-fields': {
			// Valid token, real multipart, garbage values; the drawing starts with 0x00 so it never sniffs as a drawing.
			const parts = [
				{ name: 'drawing', filename: 'x.bin', body: Buffer.concat([Buffer.from([0]), randomBytes(random, random.int(0, 300))]) },
				{ name: 'asks', body: random.pick(['[]', '[{"ask_type":"NOPE"}]', '{}', 'null', randomBytes(random, 20).toString('latin1'), '[{"kind":"meta_data"}]']) },
				{ name: 'callback_url', body: random.pick(['"http://127.0.0.1:9/"', 'not a url', '""', '123']) },
				{ name: 'max_pages', body: random.pick(['0', '-1', '"x"', '1.5', '5']) },
				{ name: 'callback_headers', body: random.pick(['{"Bad Header":"v"}', '[]', 'null', '{"X-A":1}']) },
			].filter(() => random.next() < 0.8);
			const { body, contentType } = rawMultipart(parts, `fz${random.int(0, 1e6)}`);
			return { bytes: head('POST', PATHS[0], { ...auth, 'Content-Type': contentType }, body), endEarly: false };
		}
		case 'bad-upgrade': {
			// WebSocket handshakes the streaming endpoint must refuse: wrong token, wrong path, missing key.
			const variant = random.int(0, 2);
			const headers: Record<string, string> = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
			if (variant === 0) headers.Authorization = random.pick(['Token wrong', 'Bearer x', '']);
			if (variant === 2) {
				headers.Authorization = `Token ${token}`;
				delete headers['Sec-WebSocket-Key'];
			}
			const path = variant === 1 ? random.pick(['/v1', '/v2/x', '/ws']) : '/v2';
			const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
			return { bytes: Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines}\r\n`, 'latin1'), endEarly: false };
		}
		case 'bad-upload': {
			const { body, contentType } = rawMultipart([{ name: 'key', body: 'x' }, { name: 'file', filename: 'f', body: randomBytes(random, random.int(0, 300)) }]);
			return { bytes: head('POST', `/uploads/${randomBytes(random, 12).toString('hex')}`, { 'Content-Type': random.pick([contentType, 'text/plain']) }, body), endEarly: false };
		}
		case 'bad-token': {
			const authorization = random.pick(['', 'Token', 'Token wrong', `Bearer ${token}`, `Token ${token}x`, 'Basic YTpi']);
			const path = random.pick(SUBMIT_SPELLINGS);
			return { bytes: head('POST', path, authorization ? { Authorization: authorization, 'Content-Type': 'multipart/form-data; boundary=a' } : {}, randomBytes(random, random.int(0, 500))), endEarly: false };
		}
	}
}

function fire(port: number, bytes: Buffer, endEarly: boolean): Promise<Omit<Outcome, 'category'>> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		const chunks: Buffer[] = [];
		let settled = false;
		const finish = (outcome: Omit<Outcome, 'category'>): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			socket.destroy();
			resolve(outcome);
		};
		const verdict = (): Omit<Outcome, 'category'> => {
			const match = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString('latin1', 0, 64));
			return match ? { status: Number(match[1]), kind: 'answered' } : { status: null, kind: 'closed' };
		};
		const timer = setTimeout(() => finish({ status: null, kind: 'hung' }), PER_REQUEST_TIMEOUT_MS);
		socket.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			// The status line is all we need; waiting for close would also do, this is faster.
			if (Buffer.concat(chunks).includes('\r\n')) finish(verdict());
		});
		socket.on('error', () => finish(verdict()));
		socket.on('close', () => finish(verdict()));
		socket.write(bytes, () => {
			if (endEarly) socket.end();
		});
	});
}

describe('fuzz', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ callbackLatencyMs: 0 });
	});
	afterAll(async () => {
		await sandbox.close();
	});

	it(`answers ${TOTAL} random and malformed requests with 4xx, stays up, memory back near baseline`, async () => {
		const port = sandbox.port;
		const random = new SeededRandom('fuzz-2026');
		// Warm up (first requests load code and fill caches), then take the baseline.
		for (let i = 0; i < 50; i++) await fire(port, makeRequest('bad-token', random, sandbox.token).bytes, false);
		collectGarbage();
		const baseline = process.memoryUsage();

		const outcomes: Outcome[] = [];
		let next = 0;
		const started = Date.now();
		const worker = async (): Promise<void> => {
			while (next < TOTAL) {
				const category = CATEGORIES[next++ % CATEGORIES.length];
				const { bytes, endEarly } = makeRequest(category, random, sandbox.token);
				outcomes.push({ category, ...(await fire(port, bytes, endEarly)) });
			}
		};
		await Promise.all(Array.from({ length: CONCURRENCY }, worker));
		const seconds = (Date.now() - started) / 1000;

		collectGarbage();
		await new Promise((resolve) => setTimeout(resolve, 200));
		collectGarbage();
		const after = process.memoryUsage();

		const table: Record<string, Record<string, number>> = {};
		for (const o of outcomes) {
			const key = o.kind === 'answered' ? String(o.status) : o.kind;
			table[o.category] ??= {};
			table[o.category][key] = (table[o.category][key] ?? 0) + 1;
		}
		const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
		process.stdout.write(
			`\nfuzz: ${outcomes.length} requests in ${seconds.toFixed(1)} s (concurrency ${CONCURRENCY})\n` +
				Object.entries(table).map(([category, counts]) => `  ${category.padEnd(15)} ${JSON.stringify(counts)}`).join('\n') +
				`\n  heapUsed baseline ${mb(baseline.heapUsed)} → after ${mb(after.heapUsed)}; rss ${mb(baseline.rss)} → ${mb(after.rss)}\n`,
		);

		expect(outcomes).toHaveLength(TOTAL);
		expect(outcomes.filter((o) => o.kind === 'hung')).toEqual([]);
		const answered = outcomes.filter((o) => o.kind === 'answered');
		expect(answered.filter((o) => o.status! < 400 || o.status! >= 500)).toEqual([]);
		// Every request gets an HTTP answer, also garbage and truncated bodies (Node answers 400 before closing).
		expect(outcomes.filter((o) => o.kind === 'closed')).toEqual([]);
		expect(answered).toHaveLength(TOTAL);
		// No bad token gets past auth, whichever spelling of the submit path it uses (a 400 would mean the body was read).
		expect(outcomes.filter((o) => o.category === 'bad-token' && o.status !== 401)).toEqual([]);
		expect(after.heapUsed - baseline.heapUsed).toBeLessThan(48 * 1024 * 1024);

		// Still serving: status and a real submission with its callbacks.
		expect((await fetch(`${sandbox.url}/status`)).status).toBe(200);
		const receiver = await startReceiver();
		try {
			const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, { drawing: bushingPng(), asks: [v2('META_DATA')], callback_url: receiver.url });
			expect(answer.status).toBe(200);
			await receiver.waitFor(3);
		} finally {
			await receiver.close();
		}
	}, 300_000);
});
