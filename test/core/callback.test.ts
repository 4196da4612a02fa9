import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { encryptPackage, handleCallback, secretMatches, type CallbackConfig, type CallbackRequest } from '../../core';
import { loadExample } from '../fixtures/examples';
import { testKey } from '../fixtures/testKeys';

const publicPem = testKey('test-only-main.public.pem');
const privatePem = testKey('test-only-main.private.pem');
const encryptedPrivatePem = testKey('test-only-main.private.encrypted.pem');
const otherPrivatePem = testKey('test-only-other.private.pem');

const SECRET = 'a-very-long-shared-secret-0123456789';
const sequence = loadExample<Array<Record<string, unknown>>>('02-callback-sequence-metadata-sheetimages-features.json');
const [started, metaData, sheetImages, features, completed] = sequence;

const auth = { headerName: 'X-Werk24-Token', secret: SECRET };
const config = (extra: Partial<CallbackConfig> = {}): CallbackConfig => ({ auth, ...extra });
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const request = (body: Uint8Array | undefined, headers: CallbackRequest['headers'] = {}): CallbackRequest => ({
	headers: { 'x-werk24-token': SECRET, 'content-type': 'application/json', ...headers },
	rawBody: body,
});

describe('secretMatches', () => {
	it('compares exactly', () => {
		expect(secretMatches(SECRET, SECRET)).toBe(true);
		expect(secretMatches(`${SECRET} `, SECRET)).toBe(false);
		expect(secretMatches(SECRET.slice(0, -1), SECRET)).toBe(false);
		expect(secretMatches(undefined, SECRET)).toBe(false);
		expect(secretMatches('', '')).toBe(false); // an empty configured secret never authenticates
		expect(secretMatches(undefined, '')).toBe(false);
	});

	it('goes through timingSafeEqual over digests of equal length, whatever the input lengths', () => {
		// A pass-through spy on the real module (the namespace import is a copy): nothing is mocked.
		const spy = jest.spyOn(jest.requireActual<typeof crypto>('node:crypto'), 'timingSafeEqual');
		try {
			secretMatches('x', SECRET);
			secretMatches('x'.repeat(5000), SECRET);
			secretMatches(undefined, SECRET);
			expect(spy).toHaveBeenCalledTimes(3);
			for (const [a, b] of spy.mock.calls) {
				expect((a as Buffer).length).toBe(32);
				expect((b as Buffer).length).toBe(32);
			}
		} finally {
			spy.mockRestore();
		}
	});
});

describe('handleCallback: authentication comes first', () => {
	it.each([
		['missing header', {}],
		['wrong secret', { 'x-werk24-token': 'wrong-secret-0123456789' }],
		['prefix of the secret', { 'x-werk24-token': SECRET.slice(0, 10) }],
		['repeated header', { 'x-werk24-token': [SECRET, SECRET] }],
		['empty value', { 'x-werk24-token': '' }],
	])('%s → 401 before the body is read', (_label, headers) => {
		const verdict = handleCallback(
			{ headers: { 'x-werk24-token': undefined, ...headers }, rawBody: Buffer.from('not json at all') },
			config(),
		);
		expect(verdict).toEqual({ status: 401, body: { error: 'unauthorized' }, messages: [] });
	});

	it('finds the header whatever its case', () => {
		for (const name of ['X-WERK24-TOKEN', 'x-werk24-token', 'X-Werk24-Token']) {
			const verdict = handleCallback({ headers: { [name]: SECRET }, rawBody: json(started) }, config());
			expect(verdict.status).toBe(200);
		}
		const custom = handleCallback(
			{ headers: { authorization: SECRET }, rawBody: json(started) },
			config({ auth: { headerName: 'Authorization', secret: SECRET } }),
		);
		expect(custom.status).toBe(200);
	});

	it('a single-element header array counts', () => {
		expect(handleCallback({ headers: { 'x-werk24-token': [SECRET] }, rawBody: json(started) }, config()).status).toBe(200);
	});

	it('auth: null accepts any caller; a missing auth object fails closed', () => {
		expect(handleCallback({ headers: {}, rawBody: json(started) }, { auth: null }).status).toBe(200);
		expect(handleCallback({ headers: {}, rawBody: json(started) }, {} as CallbackConfig).status).toBe(401);
	});
});

