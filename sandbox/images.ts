// Small raster helpers for the sandbox's PNG artefacts and fixtures: a canvas with a 5×7 bitmap font,
// scaling, and PNG text chunks (the fixtures carry their title-block values there for the result generator).
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';

// Rows of 5 bits, top to bottom. Enough glyphs for labels and title blocks (upper case, digits, a few signs).
const GLYPHS: Record<string, number[]> = {
	A: [14, 17, 17, 31, 17, 17, 17], B: [30, 17, 17, 30, 17, 17, 30], C: [14, 17, 16, 16, 16, 17, 14],
	D: [30, 17, 17, 17, 17, 17, 30], E: [31, 16, 16, 30, 16, 16, 31], F: [31, 16, 16, 30, 16, 16, 16],
	G: [14, 17, 16, 23, 17, 17, 15], H: [17, 17, 17, 31, 17, 17, 17], I: [14, 4, 4, 4, 4, 4, 14],
	J: [7, 2, 2, 2, 2, 18, 12], K: [17, 18, 20, 24, 20, 18, 17], L: [16, 16, 16, 16, 16, 16, 31],
	M: [17, 27, 21, 21, 17, 17, 17], N: [17, 17, 25, 21, 19, 17, 17], O: [14, 17, 17, 17, 17, 17, 14],
	P: [30, 17, 17, 30, 16, 16, 16], Q: [14, 17, 17, 17, 21, 18, 13], R: [30, 17, 17, 30, 20, 18, 17],
	S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4], U: [17, 17, 17, 17, 17, 17, 14],
	V: [17, 17, 17, 17, 17, 10, 4], W: [17, 17, 17, 21, 21, 21, 10], X: [17, 17, 10, 4, 10, 17, 17],
	Y: [17, 17, 17, 10, 4, 4, 4], Z: [31, 1, 2, 4, 8, 16, 31],
	'0': [14, 17, 19, 21, 25, 17, 14], '1': [4, 12, 4, 4, 4, 4, 14], '2': [14, 17, 1, 2, 4, 8, 31],
	'3': [31, 2, 4, 2, 1, 17, 14], '4': [2, 6, 10, 18, 31, 2, 2], '5': [31, 16, 30, 1, 1, 17, 14],
	'6': [6, 8, 16, 30, 17, 17, 14], '7': [31, 1, 2, 4, 8, 8, 8], '8': [14, 17, 17, 14, 17, 17, 14],
	'9': [14, 17, 17, 15, 1, 2, 12],
	' ': [0, 0, 0, 0, 0, 0, 0], '-': [0, 0, 0, 31, 0, 0, 0], '.': [0, 0, 0, 0, 0, 12, 12],
	':': [0, 12, 12, 0, 12, 12, 0], '/': [0, 1, 2, 4, 8, 16, 0], '(': [2, 4, 8, 8, 8, 4, 2],
	')': [8, 4, 2, 2, 2, 4, 8], ',': [0, 0, 0, 0, 12, 4, 8], '=': [0, 0, 31, 0, 31, 0, 0],
	'+': [0, 4, 4, 31, 4, 4, 0], '#': [10, 31, 10, 10, 31, 10, 0],
};

export type Rgb = [number, number, number];
export const BLACK: Rgb = [0, 0, 0];
export const WHITE: Rgb = [255, 255, 255];

export class Canvas {
	readonly png: PNG;

	constructor(
		readonly width: number,
		readonly height: number,
		background: Rgb = WHITE,
	) {
		this.png = new PNG({ width, height });
		this.fillRect(0, 0, width, height, background);
	}

	static fromPng(png: PNG): Canvas {
		const canvas = new Canvas(png.width, png.height);
		png.data.copy(canvas.png.data);
		return canvas;
	}

	setPixel(x: number, y: number, [r, g, b]: Rgb): void {
		if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
		const i = (Math.floor(y) * this.width + Math.floor(x)) * 4;
		this.png.data[i] = r;
		this.png.data[i + 1] = g;
		this.png.data[i + 2] = b;
		this.png.data[i + 3] = 255;
	}

	fillRect(x: number, y: number, w: number, h: number, [r, g, b]: Rgb): void {
		const x0 = Math.max(0, Math.floor(x));
		const y0 = Math.max(0, Math.floor(y));
		const x1 = Math.min(this.width, Math.floor(x + w));
		const y1 = Math.min(this.height, Math.floor(y + h));
		if (x1 <= x0 || y1 <= y0) return;
		// One row pattern copied per row: far cheaper than pixel-by-pixel writes on large images.
		const row = Buffer.alloc((x1 - x0) * 4);
		for (let i = 0; i < row.length; i += 4) {
			row[i] = r;
			row[i + 1] = g;
			row[i + 2] = b;
			row[i + 3] = 255;
		}
		for (let yy = y0; yy < y1; yy++) row.copy(this.png.data, (yy * this.width + x0) * 4);
	}

