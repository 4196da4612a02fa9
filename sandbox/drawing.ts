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
	// JPEG and TIFF: accepted as one page; the sandbox does not decode them.
	return { ...base, pageCount: 1, pageSizes: [{ widthPt: 842, heightPt: 595 }], unreadable: null };
}
