// The binary results behind payload_url: sheet and view images (PNG) and redacted drawings (PDF or PNG).
// PNG input is really scaled/cropped/redacted; PDF pages are not rendered, so they get labelled placeholders.
import { PDFDocument, rgb } from 'pdf-lib';
import type { InspectedDrawing } from './drawing';
import { Canvas, placeholderPng, scalePng, type Rgb } from './images';

export interface Artefact {
	bytes: Buffer;
	contentType: string;
	/** A file name for the download (Content-Disposition). */
	fileName: string;
}

/** A redaction zone in PIXEL_SPACE at 200 dpi: [x0, y0, x1, y1]. */
export type Box = [number, number, number, number];

const PNG_TYPE = 'image/png';
const PDF_TYPE = 'application/pdf';

export function sheetImage(drawing: InspectedDrawing, pageIndex: number): Artefact {
	const fileName = `sheet-page-${pageIndex + 1}.png`;
	if (drawing.image) return { bytes: scalePng(drawing.image, 1024).toBuffer(), contentType: PNG_TYPE, fileName };
	return {
		bytes: placeholderPng([
			`SHEET IMAGE OF PAGE ${pageIndex + 1} OF ${drawing.pageCount}`,
			`INPUT: ${drawing.type?.kind ?? 'UNKNOWN'} (NOT RENDERED)`,
			`SHA256: ${drawing.sha256.slice(0, 16)}`,
		]),
		contentType: PNG_TYPE,
		fileName,
	};
}

/** The drawing area without the title block (the view the sandbox "found"). */
export function viewImage(drawing: InspectedDrawing, pageIndex: number): Artefact {
	const fileName = `view-page-${pageIndex + 1}-1.png`;
	if (drawing.image) return { bytes: scalePng(drawing.image, 800, { width: 0.6, height: 0.8 }).toBuffer(), contentType: PNG_TYPE, fileName };
	return {
		bytes: placeholderPng([`VIEW 1 OF PAGE ${pageIndex + 1}`, `INPUT: ${drawing.type?.kind ?? 'UNKNOWN'} (NOT RENDERED)`], 480, 360),
		contentType: PNG_TYPE,
		fileName,
	};
}

function parseColor(fill: string): Rgb {
	const match = /^#?([0-9a-f]{6})$/i.exec(fill.trim());
	const hex = match ? match[1] : 'ffffff';
	return [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16)];
}

function redactedPng(drawing: InspectedDrawing, zones: Box[], color: Rgb): Buffer {
	if (!drawing.image) {
		const canvas = new Canvas(640, 452, [245, 245, 240]);
		canvas.text(24, 24, 'WERK24 SANDBOX PLACEHOLDER', 3, [200, 30, 30]);
		canvas.text(24, 80, `REDACTED PAGE 1 OF ${drawing.pageCount} - ${zones.length} ZONES`, 2);
		const page = drawing.pageSizes[0] ?? { widthPt: 842, heightPt: 595 };
		const scale = 640 / ((page.widthPt * 200) / 72);
		for (const [x0, y0, x1, y1] of zones) {
			canvas.fillRect(x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale, color);
			canvas.strokeRect(x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale, [0, 0, 0], 1);
		}
		return canvas.toBuffer();
	}
	const canvas = Canvas.fromPng(drawing.image);
	// Zones are at 200 dpi, which is also how the sandbox reads PNG pixels (1 px = 1/200 inch).
	for (const [x0, y0, x1, y1] of zones) canvas.fillRect(x0, y0, x1 - x0, y1 - y0, color);
	return canvas.toBuffer();
}

/** The redacted drawing in the requested format. */
export async function redactedFile(drawing: InspectedDrawing, zones: Box[], format: 'PDF' | 'PNG', fill: string): Promise<Artefact> {
	const color = parseColor(fill);
	if (format === 'PNG') return { bytes: redactedPng(drawing, zones, color), contentType: PNG_TYPE, fileName: 'redacted.png' };
	const toPt = 72 / 200;
	const colour = rgb(color[0] / 255, color[1] / 255, color[2] / 255);
	if (drawing.type?.kind === 'PDF') {
		const pdf = await PDFDocument.load(drawing.bytes, { updateMetadata: false });
		const page = pdf.getPage(0);
		for (const [x0, y0, x1, y1] of zones) {
			// PDF y runs upwards from the bottom edge.
			page.drawRectangle({ x: x0 * toPt, y: page.getHeight() - y1 * toPt, width: (x1 - x0) * toPt, height: (y1 - y0) * toPt, color: colour });
		}
		return { bytes: Buffer.from(await pdf.save()), contentType: PDF_TYPE, fileName: 'redacted.pdf' };
	}
	const pdf = await PDFDocument.create();
	const png = await pdf.embedPng(redactedPng(drawing, zones, color));
	const size = drawing.pageSizes[0] ?? { widthPt: 842, heightPt: 595 };
	const page = pdf.addPage([size.widthPt, size.heightPt]);
	page.drawImage(png, { x: 0, y: 0, width: size.widthPt, height: size.heightPt });
	return { bytes: Buffer.from(await pdf.save()), contentType: PDF_TYPE, fileName: 'redacted.pdf' };
}