describe('handleCallback: body', () => {
	it('one message object → 200 emitted 1', () => {
		const verdict = handleCallback(request(json(metaData)), config());
		expect(verdict.status).toBe(200);
		expect(verdict.body).toEqual({ received: true, emitted: 1 });
		expect(verdict.messages).toHaveLength(1);
		expect(verdict.messages[0].message_subtype).toBe('META_DATA');
		expect(verdict.messages[0].request_id).toBe(metaData.request_id);
	});

	it('an array of messages → all of them, in order', () => {
		const verdict = handleCallback(request(json(sequence)), config());
		expect(verdict.body).toEqual({ received: true, emitted: 5 });
		expect(verdict.messages.map((m) => m.message_subtype)).toEqual([
			'STARTED',
			'META_DATA',
			'SHEET_IMAGES',
			'FEATURES',
			'COMPLETED',
		]);
	});

	it('prefers rawBody over a parsed body, and falls back to the parsed body', () => {
		const both = handleCallback({ ...request(json(features)), body: completed }, config());
		expect(both.messages[0].message_subtype).toBe('FEATURES');
		const parsedOnly = handleCallback({ headers: { 'x-werk24-token': SECRET }, body: completed }, config());
		expect(parsedOnly.messages[0].message_subtype).toBe('COMPLETED');
		const emptyRaw = handleCallback({ ...request(Buffer.alloc(0)), body: [started, completed] }, config());
		expect(emptyRaw.body).toEqual({ received: true, emitted: 2 });
		const stringBody = handleCallback({ headers: { 'x-werk24-token': SECRET }, body: JSON.stringify(started) }, config());
		expect(stringBody.status).toBe(200);
	});

	it('tolerates a UTF-8 BOM and surrounding whitespace', () => {
		const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\n '), json(started)]);
		expect(handleCallback(request(bytes), config()).status).toBe(200);
	});

	it.each([
		['empty body', Buffer.alloc(0), /body is empty/],
		['whitespace only', Buffer.from('  \n'), /body is empty/],
		['invalid JSON', Buffer.from('{"request_id": '), /not valid JSON/],
		['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /UTF-8/],
		['a JSON number', Buffer.from('42'), /invalid message/],
		['an empty object', Buffer.from('{}'), /invalid message/],
		['a bad message_type', json({ ...started, message_type: 'NOPE' }), /invalid message: .*message_type/],
		['a bad element in an array', json([started, { ...metaData, request_id: 'not-a-uuid' }]), /invalid message: .*request_id/],
	])('%s → 400 with a short reason', (_label, body, reason) => {
		const verdict = handleCallback(request(body), config());
		expect(verdict.status).toBe(400);
		expect(verdict.messages).toEqual([]);
		expect(String(verdict.body.error)).toMatch(reason);
		expect(String(verdict.body.error).length).toBeLessThanOrEqual(160);
	});

	it('never echoes the payload or the secret in a 400', () => {
		const body = json({ ...metaData, message_type: 'SECRET-PAYLOAD-MARKER', payload_url: 'https://x.example/?sig=SIGNATURE' });
		const verdict = handleCallback(request(body), config());
		expect(verdict.status).toBe(400);
		const text = JSON.stringify(verdict.body);
		expect(text).not.toContain(SECRET);
		expect(text).not.toContain('SIGNATURE');
		expect(text).not.toContain('W24-4711-A');
	});
});

describe('handleCallback: encrypted bodies', () => {
	const octet = { 'content-type': 'application/octet-stream' };

	it('decrypts an application/octet-stream package with the private key', () => {
		const pkg = encryptPackage(publicPem, json(sequence));
		const verdict = handleCallback(request(pkg, octet), config({ privateKey: { pem: privatePem } }));
		expect(verdict.body).toEqual({ received: true, emitted: 5 });
	});

	it('uses the passphrase, and treats an empty passphrase as none', () => {
		const pkg = encryptPackage(publicPem, json(started));
		const ok = handleCallback(
			request(pkg, octet),
			config({ privateKey: { pem: encryptedPrivatePem, passphrase: 'test-only-passphrase' } }),
		);
		expect(ok.status).toBe(200);
		const plain = handleCallback(request(pkg, octet), config({ privateKey: { pem: privatePem, passphrase: '' } }));
		expect(plain.status).toBe(200);
	});

	it('decrypts a binary body without a content type when a private key is configured', () => {
		const pkg = encryptPackage(publicPem, json(started));
		const verdict = handleCallback(request(pkg, { 'content-type': undefined }), config({ privateKey: { pem: privatePem } }));
		expect(verdict.status).toBe(200);
	});

	it('decrypts a package without a content type whose random first byte looks like JSON', () => {
		let pkg = encryptPackage(publicPem, json(started));
		while (pkg[0] !== 0x7b) pkg = encryptPackage(publicPem, json(started)); // "{" — about one package in 256
		const verdict = handleCallback(request(pkg, { 'content-type': undefined }), config({ privateKey: { pem: privatePem } }));
		expect(verdict.body).toEqual({ received: true, emitted: 1 });
		// Without the key it is still what it looks like: broken JSON.
		expect(handleCallback(request(pkg, { 'content-type': undefined }), config()).status).toBe(400);
		// Broken JSON that is no package keeps its JSON reason when a key is configured.
		const broken = handleCallback(request(Buffer.from('{"request_id": '), { 'content-type': undefined }), config({ privateKey: { pem: privatePem } }));
		expect(broken.body).toEqual({ error: 'body is not valid JSON' });
	});

	it.each([
		['no private key configured', undefined, undefined, /no private key is configured/],
		['wrong key', otherPrivatePem, undefined, /could not be decrypted: .*wrong key/],
		['wrong passphrase', encryptedPrivatePem, 'nope', /could not be decrypted: .*wrong passphrase/],
	])('%s → 400', (_label, pem, passphrase, reason) => {
		const pkg = encryptPackage(publicPem, json(started));
		const verdict = handleCallback(request(pkg, octet), config(pem ? { privateKey: { pem, passphrase } } : {}));
		expect(verdict.status).toBe(400);
		expect(String(verdict.body.error)).toMatch(reason);
		expect(String(verdict.body.error)).not.toContain('PRIVATE KEY');
	});

	it('tampered and truncated packages → 400', () => {
		const pkg = encryptPackage(publicPem, json(started));
		const tampered = Buffer.from(pkg);
		tampered[pkg.length - 1] ^= 1;
		expect(handleCallback(request(tampered, octet), config({ privateKey: { pem: privatePem } })).body.error).toMatch(/tampered/);
		expect(handleCallback(request(pkg.subarray(0, 100), octet), config({ privateKey: { pem: privatePem } })).body.error).toMatch(
			/truncated/,
		);
	});

	it('a package whose plaintext is not a message → 400 from the parser', () => {
		const pkg = encryptPackage(publicPem, Buffer.from('{"hello":1}'));
		const verdict = handleCallback(request(pkg, octet), config({ privateKey: { pem: privatePem } }));
		expect(verdict.status).toBe(400);
		expect(String(verdict.body.error)).toMatch(/invalid message/);
	});
});

describe('handleCallback: filters', () => {
	it('message types', () => {
		const verdict = handleCallback(request(json(sequence)), config({ messageTypes: ['PROGRESS'] }));
		expect(verdict.messages.map((m) => m.message_subtype)).toEqual(['STARTED', 'COMPLETED']);
		expect(verdict.body).toEqual({ received: true, emitted: 2 });
	});

	it('ask types apply to ASK messages only', () => {
		const verdict = handleCallback(request(json(sequence)), config({ askTypes: ['FEATURES'] }));
		expect(verdict.messages.map((m) => m.message_subtype)).toEqual(['STARTED', 'FEATURES', 'COMPLETED']);
	});

	it('results of v1 or newer asks pass any Ask Types selection (they cannot be selected, so never dropped)', () => {
		const titleBlock = { ...metaData, message_subtype: 'TITLE_BLOCK' };
		const newer = { ...metaData, message_subtype: 'SOME_FUTURE_ASK' };
		const verdict = handleCallback(request(json([titleBlock, newer, metaData])), config({ askTypes: ['FEATURES'] }));
		expect(verdict.messages.map((m) => m.message_subtype)).toEqual(['TITLE_BLOCK', 'SOME_FUTURE_ASK']);
	});

	it('everything filtered out → 200 emitted 0', () => {
		const verdict = handleCallback(request(json(metaData)), config({ messageTypes: ['ERROR'] }));
		expect(verdict).toEqual({ status: 200, body: { received: true, emitted: 0 }, messages: [] });
		const asks = handleCallback(request(json(sheetImages)), config({ askTypes: ['META_DATA'] }));
		expect(asks.body).toEqual({ received: true, emitted: 0 });
	});

	it('empty lists mean all', () => {
		expect(handleCallback(request(json(sequence)), config({ messageTypes: [], askTypes: [] })).body.emitted).toBe(5);
	});
});

describe('handleCallback never throws', () => {
	const headerValue = fc.oneof(fc.string(), fc.constant(SECRET), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined));
	const headers = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('X-Werk24-Token', 'content-type')), headerValue);
	const body = fc.oneof(
		fc.uint8Array({ maxLength: 400 }),
		fc.json().map((text) => Buffer.from(text)),
		fc.jsonValue().map((value) => json(value)),
		fc.constant(json(sequence)),
		fc.constant(undefined),
	);
	const parsedBody = fc.oneof(fc.anything(), fc.constant(undefined));
	const configs = fc.oneof(
		fc.constant(config()),
		fc.constant<CallbackConfig>({ auth: null }),
		fc.constant(config({ privateKey: { pem: privatePem } })),
		fc.record({
			auth: fc.oneof(fc.constant(null), fc.record({ headerName: fc.string(), secret: fc.string() })),
			messageTypes: fc.array(fc.string(), { maxLength: 3 }),
			askTypes: fc.array(fc.string(), { maxLength: 3 }),
		}),
	);

	it('1,000 random bodies and headers → only 200, 400 or 401', () => {
		fc.assert(
			fc.property(headers, body, parsedBody, fc.option(fc.string()), configs, (h, raw, parsed, contentType, cfg) => {
				const verdict = handleCallback({ headers: h, rawBody: raw, body: parsed, contentType: contentType ?? undefined }, cfg);
				if (![200, 400, 401].includes(verdict.status)) return false;
				if (verdict.status !== 200) return verdict.messages.length === 0 && typeof verdict.body.error === 'string';
				return verdict.body.emitted === verdict.messages.length;
			}),
			{ numRuns: 1000 },
		);
	});

	it('random headers without the secret never pass authentication', () => {
		fc.assert(
			fc.property(headers, (h) => {
				const found = Object.entries(h).some(([k, v]) => k.toLowerCase() === 'x-werk24-token' && (v === SECRET || (Array.isArray(v) && v.length === 1 && v[0] === SECRET)));
				const verdict = handleCallback({ headers: h, rawBody: json(started) }, config());
				return found ? verdict.status === 200 : verdict.status === 401;
			}),
			{ numRuns: 1000 },
		);
	});
});
