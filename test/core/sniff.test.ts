import { detectDrawingType } from '../../core';
import { loadDrawing, pdfOfSize } from '../fixtures/drawings';

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
