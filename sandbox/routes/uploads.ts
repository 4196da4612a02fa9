// POST /uploads/<id>: the presigned-style drawing upload of the streaming flow (like an S3 presigned POST):
// no auth header; every field handed out in drawing_presigned_post must come back unchanged before the
// `file` part; the file is limited to 10 MB. Success is 204, as S3 answers by default.
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_DRAWING_BYTES } from '../../core';
import type { SandboxContext } from '../context';
import { sendError } from './errors';

export interface UploadSlot {
	requestId: string;
	fields: Record<string, string>;
	expiresAt: number;
	drawing: Buffer | null;
	filename: string | null;
	/** Fields as received, for the request log. */
	received: Record<string, string>;
}

/** Upload slots by unguessable id; bounded, and each expires like a presigned POST. */
export class UploadSlots {
	private readonly slots = new Map<string, UploadSlot>();
	private readonly signingKey = randomBytes(32);

	constructor(private readonly ttlMs = 3_600_000, private readonly maxEntries = 2000) {}

	/** A new slot and the drawing_presigned_post a client needs for it. */
	create(requestId: string, baseUrl: string): { id: string; presignedPost: { url: string; fields: Record<string, string> } } {
		const id = randomBytes(24).toString('base64url');
		const expiresAt = Date.now() + this.ttlMs;
		const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
		const policy = Buffer.from(
			JSON.stringify({
				expiration: new Date(expiresAt).toISOString(),
				conditions: [{ key: `${requestId}/drawing` }, ['content-length-range', 1, MAX_DRAWING_BYTES]],
			}),
		).toString('base64');
		const fields = {
			key: `${requestId}/drawing`,
			'x-amz-algorithm': 'AWS4-HMAC-SHA256',
			'x-amz-credential': `SANDBOX/${date.slice(0, 8)}/local/s3/aws4_request`,
			'x-amz-date': date,
			policy,
			'x-amz-signature': createHmac('sha256', this.signingKey).update(policy).digest('hex'),
		};
		this.slots.set(id, { requestId, fields, expiresAt, drawing: null, filename: null, received: {} });
		while (this.slots.size > this.maxEntries) this.slots.delete(this.slots.keys().next().value as string);
		return { id, presignedPost: { url: `${baseUrl}/uploads/${id}`, fields } };
	}

	get(id: string): UploadSlot | null {
		const slot = this.slots.get(id);
		if (!slot || slot.expiresAt <= Date.now()) return null;
		return slot;
	}

	delete(id: string): void {
		this.slots.delete(id);
	}
}

type UploadOutcome = { status: 204 } | { status: 400 | 403 | 413; message: string; details: Record<string, unknown> };

async function receive(request: FastifyRequest, slot: UploadSlot): Promise<UploadOutcome> {
	const received: Record<string, string> = {};
	for await (const part of request.parts({ limits: { fileSize: MAX_DRAWING_BYTES, files: 1, fields: 32, fieldSize: 64 * 1024 } })) {
		if (part.type === 'field') {
			received[part.fieldname] = String(part.value);
			continue;
		}
		if (part.fieldname !== 'file') {
			await part.toBuffer();
			return { status: 400, message: 'The file part must be named "file"', details: { part: part.fieldname } };
		}
		slot.received = received;
		// As with S3, every policy field must precede the file, unchanged.
		const wrong = Object.keys(slot.fields).filter((name) => received[name] !== slot.fields[name]);
		if (wrong.length > 0) {
			await part.toBuffer();
			return { status: 403, message: 'Invalid according to policy: fields missing or changed', details: { fields: wrong } };
		}
		slot.drawing = await part.toBuffer();
		slot.filename = part.filename ?? null;
		return { status: 204 };
	}
	return { status: 400, message: 'Missing the "file" part', details: {} };
}

export function registerUploads(app: FastifyInstance, ctx: SandboxContext, slots: UploadSlots): void {
	app.post<{ Params: { uploadId: string } }>('/uploads/:uploadId', async (request, reply) => {
		const slot = slots.get(request.params.uploadId);
		if (!slot) return sendError(reply, 403, 'Unknown or expired upload URL', {});
		if (slot.drawing) return sendError(reply, 403, 'The drawing for this request was already uploaded', {});
		if (!request.isMultipart()) return sendError(reply, 400, 'Expected a multipart/form-data body', {});
		if (ctx.faults.hits('rejectUpload')) {
			ctx.requests.get(slot.requestId)?.faults.push('rejectUpload: upload answered 400');
			return sendError(reply, 400, 'Upload rejected (sandbox fault injection)', { fault: 'rejectUpload' });
		}
		let outcome: UploadOutcome;
		try {
			outcome = await receive(request, slot);
		} catch (error) {
			const code = (error as { code?: string }).code;
			if (code === 'FST_REQ_FILE_TOO_LARGE') {
				return sendError(reply, 413, 'Your proposed upload exceeds the maximum allowed size', { limit_bytes: MAX_DRAWING_BYTES });
			}
			return sendError(reply, 400, `Malformed multipart body: ${error instanceof Error ? error.message : String(error)}`, {});
		}
		if (outcome.status !== 204) return sendError(reply, outcome.status, outcome.message, outcome.details);
		return reply.code(204).send();
	});
}
