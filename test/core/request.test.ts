import fc from 'fast-check';
import {
	ASK_TYPES,
	DEFAULT_MAX_PAGES,
	MAX_DRAWING_BYTES,
	buildAsk,
	generateKeyPair,
	normalizePriority,
	validateCallbackHeaders,
	validateDrawing,
	validateReadRequest,
} from '../../core';
import type { ReadRequestInput } from '../../core';
import { loadDrawing, pdfOfSize } from '../fixtures/drawings';

const base = (): ReadRequestInput => ({
	drawing: loadDrawing('pdf'),
	asks: [buildAsk('META_DATA')],
	callbackUrl: 'https://n8n.example.com/webhook/werk24',
	clientVersion: '0.1.0-n8n',
});

function problemsOf(input: unknown): Array<{ path: string; reason: string }> {
	const result = validateReadRequest(input as ReadRequestInput);
	return result.ok ? [] : result.problems;
}

describe('validateDrawing', () => {
	it.each([
		['pdf', 'PDF'],
		['png', 'PNG'],
		['jpeg', 'JPEG'],
		['tiffLittleEndian', 'TIFF'],
		['tiffBigEndian', 'TIFF'],
	] as const)('accepts the %s fixture as %s', (fixture, kind) => {
		const result = validateDrawing(loadDrawing(fixture));
		expect(result.ok && result.value.kind).toBe(kind);
	});

	it('accepts exactly 10 MB and rejects one byte more, naming the size', () => {
		expect(validateDrawing(pdfOfSize(MAX_DRAWING_BYTES)).ok).toBe(true);
		const over = validateDrawing(pdfOfSize(MAX_DRAWING_BYTES + 1));
		expect(!over.ok && over.problems).toEqual([{ path: 'drawing', reason: 'Drawing is 10.1 MB; the limit is 10 MB' }]);
	});

	it('says "Drawing is 12.4 MB; the limit is 10 MB"', () => {
		const result = validateDrawing(pdfOfSize(Math.round(12.35 * 1024 * 1024)));
		expect(!result.ok && result.problems[0].reason).toBe('Drawing is 12.4 MB; the limit is 10 MB');
	});

	it('rejects an empty drawing', () => {
		const result = validateDrawing(new Uint8Array(0));
		expect(!result.ok && result.problems).toEqual([{ path: 'drawing', reason: expect.stringMatching(/^Drawing is empty/) }]);
	});

	it('names the accepted types and says MIME type and extension are not trusted', () => {
		const result = validateDrawing(Buffer.from('GIF89a....'));
		expect(!result.ok && result.problems[0].reason).toBe(
			'Drawing is not a PDF, PNG, JPEG or TIFF file (it looks like a GIF image). ' +
				'The type is read from the file content; the MIME type and file extension are not trusted.',
		);
		const unknown = validateDrawing(Uint8Array.from([1, 2, 3, 4]));
		expect(!unknown.ok && unknown.problems[0].reason).toMatch(/^Drawing is not a PDF, PNG, JPEG or TIFF file\. The type/);
		const json = validateDrawing(Buffer.from('  {"data":"JVBERi0="}'));
		expect(!json.ok && json.problems[0].reason).toContain('(it looks like JSON text)');
	});

	it('reports both a wrong type and a wrong size', () => {
		const big = new Uint8Array(MAX_DRAWING_BYTES + 1);
		const result = validateDrawing(big);
		expect(!result.ok && result.problems.map((problem) => problem.reason.slice(0, 20))).toEqual(['Drawing is 10.1 MB; ', 'Drawing is not a PDF']);
	});

	it.each([['a string', '%PDF-1.4'], ['null', null], ['an array', [0x25]]])('rejects %s instead of throwing', (_label, value) => {
		const result = validateDrawing(value as unknown as Uint8Array);
		expect(!result.ok && result.problems[0].reason).toMatch(/^Drawing must be binary data/);
	});
});

