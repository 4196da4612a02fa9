// A streaming client as werk24-python drives /v2 (INITIALIZE → upload → READ → messages), built on `ws`.
import FormData from 'form-data';
import WebSocket from 'ws';

export interface Frame {
	text: string;
	json: Record<string, unknown>;
}

export class StreamingTestClient {
	readonly frames: Frame[] = [];
	closeCode: number | null = null;
	private waiters: Array<() => void> = [];

	private constructor(readonly socket: WebSocket) {
		socket.on('message', (data: WebSocket.RawData) => {
			const text = data.toString();
			this.frames.push({ text, json: JSON.parse(text) as Record<string, unknown> });
			this.wake();
		});
		socket.on('close', (code) => {
			this.closeCode = code;
			this.wake();
		});
	}

	private wake(): void {
		for (const waiter of this.waiters.splice(0)) waiter();
	}

	/** Opens the socket; rejects with the HTTP status when the upgrade is refused. */
	static connect(url: string, token: string | null): Promise<StreamingTestClient> {
		return new Promise((resolve, reject) => {
			const socket = new WebSocket(url, { headers: token === null ? {} : { Authorization: `Token ${token}` } });
			socket.once('open', () => resolve(new StreamingTestClient(socket)));
			socket.once('unexpected-response', (_request, response) => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode })));
			socket.once('error', reject);
		});
	}

	send(frame: unknown): void {
		this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
	}

	/** Resolves once `count` frames arrived or the socket closed. */
	waitForFrames(count: number, timeoutMs = 10_000): Promise<Frame[]> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`timed out with ${this.frames.length} frame(s): ${this.frames.map((f) => f.text.slice(0, 120)).join(' | ')}`)), timeoutMs);
			const check = (): void => {
				if (this.frames.length >= count || this.closeCode !== null) {
					clearTimeout(timer);
					resolve(this.frames.slice(0, count));
				} else this.waiters.push(check);
			};
			check();
		});
	}

	/** Resolves with every frame once the server closed the socket. */
	waitForClose(timeoutMs = 15_000): Promise<Frame[]> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`socket still open after ${this.frames.length} frame(s)`)), timeoutMs);
			const check = (): void => {
				if (this.closeCode !== null) {
					clearTimeout(timer);
					resolve(this.frames);
				} else this.waiters.push(check);
			};
			check();
		});
	}

	close(): void {
		this.socket.terminate();
	}
}

export interface PresignedPost {
	url: string;
	fields: Record<string, string>;
}

/** Multipart POST: every field of the presigned post, then the `file` part; no auth header. */
export async function uploadDrawing(post: PresignedPost, drawing: Buffer, fields: Record<string, string> = post.fields): Promise<{ status: number; body: string }> {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	form.append('file', drawing, { filename: 'drawing', contentType: 'application/octet-stream' });
	const response = await fetch(post.url, { method: 'POST', headers: form.getHeaders(), body: new Uint8Array(form.getBuffer()) });
	return { status: response.status, body: await response.text() };
}
