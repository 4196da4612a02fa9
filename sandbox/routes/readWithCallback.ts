// POST /techread/read-with-callback: auth → multipart (a real parser) → field checks → 200 {request_id};
// the drawing is read and the callbacks delivered afterwards.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DRAWING_TYPES, MAX_DRAWING_BYTES, detectDrawingType, type Ask } from '../../core';
import { checkToken } from '../auth';
import { prepareMessages, type SandboxContext } from '../context';
import { inspectDrawing } from '../drawing';
import type { RawPartRecord, RequestRecord } from '../store';
import {
	checkAsks,
	checkCallbackHeaders,
	checkCallbackUrl,
	checkClientVersion,
	checkMaxPages,
	checkPriority,
	checkPublicKeyField,
	decodeField,
	type FieldError,
} from '../validation';
import { sendError } from './errors';

export const READ_WITH_CALLBACK_PATH = '/techread/read-with-callback';

interface ReceivedForm {
	fields: Record<string, unknown>;
	parts: RawPartRecord[];
	drawing: { bytes: Buffer; filename: string | null; contentType: string | null } | null;
}

/** Multipart limits: one drawing ≤ 10 MB, a handful of small fields. */
const LIMITS = { fileSize: MAX_DRAWING_BYTES, files: 4, fields: 32, parts: 40, fieldSize: 1024 * 1024, headerPairs: 100 };

const MULTIPART_ERROR_CODES: Record<string, string> = {
	FST_PARTS_LIMIT: 'Too many parts',
	FST_FILES_LIMIT: 'Too many file parts',
	FST_FIELDS_LIMIT: 'Too many fields',
};

async function readForm(request: FastifyRequest): Promise<ReceivedForm> {
	const form: ReceivedForm = { fields: {}, parts: [], drawing: null };
	for await (const part of request.parts({ limits: LIMITS })) {
		if (part.type === 'file') {
			const bytes = await part.toBuffer();
			form.parts.push({
				name: part.fieldname,
				filename: part.filename ?? null,
				content_type: part.mimetype ?? null,
				raw_value: null,
				size: bytes.length,
				sha256: createHash('sha256').update(bytes).digest('hex'),
			});
			if (part.fieldname === 'drawing' && !form.drawing) form.drawing = { bytes, filename: part.filename ?? null, contentType: part.mimetype ?? null };
			continue;
		}
		const raw = typeof part.value === 'string' ? part.value : String(part.value);
		if (part.valueTruncated) throw Object.assign(new Error(`Field "${part.fieldname}" is larger than 1 MB`), { statusCode: 400 });
		form.parts.push({ name: part.fieldname, filename: null, content_type: part.mimetype ?? null, raw_value: raw, size: Buffer.byteLength(raw), sha256: null });
		// A drawing sent as a plain field (no filename) is still the drawing.
		if (part.fieldname === 'drawing' && !form.drawing) form.drawing = { bytes: Buffer.from(raw, 'latin1'), filename: null, contentType: part.mimetype ?? null };
		else form.fields[part.fieldname] = decodeField(raw);
	}
	return form;
}

type Validated = {
	asks: Ask[];
	callbackUrl: string;
	callbackHeaders: Record<string, string> | null;
	maxPages: number;
	priority: string | null;
	publicKey: string | null;
	clientVersion: string | null;
};