describe('validateCallbackHeaders', () => {
	it('accepts Authorization and X- headers in any case', () => {
		expect(validateCallbackHeaders({ 'X-Werk24-Token': 's', authorization: 'Bearer t', 'x-a': '', AUTHORIZATION2: 'no' }).map((p) => p.path)).toEqual([
			'callbackHeaders.AUTHORIZATION2',
		]);
	});

	it('uses werk24-python wording for a disallowed name', () => {
		expect(validateCallbackHeaders({ Cookie: 'a=b' })).toEqual([
			{ path: 'callbackHeaders.Cookie', reason: 'Invalid header "Cookie": must start with "X-" or be "Authorization"' },
		]);
	});

	it('enforces the 128/4096 limits at the boundary', () => {
		const name128 = 'X-' + 'a'.repeat(126);
		expect(validateCallbackHeaders({ [name128]: 'v'.repeat(4096) })).toEqual([]);
		const problems = validateCallbackHeaders({ [name128 + 'b']: 'v', 'X-Long': 'v'.repeat(4097) });
		expect(problems.map((problem) => problem.reason)).toEqual([
			'Header name is 129 characters; the limit is 128',
			'Value of header "X-Long" is 4097 characters; the limit is 4096',
		]);
	});

	it('rejects names that cannot be HTTP header names, values with line breaks, non-text values and duplicates', () => {
		const problems = validateCallbackHeaders({
			'X-Has Space': 'v',
			'X-Inject': 'a\r\nSet-Cookie: x',
			'X-Number': 5 as unknown as string,
			'X-Dup': 'a',
			'x-dup': 'b',
		});
		expect(problems.map((problem) => problem.path)).toEqual([
			'callbackHeaders.X-Has Space',
			'callbackHeaders.X-Inject',
			'callbackHeaders.X-Number',
			'callbackHeaders.x-dup',
		]);
	});

	it('rejects a non-object', () => {
		expect(validateCallbackHeaders('X-Token: a' as never)[0].path).toBe('callbackHeaders');
	});
});

describe('normalizePriority', () => {
	it.each([
		['PRIO1', 'PRIO1'],
		['prio2', 'PRIO2'],
		[' Prio3 ', 'PRIO3'],
		['', null],
		['  ', null],
		[null, null],
		[undefined, null],
	])('%p → %p', (input, expected) => {
		expect(normalizePriority(input)).toEqual({ ok: true, value: expected });
	});

	it.each(['PRIO4', 'PRIO', 'high', 1, true, {}])('rejects %p', (input) => {
		const result = normalizePriority(input);
		expect(!result.ok && result.problems[0]).toEqual({ path: 'priority', reason: expect.stringContaining('PRIO1, PRIO2 or PRIO3') });
	});
});

