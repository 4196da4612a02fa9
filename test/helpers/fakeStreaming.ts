/**
 * A scripted Werk24 streaming server (WebSocket /v2 over loopback, `ws`): records the handshake's
 * Authorization header and every command, answers INITIALIZE with a presigned post and READ with
 * STARTED → the scripted messages → COMPLETED unless told otherwise.
 */
import type { AddressInfo } from 'net';

import WebSocket, { WebSocketServer } from 'ws';

import type { TechreadMessage } from '../../core';

export const STREAM_REQUEST_ID = '3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d';

export const streamMessage = (type: string, subtype: string, page = 0, extra: Partial<TechreadMessage> = {}): TechreadMessage => ({
	request_id: STREAM_REQUEST_ID,
	message_type: type as TechreadMessage['message_type'],
	message_subtype: subtype,
	page_number: page,
	payload_dict: null,
	payload_url: null,
	exceptions: [],
	...extra,
});

export interface StreamingScript {
	onInitialize?: (socket: WebSocket) => void;
	/** Default: STARTED, META_DATA page 0, COMPLETED. */
	onRead?: (socket: WebSocket, read: Record<string, unknown>) => void;
	/** Refuse the handshake with this HTTP status. */
	refuse?: number;
	serverPublicKey?: string;
	uploadUrl?: string;
}

export interface FakeStreamingServer {
	url: string;
	commands: Array<{ action: string; message: Record<string, unknown> }>;
	authorizations: Array<string | undefined>;
	/** Most sockets open at the same time. */
	maxOpen: number;
	close(): Promise<void>;
}

export async function startFakeStreaming(script: StreamingScript = {}): Promise<FakeStreamingServer> {
	const state = { open: 0, maxOpen: 0 };
	const commands: FakeStreamingServer['commands'] = [];
	const authorizations: Array<string | undefined> = [];
	const server = new WebSocketServer({
		host: '127.0.0.1',
		port: 0,
		verifyClient: (info, done) => {
			authorizations.push(info.req.headers.authorization);
			if (script.refuse) done(false, script.refuse, 'Refused');
			else done(true);
		},
	});
	await new Promise<void>((resolve) => server.once('listening', () => resolve()));
	server.on('connection', (socket) => {
		state.open++;
		state.maxOpen = Math.max(state.maxOpen, state.open);
		socket.on('close', () => state.open--);
		socket.on('message', (data) => {
			const command = JSON.parse(String(data)) as { action: string; message: Record<string, unknown> };
			commands.push(command);
			if (command.action === 'INITIALIZE') {
				if (script.onInitialize) return script.onInitialize(socket);
				const payload = {
					exceptions: [],
					drawing_presigned_post: { url: script.uploadUrl ?? 'http://127.0.0.1:9/upload', fields: { key: `${STREAM_REQUEST_ID}/drawing`, policy: 'cG9saWN5' } },
					model_presigned_post: null,
					public_key: script.serverPublicKey ?? null,
				};
				socket.send(JSON.stringify(streamMessage('PROGRESS', 'INITIALIZATION_SUCCESS', 0, { payload_dict: payload })));
			} else if (command.action === 'READ') {
				if (script.onRead) return script.onRead(socket, command.message);
				for (const frame of [
					streamMessage('PROGRESS', 'STARTED'),
					streamMessage('ASK', 'META_DATA', 0, { payload_dict: { ask_type: 'META_DATA' } }),
					streamMessage('PROGRESS', 'COMPLETED'),
				]) {
					socket.send(JSON.stringify(frame));
				}
			}
		});
	});
	const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
	return {
		url,
		commands,
		authorizations,
		get maxOpen() {
			return state.maxOpen;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const client of server.clients) client.terminate();
				server.close(() => resolve());
			}),
	};
}

/** Installs `ws` as the global WebSocket (what Node ≥ 22 provides) for the duration of a test file. */
export function useWsAsGlobalWebSocket(): void {
	const global = globalThis as { WebSocket?: unknown };
	let previous: unknown;
	beforeAll(() => {
		previous = global.WebSocket;
		global.WebSocket = WebSocket;
	});
	afterAll(() => {
		global.WebSocket = previous;
	});
}

/**
 * `ws` behaving like Node's built-in WebSocket on a refused handshake: an error event without any
 * detail, so the HTTP status is invisible (checked on Node 24: the built-in one reports nothing more).
 */
export class OpaqueWebSocket {
	private readonly inner: WebSocket;

	constructor(url: string, init: { headers: Record<string, string> }) {
		this.inner = new WebSocket(url, init);
	}

	send(data: string): void {
		this.inner.send(data);
	}

	close(code?: number, reason?: string): void {
		this.inner.close(code, reason);
	}

	addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: unknown) => void): void {
		if (type === 'error') this.inner.addEventListener('error', () => listener({ type: 'error' }));
		else if (type === 'close') this.inner.addEventListener('close', (event) => listener({ type: 'close', code: event.code, reason: '' }));
		else this.inner.addEventListener(type, listener as never);
	}
}
