import { MAX_DRAWING_BYTES, buildAsk, buildReadForm, pythonJsonDumps, readFormFields, validateReadRequest } from '../../core';
import type { ReadRequest, ReadRequestInput } from '../../core';
import { loadDrawing, pdfOfSize } from '../fixtures/drawings';
import { loadExample } from '../fixtures/examples';
import { encodeForm, parseMultipart } from '../helpers/multipart';
import pythonDumps from '../fixtures/python-json-dumps.json';

interface HttpExample {
	request: {
		multipart_parts: Array<{ name: string; filename?: string; content_type: string; body: string }>;
		decoded_fields: Record<string, unknown>;
	};
}

const example = loadExample<HttpExample>('01-http-read-with-callback.json');

function validated(input: ReadRequestInput): ReadRequest {
	const result = validateReadRequest(input);
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.value;
}

/** The request the documented example was made from, with a real PDF as the drawing. */
function exampleRequest(drawing: Uint8Array = loadDrawing('pdf')): ReadRequest {
	const fields = example.request.decoded_fields;
	return validated({
		drawing,
		asks: ['META_DATA', 'FEATURES', 'SHEET_IMAGES'].map((type) => buildAsk(type as 'META_DATA')),
		callbackUrl: fields.callback_url as string,
		callbackHeaders: fields.callback_headers as Record<string, string>,
		maxPages: fields.max_pages as number,
		clientVersion: fields.client_version as string,
	});
}

describe('pythonJsonDumps', () => {
	const pairs = (pythonDumps as unknown as { pairs: Array<[unknown, string]> }).pairs;

	it.each(pairs.map(([value, expected]) => [expected, value]))('writes %s as CPython json.dumps does', (expected, value) => {
		expect(pythonJsonDumps(value)).toBe(expected);
	});

	it('decodes back to the same value', () => {
		for (const [value] of pairs) expect(JSON.parse(pythonJsonDumps(value))).toEqual(value);
	});

	it('drops undefined members and writes non-finite numbers as null, as JSON.stringify does', () => {
		expect(pythonJsonDumps({ a: undefined, b: 1, c: Number.NaN })).toBe('{"b": 1, "c": null}');
		expect(pythonJsonDumps([undefined, Number.POSITIVE_INFINITY])).toBe('[null, null]');
	});

	it('refuses values JSON has no form for', () => {
		expect(() => pythonJsonDumps(BigInt(1))).toThrow(TypeError);
	});
});

