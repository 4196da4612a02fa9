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

/** A result file's type: what Werk24 returns unencrypted besides drawings (images, JSON, ZIP, SVG/XML). */
export interface ResultFileType {
	mimeType: string;
	extension: string;
}

const TEXT_PROBE_BYTES = 1024;

/** Text only when the head is valid UTF-8: an encrypted package starts with random bytes, which almost never are. */
function textHead(bytes: Uint8Array): string | null {
	try {
		// stream: true tolerates a multi-byte character cut at the probe's end.
		const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes.subarray(0, TEXT_PROBE_BYTES), { stream: true });
		return text.trimStart();
	} catch {
		return null;
	}
}

/**
 * The type of a downloaded result file from its leading bytes, or null for anything else (with a private key
 * at hand: an encrypted package). JSON and XML also need a valid UTF-8 head, so a package whose random first
 * byte happens to be "{" or "<" is not mistaken for text (about one package in eighty otherwise).
 */
export function detectResultFileType(bytes: Uint8Array): ResultFileType | null {
	const drawing = detectDrawingType(bytes);
	if (drawing) return { mimeType: drawing.mimeType, extension: drawing.extension };
	const head = String.fromCharCode(...bytes.subarray(0, 12));
	if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return { mimeType: 'image/gif', extension: 'gif' };
	if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return { mimeType: 'image/webp', extension: 'webp' };
	if (head.startsWith('PK\u0003\u0004')) return { mimeType: 'application/zip', extension: 'zip' };
	const text = textHead(bytes);
	if (text === null) return null;
	if (text.startsWith('{') || text.startsWith('[')) return { mimeType: 'application/json', extension: 'json' };
	if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) {
		return { mimeType: 'image/svg+xml', extension: 'svg' };
	}
	if (text.startsWith('<?xml')) return { mimeType: 'application/xml', extension: 'xml' };
	return null;
}
