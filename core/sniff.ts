import type { DrawingType } from './types';

interface Signature {
	type: DrawingType;
	magic: readonly number[];
}

// Only the leading bytes decide: a file name or a declared MIME type can lie (werk24-python's
// preflight checks the object, and the service rejects what it cannot open).
const SIGNATURES: readonly Signature[] = [
	{ type: { kind: 'PDF', mimeType: 'application/pdf', extension: 'pdf' }, magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
	{
		type: { kind: 'PNG', mimeType: 'image/png', extension: 'png' },
		magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
	},
	{ type: { kind: 'JPEG', mimeType: 'image/jpeg', extension: 'jpg' }, magic: [0xff, 0xd8, 0xff] },
	{ type: { kind: 'TIFF', mimeType: 'image/tiff', extension: 'tif' }, magic: [0x49, 0x49, 0x2a, 0x00] },
	{ type: { kind: 'TIFF', mimeType: 'image/tiff', extension: 'tif' }, magic: [0x4d, 0x4d, 0x00, 0x2a] },
];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
	if (bytes.length < magic.length) return false;
	return magic.every((byte, index) => bytes[index] === byte);
}

/** The drawing's type from its magic bytes (PDF, PNG, JPEG, TIFF); null when it is none of them. */
export function detectDrawingType(bytes: Uint8Array): DrawingType | null {
	if (!(bytes instanceof Uint8Array)) throw new TypeError('detectDrawingType expects a Uint8Array');
	const match = SIGNATURES.find((signature) => startsWith(bytes, signature.magic));
	return match ? { ...match.type } : null;
}