describe('buildReadForm', () => {
	it('encodes the documented request with the same fields, in the same order, byte for byte', async () => {
		const drawing = loadDrawing('pdf');
		const { body, contentType } = await encodeForm(buildReadForm(exampleRequest(drawing)));
		expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
		const parts = await parseMultipart(body, contentType);

		expect(parts.map((part) => part.name)).toEqual(example.request.multipart_parts.map((part) => part.name));
		for (const expected of example.request.multipart_parts.slice(1)) {
			const part = parts.find((candidate) => candidate.name === expected.name);
			expect([expected.name, part?.data.toString('utf8')]).toEqual([expected.name, expected.body]);
			expect(part?.filename).toBeUndefined();
		}
		const drawingPart = parts[0];
		expect(drawingPart.filename).toBe('drawing.pdf');
		expect(drawingPart.mimeType).toBe('application/pdf');
		expect(drawingPart.data.equals(drawing)).toBe(true);
	});

	// Pins a known, harmless difference: werk24-python labels text parts "text/plain; charset=utf-8" and the
	// drawing "application/octet-stream"; web FormData cannot label a text part, and RFC 7578 reads an unlabelled
	// part as text/plain. The drawing part carries its detected type.
	it('labels the drawing with its detected type and sends text parts without a Content-Type', async () => {
		const { body } = await encodeForm(buildReadForm(exampleRequest()));
		const headerBlocks = body
			.toString('latin1')
			.split(/\r\n--/)
			.map((part) => part.split('\r\n\r\n')[0])
			.filter((head) => /Content-Disposition/i.test(head));
		expect(headerBlocks).toHaveLength(example.request.multipart_parts.length);
		const [drawingHead, ...textHeads] = headerBlocks;
		expect(drawingHead).toMatch(/name="drawing"; filename="drawing\.pdf"\r\nContent-Type: application\/pdf$/i);
		for (const head of textHeads) expect(head).not.toMatch(/Content-Type/i);
	});

	it('decodes every field to the documented value', async () => {
		const { body, contentType } = await encodeForm(buildReadForm(exampleRequest()));
		const parts = await parseMultipart(body, contentType);
		const decoded = Object.fromEntries(parts.slice(1).map((part) => [part.name, JSON.parse(part.data.toString('utf8'))]));
		expect(decoded).toEqual(example.request.decoded_fields);
	});

	it('carries a 10 MB drawing unchanged', async () => {
		const drawing = pdfOfSize(MAX_DRAWING_BYTES);
		const { body, contentType } = await encodeForm(buildReadForm(exampleRequest(drawing)));
		const parts = await parseMultipart(body, contentType);
		expect(parts[0].data.length).toBe(MAX_DRAWING_BYTES);
		expect(parts[0].data.equals(drawing)).toBe(true);
	});

	it.each([
		['png', 'image/png', 'drawing.png'],
		['jpeg', 'image/jpeg', 'drawing.jpg'],
		['tiffLittleEndian', 'image/tiff', 'drawing.tif'],
	] as const)('sends a %s drawing with its sniffed MIME type and default name', async (fixture, mimeType, filename) => {
		const drawing = loadDrawing(fixture);
		const { body, contentType } = await encodeForm(buildReadForm(exampleRequest(drawing)));
		const [part] = await parseMultipart(body, contentType);
		expect([part.name, part.mimeType, part.filename]).toEqual(['drawing', mimeType, filename]);
		expect(part.data.equals(drawing)).toBe(true);
	});

	it('JSON-encodes the optional fields when they are set, non-ASCII escaped as Python does', async () => {
		const request = validated({
			drawing: loadDrawing('png'),
			fileName: 'Zeichnung "Flansch"\n.png',
			asks: [buildAsk('REDACTION', { redact_keywords: ['Müller'] }), { version: 'v1', ask_type: 'TITLE_BLOCK', is_training: false }],
			callbackUrl: 'https://n8n.example.com/webhook/abc?x=1',
			callbackHeaders: { 'X-Werk24-Token': 'geheim-ß', Authorization: 'Token t' },
			maxPages: 12,
			priority: 'prio3',
			publicKey: null,
			clientVersion: '0.1.0-n8n',
		});
		const { body, contentType } = await encodeForm(buildReadForm(request));
		const parts = await parseMultipart(body, contentType);
		const text = Object.fromEntries(parts.slice(1).map((part) => [part.name, part.data.toString('utf8')]));
		expect(text).toEqual({
			asks:
				'[{"ask_version": "v2", "ask_type": "REDACTION", "redact_logos": true, "redact_company_data": true, "redact_personal_data": true, ' +
				'"redact_keywords": [{"keyword": "M\\u00fcller"}], "output_format": "PDF", "fill_color": "#ffffff"}, ' +
				'{"version": "v1", "ask_type": "TITLE_BLOCK", "is_training": false}]',
			callback_url: '"https://n8n.example.com/webhook/abc?x=1"',
			callback_headers: '{"X-Werk24-Token": "geheim-\\u00df", "Authorization": "Token t"}',
			max_pages: '12',
			client_version: '"0.1.0-n8n"',
			public_key: 'null',
			priority: '"PRIO3"',
		});
		// FormData escapes quotes and line breaks in the file name (as stripe's multipart encoder does).
		expect(body.toString('latin1')).toContain('filename="Zeichnung %22Flansch%22%0A.png"');
	});

	it('lists the fields in werk24-python order', () => {
		expect(readFormFields(exampleRequest()).map(([name]) => name)).toEqual([
			'asks', 'callback_url', 'callback_headers', 'max_pages', 'client_version', 'public_key', 'priority',
		]);
	});
});
