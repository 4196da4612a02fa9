// Bodies from n8n's httpRequest helper: a Node stream for encoding 'stream', else bytes or text. Shared by the
// Werk24 node's downloads and the Trigger's, so both stop a transfer at their size cap instead of buffering it.

type ByteStream = AsyncIterable<Uint8Array> & { destroy?: () => void };

function isStream(body: unknown): body is ByteStream {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body && !ArrayBuffer.isView(body);
}

/** The bytes of a body that is already in memory (Buffer, ArrayBuffer, a typed array or text). */
export function bodyBytes(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	return Buffer.from(body === undefined || body === null ? '' : JSON.stringify(body));
}

/** Stops an unread body (a stream) so its connection is released. */
export function discardBody(body: unknown): void {
	if (isStream(body)) body.destroy?.();
}

/** The body's bytes, read up to `limit`: null, with the transfer stopped, as soon as it is larger. */
export async function readCapped(body: unknown, limit: number): Promise<Buffer | null> {
	if (!isStream(body)) {
		const bytes = bodyBytes(body);
		return bytes.length > limit ? null : bytes;
	}
	const chunks: Uint8Array[] = [];
	let total = 0;
	for await (const chunk of body) {
		total += chunk.length;
		if (total > limit) {
			body.destroy?.();
			return null;
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}