function validate(form: ReceivedForm): { ok: true; value: Validated } | { ok: false; error: FieldError } {
	const missing = ['drawing', 'asks', 'callback_url'].filter((name) => (name === 'drawing' ? !form.drawing : form.fields[name] === undefined));
	if (missing.length > 0) {
		return { ok: false, error: { status: 400, message: `Missing required field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, details: { missing } } };
	}
	const asks = checkAsks(form.fields.asks);
	if (!asks.ok) return asks;
	const callbackUrl = checkCallbackUrl(form.fields.callback_url);
	if (!callbackUrl.ok) return callbackUrl;
	const callbackHeaders = checkCallbackHeaders(form.fields.callback_headers);
	if (!callbackHeaders.ok) return callbackHeaders;
	const maxPages = checkMaxPages(form.fields.max_pages);
	if (!maxPages.ok) return maxPages;
	const priority = checkPriority(form.fields.priority);
	if (!priority.ok) return priority;
	const publicKey = checkPublicKeyField(form.fields.public_key);
	if (!publicKey.ok) return publicKey;
	const clientVersion = checkClientVersion(form.fields.client_version);
	if (!clientVersion.ok) return clientVersion;
	return {
		ok: true,
		value: {
			asks: asks.value,
			callbackUrl: callbackUrl.value,
			callbackHeaders: callbackHeaders.value,
			maxPages: maxPages.value,
			priority: priority.value,
			publicKey: publicKey.value,
			clientVersion: clientVersion.value,
		},
	};
}

async function handle(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
	if (ctx.faults.hits('submit503')) return sendError(reply, 503, 'Service temporarily unavailable (sandbox fault injection)', { fault: 'submit503' });
	if (!request.isMultipart()) {
		return sendError(reply, 400, 'Expected a multipart/form-data body with a "drawing" part', { content_type: request.headers['content-type'] ?? null });
	}
	let form: ReceivedForm;
	try {
		form = await readForm(request);
	} catch (error) {
		const code = (error as { code?: string }).code ?? '';
		if (code === 'FST_REQ_FILE_TOO_LARGE') {
			return sendError(reply, 413, 'The drawing exceeds the maximum allowed size of 10MB', { limit_bytes: MAX_DRAWING_BYTES });
		}
		const reason = MULTIPART_ERROR_CODES[code] ?? (error instanceof Error ? error.message : String(error));
		return sendError(reply, 400, `Malformed multipart body: ${reason}`, {});
	}
	const checked = validate(form);
	if (!checked.ok) return sendError(reply, checked.error.status, checked.error.message, checked.error.details);
	const drawing = form.drawing;
	if (!drawing) return sendError(reply, 400, 'Missing required field: drawing', { missing: ['drawing'] });
	if (drawing.bytes.length > MAX_DRAWING_BYTES) {
		return sendError(reply, 413, 'The drawing exceeds the maximum allowed size of 10MB', { limit_bytes: MAX_DRAWING_BYTES });
	}
	if (!detectDrawingType(drawing.bytes)) {
		return sendError(reply, 415, 'Unsupported drawing file type', { supported: DRAWING_TYPES, filename: drawing.filename });
	}

	const requestId = randomUUID();
	const record: RequestRecord = {
		request_id: requestId,
		flow: 'callback',
		received_at: new Date().toISOString(),
		fields: form.fields,
		parts: form.parts,
		drawing: null,
		faults: [],
		state: 'processing',
		callbacks: [],
		frames: [],
	};
	ctx.requests.add(record);
	const random = ctx.faults.fork();
	void reply.code(200).send({ request_id: requestId });
	void processRequest(ctx, record, drawing, checked.value, random);
	return reply;
}

async function processRequest(
	ctx: SandboxContext,
	record: RequestRecord,
	drawing: NonNullable<ReceivedForm['drawing']>,
	request: Validated,
	random: ReturnType<SandboxContext['faults']['fork']>,
): Promise<void> {
	try {
		const inspected = await inspectDrawing(drawing.bytes);
		record.drawing = {
			filename: drawing.filename,
			content_type: drawing.contentType,
			size: drawing.bytes.length,
			sha256: inspected.sha256,
			kind: inspected.type?.kind ?? null,
			pages: inspected.pageCount,
		};
		const messages = await prepareMessages(ctx, record.request_id, inspected, request.asks, request.maxPages, request.publicKey, random, record.faults);
		ctx.dispatcher.start({
			record,
			callbackUrl: request.callbackUrl,
			headers: request.callbackHeaders ?? {},
			publicKey: request.publicKey,
			messages,
			random,
		});
	} catch (error) {
		record.faults.push(`processing failed: ${error instanceof Error ? error.message : String(error)}`);
		record.state = 'done';
	}
}

export function registerReadWithCallback(app: FastifyInstance, ctx: SandboxContext): void {
	app.post(READ_WITH_CALLBACK_PATH, {
		// Auth before anything else, also before the body is read. A route hook runs after routing, so it covers
		// every URL spelling the router decodes to this route (%2D, %74echread, a #fragment, absolute-form…);
		// comparing request.url text did not. A wrong method gets 405 from the not-found handler, without auth.
		onRequest: (request, reply, done) => {
			const auth = checkToken(request.headers.authorization, ctx.options.token);
			if (auth.ok) return done();
			void sendError(reply, 401, 'Authentication failed', { reason: auth.reason });
		},
	}, (request, reply) => handle(ctx, request, reply));
}
