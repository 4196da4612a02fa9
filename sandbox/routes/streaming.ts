// The streaming API on /v2 (werk24-api.md §2.2): token checked on the upgrade; INITIALIZE →
// PROGRESS/INITIALIZATION_SUCCESS with a presigned-style upload → READ → STARTED, ASK…, COMPLETED → close.
// Uses the same result generator as the callback flow.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PRIORITIES, decryptPackage, generateKeyPair, normalizePriority, type Ask, type KeyPair } from '../../core';
import { checkToken } from '../auth';
import { prepareMessages, type SandboxContext } from '../context';
import { inspectDrawing } from '../drawing';
import { internalErrorMessage, progressMessage } from '../results';
import type { RequestRecord } from '../store';
import { checkAsks, checkClientVersion, checkMaxPages, checkPublicKeyField } from '../validation';
import { errorBody } from './errors';
import { registerUploads, UploadSlots } from './uploads';

export const STREAMING_PATH = '/v2';
const SESSION_LIMIT_MS = 15 * 60 * 1000;

/** An INITIALIZE/READ frame's message: an object, or (as the JS client sends READ) a JSON string of one. */
function messageObject(value: unknown): Record<string, unknown> | null {
	const decoded = typeof value === 'string' ? safeJson(value) : value;
	if (decoded === undefined || decoded === null) return {};
	return typeof decoded === 'object' && !Array.isArray(decoded) ? (decoded as Record<string, unknown>) : null;
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return Symbol.for('invalid');
	}
}

class StreamingSession {
	private state: 'initialize' | 'read' | 'streaming' | 'closed' = 'initialize';
	private record: RequestRecord | null = null;
	private uploadId: string | null = null;
	private asks: Ask[] = [];
	private maxPages = 5;

	constructor(
		private readonly socket: WebSocket,
		private readonly ctx: SandboxContext,
		private readonly slots: UploadSlots,
		private readonly serverKeys: KeyPair | null,
	) {
		socket.on('message', (data, isBinary) => void this.onFrame(data, isBinary));
		// A session cannot hold a socket forever (the Python client's own close timeout is 600 s).
		const limit = setTimeout(() => socket.terminate(), SESSION_LIMIT_MS);
		limit.unref();
		socket.on('close', () => {
			clearTimeout(limit);
			this.state = 'closed';
		});
		socket.on('error', () => {
			this.state = 'closed';
		});
	}

	private send(frame: unknown): void {
		if (this.socket.readyState !== this.socket.OPEN) return;
		this.record?.frames.push(frame);
		this.socket.send(JSON.stringify(frame));
	}

	private fail(frame: object): void {
		this.send(frame);
		this.state = 'closed';
		this.socket.close(1000, 'error');
	}

	private async onFrame(data: RawData, isBinary: boolean): Promise<void> {
		const frame = isBinary ? Symbol.for('invalid') : safeJson(data.toString());
		const action = frame && typeof frame === 'object' ? (frame as Record<string, unknown>).action : undefined;
		// API Gateway routes frames by "action"; anything it cannot route is answered like this.
		if (action !== 'INITIALIZE' && action !== 'READ') {
			this.send({ message: 'Forbidden', connectionId: 'sandbox', requestId: randomUUID() });
			return;
		}
		const message = messageObject((frame as Record<string, unknown>).message);
		try {
			if (action === 'INITIALIZE' && this.state === 'initialize') return this.initialize(message);
			if (action === 'READ' && this.state === 'read') return await this.read(message);
			this.send({ error: 'INVALID_COMMAND', message: `${action} is not expected now`, details: { state: this.state } });
		} catch (error) {
			// A sandbox bug must not leave the client waiting: say so as the service would, and close.
			this.fail({ ...internalErrorMessage(this.record?.request_id ?? randomUUID()) });
			this.record?.faults.push(`session failed: ${error instanceof Error ? error.message : String(error)}`);
		}
	}

	private initialize(message: Record<string, unknown> | null): void {
		const requestId = randomUUID();
		const asks = checkAsks(message?.asks);
		const maxPages = checkMaxPages(message?.max_pages);
		const clientVersion = checkClientVersion(message?.client_version);
		this.record = {
			request_id: requestId,
			flow: 'streaming',
			received_at: new Date().toISOString(),
			fields: { ...(message ?? {}) },
			parts: [],
			drawing: null,
			faults: [],
			state: 'processing',
			callbacks: [],
			frames: [],
		};
		this.ctx.requests.add(this.record);
		if (!message || !asks.ok || !maxPages.ok || !clientVersion.ok) {
			// The service reports a bad INITIALIZE through TechreadInitResponse.exceptions (non-empty ⇒ the client fails).
			const problems = [asks, maxPages, clientVersion].flatMap((c) => (c.ok ? [] : [c.error]));
			this.record.faults.push(`initialize refused: ${JSON.stringify(problems)}`);
			this.record.state = 'done';
			this.fail(progressMessage(requestId, 'INITIALIZATION_SUCCESS', {
				exceptions: [{ exception_level: 'ERROR', exception_type: 'CONFIGURATION_INCORRECT' }],
				drawing_presigned_post: null,
				model_presigned_post: null,
				public_key: null,
			}));
			return;
		}
		this.asks = asks.value;
		this.maxPages = maxPages.value;
		const { id, presignedPost } = this.slots.create(requestId, this.ctx.baseUrl());
		this.uploadId = id;
		this.state = 'read';
		this.send(progressMessage(requestId, 'INITIALIZATION_SUCCESS', {
			exceptions: [],
			drawing_presigned_post: presignedPost,
			model_presigned_post: null,
			public_key: this.serverKeys?.publicKey ?? null,
		}));
	}

