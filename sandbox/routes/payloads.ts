// GET /payloads/<id>: artefact download without auth, like the service's presigned payload_url.
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context';
import { sendError } from './errors';

export function registerPayloads(app: FastifyInstance, ctx: SandboxContext): void {
	app.get<{ Params: { payloadId: string } }>('/payloads/:payloadId', (request, reply) => {
		const entry = ctx.payloads.get(request.params.payloadId);
		if (!entry) return sendError(reply, 404, 'Payload not found or expired', {});
		return reply
			.header('content-type', entry.contentType)
			.header('content-disposition', `attachment; filename="${entry.fileName}"`)
			.header('cache-control', 'private, max-age=0')
			.send(entry.bytes);
	});
}
