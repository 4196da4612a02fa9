// Clients the way real ones talk to read-with-callback, for the sandbox tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import FormData from 'form-data';
import type { RawAsk } from '../../core';

export const FIXTURES = join(__dirname, '..', '..', 'sandbox', 'fixtures');
export const flangePdf = (): Buffer => readFileSync(join(FIXTURES, 'flange-2-pages.pdf'));
export const bushingPng = (): Buffer => readFileSync(join(FIXTURES, 'bushing.png'));

export const v2 = (askType: string, params: Record<string, unknown> = {}): RawAsk => ({ ask_version: 'v2', ask_type: askType, ...params });

export interface Answer {
	status: number;
	body: Record<string, unknown>;
}

async function post(url: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
	const response = await fetch(`${url}/techread/read-with-callback`, { method: 'POST', headers, body: new Uint8Array(body) });
	const text = await response.text();
	let json: Record<string, unknown>;
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		json = { text };
	}
	return { status: response.status, body: json };
}

/** The seed's Node.js pattern: `form-data`, every field JSON.stringify'd, `Authorization: Token …`. */
export async function submitLikeNodeExample(
	url: string,
	token: string,
	fields: { drawing?: Buffer; filename?: string; asks?: unknown; callback_url?: unknown; callback_headers?: unknown; [key: string]: unknown },
): Promise<Answer> {
	const form = new FormData();
	const { drawing, filename, ...rest } = fields;
	if (drawing) form.append('drawing', drawing, { filename: filename ?? 'drawing.pdf' });
	for (const [name, value] of Object.entries(rest)) if (value !== undefined) form.append(name, JSON.stringify(value));
	return post(url, { ...form.getHeaders(), Authorization: `Token ${token}` }, form.getBuffer());
}

/** Python's json.dumps default separators (", " and ": "), as werk24-python 2.6 sends each field. */
export function pythonJsonDumps(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
	if (typeof value === 'object') {
		return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
	}
	return JSON.stringify(value);
}

/** werk24-python 2.6 read_drawing_with_callback: drawing.pdf as octet-stream, every field json.dumps'd, nulls kept. */
export async function submitLikeWerk24Python(
	url: string,
	token: string,
	fields: { drawing: Buffer; asks: unknown; callback_url: string; callback_headers?: Record<string, string> | null; max_pages?: number; public_key?: string | null; priority?: string | null },
): Promise<Answer> {
	const form = new FormData();
	form.append('drawing', fields.drawing, { filename: 'drawing.pdf', contentType: 'application/octet-stream' });
	const payload: Record<string, unknown> = {
		asks: fields.asks,
		callback_url: fields.callback_url,
		callback_headers: fields.callback_headers ?? null,
		max_pages: fields.max_pages ?? 5,
		client_version: '2.6.0',
		public_key: fields.public_key ?? null,
		priority: fields.priority ?? null,
	};
	for (const [name, value] of Object.entries(payload)) {
		form.append(name, pythonJsonDumps(value), { contentType: 'text/plain; charset=utf-8' });
	}
	return post(url, { ...form.getHeaders(), Authorization: `Token ${token}` }, form.getBuffer());
}

/** A raw multipart body, for requests the form-data package would not build. */
export function rawMultipart(parts: Array<{ name: string; filename?: string; contentType?: string; body: Buffer | string }>, boundary = 'sandbox-boundary-42'): { body: Buffer; contentType: string } {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
		chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.contentType ? `Content-Type: ${part.contentType}\r\n` : ''}\r\n`));
		chunks.push(Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body));
		chunks.push(Buffer.from('\r\n'));
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
