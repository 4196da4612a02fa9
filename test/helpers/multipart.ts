// Reads a multipart body back with busboy, an independent parser, so an encoder never checks itself.
import busboy from 'busboy';

export interface ParsedPart {
	name: string;
	/** Set for file parts only. */
	filename?: string;
	mimeType: string;
	data: Buffer;
}

export async function parseMultipart(body: Uint8Array, contentType: string): Promise<ParsedPart[]> {
	return await new Promise((resolve, reject) => {
		const parts: ParsedPart[] = [];
		const parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 64 * 1024 * 1024 } });
		parser.on('file', (name, stream, info) => {
			const chunks: Buffer[] = [];
			const part: ParsedPart = { name, filename: info.filename, mimeType: info.mimeType, data: Buffer.alloc(0) };
			parts.push(part);
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => (part.data = Buffer.concat(chunks)));
		});
		parser.on('field', (name, value, info) => {
			if (info.valueTruncated) reject(new Error(`field ${name} truncated`));
			parts.push({ name, mimeType: info.mimeType, data: Buffer.from(value, 'utf8') });
		});
		parser.on('error', reject);
		parser.on('close', () => resolve(parts));
		parser.end(Buffer.from(body));
	});
}

/** What an HTTP client sends for a FormData: the encoded bytes and the Content-Type with its boundary. */
export async function encodeForm(form: FormData): Promise<{ body: Buffer; contentType: string }> {
	const response = new Response(form);
	return { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' };
}