describe('validateReadRequest', () => {
	it('fills defaults: 5 pages, no priority, no headers, no key, a file name from the type', () => {
		const result = validateReadRequest(base());
		expect(result).toEqual({
			ok: true,
			value: {
				drawing: base().drawing,
				fileName: 'drawing.pdf',
				drawingType: { kind: 'PDF', mimeType: 'application/pdf', extension: 'pdf' },
				asks: [buildAsk('META_DATA')],
				callbackUrl: 'https://n8n.example.com/webhook/werk24',
				callbackHeaders: null,
				maxPages: DEFAULT_MAX_PAGES,
				priority: null,
				publicKey: null,
				clientVersion: '0.1.0-n8n',
			},
		});
	});

	it.each([
		['png', 'drawing.png'],
		['jpeg', 'drawing.jpg'],
		['tiffBigEndian', 'drawing.tif'],
	] as const)('names a %s drawing %s by default', (fixture, name) => {
		const result = validateReadRequest({ ...base(), drawing: loadDrawing(fixture), fileName: '' });
		expect(result.ok && result.value.fileName).toBe(name);
	});

	it('keeps a given file name, priority and headers, normalised', () => {
		const result = validateReadRequest({
			...base(),
			fileName: ' flange.pdf ',
			priority: 'prio1',
			callbackHeaders: { 'X-Werk24-Token': 'abcdefghijklmnop' },
			maxPages: 2,
		});
		expect(result.ok && [result.value.fileName, result.value.priority, result.value.callbackHeaders, result.value.maxPages]).toEqual([
			'flange.pdf',
			'PRIO1',
			{ 'X-Werk24-Token': 'abcdefghijklmnop' },
			2,
		]);
	});

	it('treats empty headers as none', () => {
		const result = validateReadRequest({ ...base(), callbackHeaders: {} });
		expect(result.ok && result.value.callbackHeaders).toBeNull();
	});

	it('accepts a real public key and rejects a private key in its place', () => {
		const keys = generateKeyPair({ modulusLength: 2048 });
		const accepted = validateReadRequest({ ...base(), publicKey: keys.publicKey });
		expect(accepted.ok && accepted.value.publicKey).toBe(keys.publicKey);
		expect(problemsOf({ ...base(), publicKey: keys.privateKey }).map((problem) => problem.path)).toEqual(['publicKey']);
		expect(problemsOf({ ...base(), publicKey: 'not a key' }).map((problem) => problem.path)).toEqual(['publicKey']);
	});

	it('collects every problem at once', () => {
		const problems = problemsOf({
			drawing: new Uint8Array(0),
			asks: [],
			callbackUrl: 'ftp://example.com/hook',
			callbackHeaders: { Cookie: 'x' },
			maxPages: 0,
			priority: 'urgent',
			clientVersion: '',
			fileName: 7,
		});
		expect(problems.map((problem) => problem.path)).toEqual([
			'drawing',
			'fileName',
			'asks',
			'callbackUrl',
			'callbackHeaders.Cookie',
			'maxPages',
			'priority',
			'clientVersion',
		]);
	});

	it.each([
		['a relative URL', '/webhook/werk24', /absolute http\(s\) URL/],
		['no URL', '', /Callback URL is required/],
		['a mailto URL', 'mailto:a@example.com', /must use http or https, got "mailto"/],
		['a very long URL', 'https://example.com/' + 'a'.repeat(2100), /the limit is 2083/],
	])('rejects %s as callback URL', (_label, callbackUrl, reason) => {
		const problems = problemsOf({ ...base(), callbackUrl });
		expect(problems).toHaveLength(1);
		expect(problems[0].reason).toMatch(reason);
	});

	it.each([0, -1, 2.5, '5', Number.NaN, Number.POSITIVE_INFINITY])('rejects max pages %p', (maxPages) => {
		expect(problemsOf({ ...base(), maxPages }).map((problem) => problem.path)).toEqual(['maxPages']);
	});

	it('reports ask problems with their paths', () => {
		const problems = problemsOf({ ...base(), asks: [buildAsk('META_DATA'), { ask_type: 'REDACTION', output_format: 'JPG' }] });
		expect(problems.map((problem) => problem.path)).toEqual(['asks[1].output_format']);
	});

	it('never throws on arbitrary input', () => {
		const anyField = fc.oneof(
			fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withTypedArray: true }),
			fc.constant(loadDrawing('png')),
			fc.webUrl(),
			fc.constantFrom('PRIO1', '', null),
		);
		const requestLike = fc.record(
			{
				drawing: anyField,
				fileName: anyField,
				asks: fc.oneof(anyField, fc.array(anyField)),
				callbackUrl: anyField,
				callbackHeaders: fc.oneof(anyField, fc.dictionary(fc.string(), anyField)),
				maxPages: anyField,
				priority: anyField,
				publicKey: anyField,
				clientVersion: anyField,
			},
			{ requiredKeys: [] },
		);
		fc.assert(
			fc.property(fc.oneof(requestLike, fc.anything()), (input) => {
				const result = validateReadRequest(input as ReadRequestInput);
				if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
			}),
			{ numRuns: 1500 },
		);
	});

	const magic = fc.constantFrom(
		[0x25, 0x50, 0x44, 0x46, 0x2d],
		[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
		[0xff, 0xd8, 0xff],
		[0x49, 0x49, 0x2a, 0x00],
		[0x4d, 0x4d, 0x00, 0x2a],
	);
	const headerName = fc.oneof(
		fc.constant('Authorization'),
		fc.stringMatching(/^[Xx]-[A-Za-z0-9-]{1,40}$/),
	);
	const validRequest = fc.record({
		drawing: fc.tuple(magic, fc.uint8Array({ maxLength: 300 })).map(([head, tail]) => Uint8Array.from([...head, ...tail])),
		fileName: fc.option(fc.stringMatching(/^[\w.-]{1,30}$/), { nil: undefined }),
		asks: fc.uniqueArray(fc.constantFrom(...ASK_TYPES), { minLength: 1 }).map((types) =>
			types.map((type) => buildAsk(type, type === 'CUSTOM' ? { custom_id: 'c' } : undefined)),
		),
		callbackUrl: fc.webUrl({ withQueryParameters: true }).filter((url) => url.length <= 2083),
		callbackHeaders: fc.option(fc.dictionary(headerName, fc.string({ maxLength: 100 }).filter((v) => !/[\r\n\0]/.test(v)), { maxKeys: 3 }).filter(
			(headers) => new Set(Object.keys(headers).map((name) => name.toLowerCase())).size === Object.keys(headers).length,
		)),
		maxPages: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
		priority: fc.constantFrom('PRIO1', 'prio2', ' Prio3', '', null, undefined),
		publicKey: fc.constantFrom(null, undefined, ''),
		clientVersion: fc.stringMatching(/^\d+\.\d+\.\d+(-n8n)?$/),
	});

	it('accepts generated valid requests', () => {
		fc.assert(
			fc.property(validRequest, (input) => {
				const result = validateReadRequest(input as ReadRequestInput);
				if (!result.ok) throw new Error(JSON.stringify(result.problems));
				expect(result.value.drawing).toBe(input.drawing);
				expect(result.value.maxPages).toBe(input.maxPages ?? DEFAULT_MAX_PAGES);
				expect(result.value.asks).toEqual(input.asks);
			}),
			{ numRuns: 1000 },
		);
	});
});
