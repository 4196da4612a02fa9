import { detectDrawingType, detectResultFileType, generateKeyPair } from '../../core';
import { loadDrawing, pdfOfSize } from '../fixtures/drawings';
import { packageStartingWith } from '../fixtures/packages';

describe('detectDrawingType', () => {
	it.each([
		['pdf', 'PDF', 'application/pdf', 'pdf'],
		['png', 'PNG', 'image/png', 'png'],
		['jpeg', 'JPEG', 'image/jpeg', 'jpg'],
		['tiffLittleEndian', 'TIFF', 'image/tiff', 'tif'],
		['tiffBigEndian', 'TIFF', 'image/tiff', 'tif'],
	] as const)('recognises the %s fixture', (fixture, kind, mimeType, extension) => {
		expect(detectDrawingType(loadDrawing(fixture))).toEqual({ kind, mimeType, extension });
	});

	it('reads a plain Uint8Array as well as a Buffer', () => {
		expect(detectDrawingType(new Uint8Array(loadDrawing('png')))?.kind).toBe('PNG');
	});

	it.each([
		['empty', []],
		['text', [...Buffer.from('hello world')]],
		['"%PDF" without the dash', [...Buffer.from('%PDF1.4')]],
		['truncated PNG signature', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a]],
		['JPEG with two bytes', [0xff, 0xd8]],
		['TIFF with wrong byte order marker', [0x49, 0x4d, 0x2a, 0x00]],
		['TIFF II with big-endian 42', [0x49, 0x49, 0x00, 0x2a]],
		['GIF', [...Buffer.from('GIF89a')]],
		['BMP', [...Buffer.from('BM')]],
		['ZIP (e.g. DXF archive)', [0x50, 0x4b, 0x03, 0x04]],
		['PDF magic not at the start', [0x20, ...Buffer.from('%PDF-1.7')]],
	])('returns null for %s', (_label, bytes) => {
		expect(detectDrawingType(Uint8Array.from(bytes))).toBeNull();
	});

	it('returns a fresh object each time (callers may not mutate the table)', () => {
		const first = detectDrawingType(pdfOfSize(20));
		if (!first) throw new Error('expected a PDF');
		first.mimeType = 'text/plain';
		expect(detectDrawingType(pdfOfSize(20))?.mimeType).toBe('application/pdf');
	});

	it('throws a TypeError when misused with a string', () => {
		expect(() => detectDrawingType('%PDF-1.4' as unknown as Uint8Array)).toThrow(TypeError);
	});
});

describe('detectResultFileType', () => {
	const text = (value: string) => new TextEncoder().encode(value);

	it.each([
		['a PNG', loadDrawing('png'), 'image/png', 'png'],
		['a PDF', loadDrawing('pdf'), 'application/pdf', 'pdf'],
		['a GIF', text('GIF89a\u0001\u0000'), 'image/gif', 'gif'],
		['a WebP', Uint8Array.from([...text('RIFF'), 0, 0, 0, 0, ...text('WEBPVP8 ')]), 'image/webp', 'webp'],
		['a ZIP', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 'application/zip', 'zip'],
		['a JSON object', text('{"zones": []}'), 'application/json', 'json'],
		['a JSON array after white space and a BOM', text('\uFEFF \n[1, 2]'), 'application/json', 'json'],
		['an SVG', text('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml', 'svg'],
		['an SVG with an XML declaration', text('<?xml version="1.0"?>\n<svg/>'), 'image/svg+xml', 'svg'],
		['other XML', text('<?xml version="1.0"?>\n<drawing/>'), 'application/xml', 'xml'],
	])('recognises %s', (_label, bytes, mimeType, extension) => {
		expect(detectResultFileType(bytes)).toEqual({ mimeType, extension });
	});

	it('keeps JSON whose multi-byte character is cut by the probe (1,024 bytes)', () => {
		const json = text(`{"note": "${'a'.repeat(1012)}ü"}`);
		expect(json[1023]).toBeGreaterThan(0x7f);
		expect(detectResultFileType(json)?.mimeType).toBe('application/json');
	});

	it.each([
		['empty', new Uint8Array()],
		['plain text', text('a;b\n1;2\n')],
		['"{" followed by bytes that are not UTF-8', Uint8Array.from([0x7b, 0xff, 0xfe, 0x80, 0x00, 0x91])],
		['"<" followed by bytes that are not UTF-8', Uint8Array.from([0x3c, 0xc3, 0x28, 0xa0, 0xa1])],
	])('returns null for %s', (_label, bytes) => {
		expect(detectResultFileType(bytes)).toBeNull();
	});

	// Regression: an encrypted package whose random first byte is "{" or "<" was taken for JSON/XML, so the
	// Trigger saved it undecrypted and Download File (auto) kept it instead of reporting the wrong key.
	const { publicKey } = generateKeyPair({ modulusLength: 2048 });
	it.each(['{', '[', '<'])('an encrypted package whose first byte is "%s" is not taken for text', (first) => {
		const pkg = packageStartingWith(publicKey, loadDrawing('png'), first.charCodeAt(0));
		expect(String.fromCharCode(pkg[0])).toBe(first);
		expect(detectResultFileType(pkg)).toBeNull();
	});
});