	strokeRect(x: number, y: number, w: number, h: number, color: Rgb = BLACK, thickness = 2): void {
		this.fillRect(x, y, w, thickness, color);
		this.fillRect(x, y + h - thickness, w, thickness, color);
		this.fillRect(x, y, thickness, h, color);
		this.fillRect(x + w - thickness, y, thickness, h, color);
	}

	circle(cx: number, cy: number, radius: number, color: Rgb = BLACK, thickness = 2): void {
		const steps = Math.max(64, Math.ceil(radius * 8));
		for (let s = 0; s < steps; s++) {
			const angle = (2 * Math.PI * s) / steps;
			for (let t = 0; t < thickness; t++) {
				this.setPixel(cx + (radius - t) * Math.cos(angle), cy + (radius - t) * Math.sin(angle), color);
			}
		}
	}

	/** Draws upper-cased text; unknown characters become blanks. Returns the width used. */
	text(x: number, y: number, value: string, scale = 2, color: Rgb = BLACK): number {
		let cursor = x;
		for (const char of value.toUpperCase()) {
			const rows = GLYPHS[char] ?? GLYPHS[' '];
			rows.forEach((bits, row) => {
				for (let col = 0; col < 5; col++) {
					if (bits & (1 << (4 - col))) this.fillRect(cursor + col * scale, y + row * scale, scale, scale, color);
				}
			});
			cursor += 6 * scale;
		}
		return cursor - x;
	}

	toBuffer(): Buffer {
		return encodePng(this.width, this.height, this.png.data);
	}
}

/** 32-bit pixel view of RGBA bytes (copied first when the bytes are not 4-byte aligned). */
function pixels(bytes: Buffer): Uint32Array {
	const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
	return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
}

/** Nearest-neighbour copy no wider than maxWidth (never upscaled); `crop` keeps the top-left fraction. */
export function scalePng(source: PNG, maxWidth: number, crop: { width: number; height: number } = { width: 1, height: 1 }): Canvas {
	const sourceWidth = Math.max(1, Math.round(source.width * crop.width));
	const sourceHeight = Math.max(1, Math.round(source.height * crop.height));
	const factor = Math.min(1, maxWidth / sourceWidth);
	const width = Math.max(1, Math.round(sourceWidth * factor));
	const height = Math.max(1, Math.round(sourceHeight * factor));
	const canvas = new Canvas(width, height);
	const from = pixels(source.data);
	const to = pixels(canvas.png.data);
	const columns = Int32Array.from({ length: width }, (_, x) => Math.min(sourceWidth - 1, Math.floor(x / factor)));
	for (let y = 0; y < height; y++) {
		const rowStart = Math.min(sourceHeight - 1, Math.floor(y / factor)) * source.width;
		const target = y * width;
		for (let x = 0; x < width; x++) to[target + x] = from[rowStart + columns[x]];
	}
	return canvas;
}

/** A clearly labelled stand-in image (the sandbox does not render PDF pages). */
export function placeholderPng(lines: string[], width = 640, height = 452): Buffer {
	const canvas = new Canvas(width, height, [245, 245, 240]);
	canvas.strokeRect(8, 8, width - 16, height - 16, [40, 40, 40], 3);
	canvas.text(24, 24, 'WERK24 SANDBOX PLACEHOLDER', 3, [200, 30, 30]);
	lines.forEach((line, index) => canvas.text(24, 80 + index * 28, line.slice(0, 48), 2));
	return canvas.toBuffer();
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([length, typeAndData, crc]);
}

/**
 * RGBA8 → PNG with filter 0 on every row. pngjs's encoder tries every filter per row in JavaScript, which is
 * slow on large images; filter 0 plus zlib is fast and still compresses line drawings well.
 */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
	const stride = width * 4;
	const raw = Buffer.alloc((stride + 1) * height);
	for (let y = 0; y < height; y++) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 6, 0, 0, 0], 8);
	return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Adds tEXt chunks (keyword → Latin-1 text) before IEND. */
export function addPngText(png: Buffer, entries: Record<string, string>): Buffer {
	const iend = png.length - 12;
	const chunks = Object.entries(entries).map(([keyword, text]) =>
		chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')])),
	);
	return Buffer.concat([png.subarray(0, iend), ...chunks, png.subarray(iend)]);
}

/** Reads tEXt chunks; tolerant of truncated files (stops at the first broken chunk). */
export function readPngText(png: Uint8Array): Record<string, string> {
	const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
	const entries: Record<string, string> = {};
	if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return entries;
	let offset = 8;
	while (offset + 12 <= bytes.length) {
		const length = bytes.readUInt32BE(offset);
		const type = bytes.toString('latin1', offset + 4, offset + 8);
		if (offset + 12 + length > bytes.length) break;
		if (type === 'tEXt') {
			const data = bytes.subarray(offset + 8, offset + 8 + length);
			const separator = data.indexOf(0);
			if (separator > 0) entries[data.toString('latin1', 0, separator)] = data.toString('latin1', separator + 1);
		}
		if (type === 'IEND') break;
		offset += 12 + length;
	}
	return entries;
}
