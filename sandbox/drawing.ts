// What the sandbox learns from a drawing's bytes: type (core's magic-byte sniffer), page count (pdf-lib),
// whether it can be read at all, and optional title-block hints embedded by the project's fixtures.
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { detectDrawingType, type DrawingType } from '../core';
import { readPngText } from './images';

/** Key under which fixtures store their title-block values (PDF Subject / PNG tEXt). */
export const HINTS_KEY = 'werk24-sandbox-hints';

export interface TitleBlockHints {
	drawing_number?: string;
	part_number?: string;
	designation?: string;
	material?: string;
	weight_kg?: string;
}

export interface PageSize {
	widthPt: number;
	heightPt: number;
}

export interface InspectedDrawing {
	bytes: Buffer;
	sha256: string;
	type: DrawingType | null;
	/** Pages in the file (PDF: from pdf-lib; images: 1); 0 when unreadable. */
	pageCount: number;
	pageSizes: PageSize[];
	/** Why the sandbox cannot read it, as a TechRead exception type; null when readable. */
	unreadable: 'DRAWING_CONTENT_NOT_UNDERSTOOD' | 'DRAWING_FILE_FORMAT_UNSUPPORTED' | null;
	/** Decoded pixels for PNG input (used for scaled copies and redaction). */
	image: PNG | null;
	hints: TitleBlockHints;
}

/** A non-negative decimal number as text, e.g. "0.42". */
const DECIMAL = /^\d{1,9}(\.\d{1,9})?$/;

interface PixelSize {
	width: number;
	height: number;
}

// SOF0–SOF15 without DHT (C4), JPG (C8) and DAC (CC), which share the range.
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const JPEG_SOS = 0xda;

/**
 * The image size from a JPEG's frame header, or null unless the file is SOI followed by well-formed marker
 * segments up to and including a complete SOS header, with an SOFn (non-zero size, consistent length) before it.
 * The entropy-coded data after SOS is not decoded: this is a plausibility check for a test double, not a decoder.
 */
function jpegSize(bytes: Buffer): PixelSize | null {
	if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
	let offset = 2;
	let size: PixelSize | null = null;
	while (offset + 4 <= bytes.length) {
		if (bytes[offset] !== 0xff) return null;
		// Any number of 0xFF fill bytes may precede a marker.
		while (bytes[offset + 1] === 0xff && offset + 5 <= bytes.length) offset++;
		const marker = bytes[offset + 1];
		// Markers without a length (SOI, EOI, RSTn, TEM), a stuffed 0x00 or only fill bytes cannot come before the scan.
		if (marker === 0x00 || marker === 0x01 || marker === 0xff || (marker >= 0xd0 && marker <= 0xd9)) return null;
		const length = bytes.readUInt16BE(offset + 2);
		const end = offset + 2 + length;
		if (length < 2 || end > bytes.length) return null;
		if (JPEG_SOF.has(marker)) {
			if (size || length < 8) return null;
			const [precision, height, width, components] = [bytes[offset + 4], bytes.readUInt16BE(offset + 5), bytes.readUInt16BE(offset + 7), bytes[offset + 9]];
			if (precision < 2 || precision > 16 || height === 0 || width === 0 || components < 1 || components > 4 || length !== 8 + 3 * components) return null;
			size = { width, height };
		}
		if (marker === JPEG_SOS) return size && length >= 8 ? size : null;
		offset = end;
	}
	return null;
}

/**
 * The image size from a TIFF's first IFD, or null unless the header points at an IFD that lies inside the file
 * and has ImageWidth and ImageLength (SHORT or LONG, non-zero) and StripOffsets or TileOffsets; a single strip
 * must also lie inside the file. Pixel data is not decoded.
 */