	private async read(message: Record<string, unknown> | null): Promise<void> {
		const record = this.record!;
		const slot = this.uploadId ? this.slots.get(this.uploadId) : null;
		record.fields.read = message;
		if (!message) return this.fail({ error: 'INVALID_COMMAND', message: 'READ message must be an object or a JSON object string', details: {} });
		const priority = normalizePriority(message.priority);
		if (!priority.ok) {
			return this.fail({ error: 'INVALID_PRIORITY', message: `Invalid priority: ${String(message.priority)}`, details: { priority: message.priority ?? null } });
		}
		const tier = this.ctx.options.accountTier;
		if (priority.value && PRIORITIES.indexOf(priority.value) < PRIORITIES.indexOf(tier)) {
			return this.fail({
				error: 'PRIORITY_TOO_HIGH',
				message: `Requested priority ${priority.value} exceeds account tier ${tier}`,
				details: { account_tier: tier, requested_priority: priority.value },
			});
		}
		const publicKey = checkPublicKeyField(message.public_key);
		if (!publicKey.ok) return this.fail({ error: 'INVALID_PUBLIC_KEY', ...errorBody(400, publicKey.error.message, publicKey.error.details) });
		if (!slot?.drawing) {
			return this.fail({ error: 'DRAWING_NOT_UPLOADED', message: 'READ arrived before the drawing was uploaded to drawing_presigned_post', details: {} });
		}
		this.state = 'streaming';
		let bytes = slot.drawing;
		let undecryptable = false;
		if (this.serverKeys) {
			// With a server key the service expects the hybrid package; plain bytes are not a drawing to it.
			const plain = decryptPackage(this.serverKeys.privateKey, bytes);
			if (plain.ok) bytes = plain.value;
			else {
				undecryptable = true;
				record.faults.push(`upload not encrypted with the server key: ${plain.problems.map((p) => p.reason).join('; ')}`);
			}
		}
		this.slots.delete(this.uploadId!);
		const drawing = await inspectDrawing(bytes);
		if (undecryptable) drawing.unreadable = 'DRAWING_CONTENT_NOT_UNDERSTOOD';
		record.drawing = { filename: slot.filename, content_type: null, size: bytes.length, sha256: drawing.sha256, kind: drawing.type?.kind ?? null, pages: drawing.pageCount };
		const random = this.ctx.faults.fork();
		const messages = await prepareMessages(this.ctx, record.request_id, drawing, this.asks, this.maxPages, publicKey.value, random, record.faults);
		await this.stream(messages, random);
	}

	private async stream(messages: Awaited<ReturnType<typeof prepareMessages>>, random: ReturnType<SandboxContext['faults']['fork']>): Promise<void> {
		const record = this.record!;
		const rates = this.ctx.options.faults;
		// Decided up front so the decision sequence does not depend on timing.
		const dropAt = random.next() < rates.dropSocket ? 1 + Math.floor(random.next() * (messages.length - 1)) : -1;
		const slow = messages.map(() => random.next() < rates.slow);
		for (const [index, { message, delayBeforeMs }] of messages.entries()) {
			const wait = delayBeforeMs + (slow[index] ? this.ctx.options.slowMs : 0);
			if (slow[index]) record.faults.push(`slow: message ${index}`);
			if (wait > 0) await sleep(wait);
			if (this.state === 'closed') break;
			if (index === dropAt) {
				record.faults.push(`dropSocket: connection dropped before message ${index}`);
				this.socket.terminate();
				break;
			}
			this.send(message);
		}
		record.state = 'done';
		if (this.state !== 'closed') {
			this.state = 'closed';
			this.socket.close(1000, 'completed');
		}
	}
}

export interface StreamingEndpoint {
	close(): void;
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, body: object): void {
	const json = JSON.stringify(body);
	socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
}

export function registerStreaming(app: FastifyInstance, ctx: SandboxContext): StreamingEndpoint {
	const slots = new UploadSlots();
	// Key size 2048 keeps start-up quick; the scheme is the same as for any RSA size.
	const serverKeys = ctx.options.serverPublicKey ? generateKeyPair({ modulusLength: 2048 }) : null;
	const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
	registerUploads(app, ctx, slots);
	app.get(STREAMING_PATH, (_request, reply) =>
		reply.code(426).header('upgrade', 'websocket').send(errorBody(426, 'Upgrade Required: open a WebSocket on this path', {})),
	);
	app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const path = (request.url ?? '').split('?')[0].replace(/\/$/, '');
		if (path !== STREAMING_PATH) return refuseUpgrade(socket, 404, 'Not Found', errorBody(404, 'Not found', {}));
		const auth = checkToken(request.headers.authorization, ctx.options.token);
		if (!auth.ok) return refuseUpgrade(socket, 401, 'Unauthorized', errorBody(401, 'Authentication failed', { reason: auth.reason }));
		wss.handleUpgrade(request, socket, head, (ws) => {
			new StreamingSession(ws, ctx, slots, serverKeys);
		});
	});
	return {
		close: () => {
			for (const client of wss.clients) client.terminate();
			wss.close();
		},
	};
}