function tiffSize(bytes: Buffer): PixelSize | null {
	if (bytes.length < 8) return null;
	const little = bytes[0] === 0x49;
	const u16 = (at: number): number => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
	const u32 = (at: number): number => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
	if (u16(2) !== 42) return null;
	const ifd = u32(4);
	if (ifd < 8 || ifd + 2 > bytes.length) return null;
	const count = u16(ifd);
	// The entries and the next-IFD offset after them.
	if (count === 0 || ifd + 2 + count * 12 + 4 > bytes.length) return null;
	const tags = new Map<number, { type: number; count: number; at: number }>();
	for (let index = 0; index < count; index++) {
		const at = ifd + 2 + index * 12;
		tags.set(u16(at), { type: u16(at + 2), count: u32(at + 4), at: at + 8 });
	}
	/** A single SHORT or LONG value stored in the entry itself. */
	const single = (tag: number): number | null => {
		const entry = tags.get(tag);
		if (!entry || entry.count !== 1) return null;
		if (entry.type === 3) return u16(entry.at);
		if (entry.type === 4) return u32(entry.at);
		return null;
	};
	const width = single(256);
	const height = single(257);
	if (!width || !height) return null;
	if (!tags.has(273) && !tags.has(324)) return null;
	const stripOffset = single(273);
	const stripBytes = single(279);
	if (stripOffset !== null && stripBytes !== null && (stripOffset < 8 || stripOffset + stripBytes > bytes.length)) return null;
	return { width, height };
}

function parseHints(text: string | undefined): TitleBlockHints {
	if (!text?.startsWith('{')) return {};
	try {
		const value = JSON.parse(text) as unknown;
		if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
		const hints: TitleBlockHints = {};
		for (const key of ['drawing_number', 'part_number', 'designation', 'material', 'weight_kg'] as const) {
			const field = (value as Record<string, unknown>)[key];
			if (typeof field === 'string' && field.length <= 200) hints[key] = field;
		}
		// META_DATA's weight.value is a Decimal (a JSON string such as "0.42"): anything else is no weight hint.
		if (hints.weight_kg !== undefined && !DECIMAL.test(hints.weight_kg)) delete hints.weight_kg;
		return hints;
	} catch {
		// Hints are optional decoration; a drawing with broken hints is still a drawing.
		return {};
	}
}

export async function inspectDrawing(input: Uint8Array): Promise<InspectedDrawing> {
	const bytes = Buffer.from(input);
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	const type = detectDrawingType(bytes);
	const base: InspectedDrawing = {
		bytes,
		sha256,
		type,
		pageCount: 0,
		pageSizes: [],
		unreadable: 'DRAWING_CONTENT_NOT_UNDERSTOOD',
		image: null,
		hints: {},
	};
	if (!type) return { ...base, unreadable: 'DRAWING_FILE_FORMAT_UNSUPPORTED' };
	if (type.kind === 'PDF') {
		try {
			const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
			const pages = pdf.getPages();
			if (pages.length === 0) return base;
			return {
				...base,
				pageCount: pages.length,
				pageSizes: pages.map((page) => ({ widthPt: page.getWidth(), heightPt: page.getHeight() })),
				unreadable: null,
				hints: parseHints(pdf.getSubject()),
			};
		} catch (error) {
			// Encrypted PDFs are a documented cause of DRAWING_FILE_FORMAT_UNSUPPORTED; anything else pdf-lib
			// cannot parse is a drawing the service would not understand.
			const encrypted = error instanceof Error && error.constructor.name === 'EncryptedPDFError';
			return { ...base, unreadable: encrypted ? 'DRAWING_FILE_FORMAT_UNSUPPORTED' : 'DRAWING_CONTENT_NOT_UNDERSTOOD' };
		}
	}
	if (type.kind === 'PNG') {
		try {
			const image = PNG.sync.read(bytes);
			// 1 px = 1/200 inch: the service's minimum resolution, so sizes in points stay plausible.
			const size = { widthPt: (image.width * 72) / 200, heightPt: (image.height * 72) / 200 };
			return { ...base, pageCount: 1, pageSizes: [size], unreadable: null, image, hints: parseHints(readPngText(bytes)[HINTS_KEY]) };
		} catch {
			// Right magic bytes, broken body: the service could not read it either.
			return base;
		}
	}
	// JPEG and TIFF: one page when their structure is plausible (the sandbox does not decode the pixels); the
	// magic bytes followed by garbage or a truncated header is a drawing the service would not understand.
	const size = type.kind === 'JPEG' ? jpegSize(bytes) : type.kind === 'TIFF' ? tiffSize(bytes) : null;
	if (!size) return base;
	return { ...base, pageCount: 1, pageSizes: [{ widthPt: 842, heightPt: 595 }], unreadable: null };
}
