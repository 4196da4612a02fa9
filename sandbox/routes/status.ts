// GET /status: the service's SystemStatus (no auth), and GET /sandbox/requests/<id>: the sandbox's delivery log.
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context';
import { sendError } from './errors';

export function registerStatus(app: FastifyInstance, ctx: SandboxContext): void {
	const startedAt = new Date().toISOString();
	app.get('/status', (_request, reply) =>
		reply.send({
			page: 'Werk24 Sandbox',
			status_indicator: 'ok',
			status_description: 'All systems operational (local sandbox)',
			incidents: [],
			scheduled_maintenances: [],
			components: [
				{ id: 'read-with-callback', name: 'TechRead read-with-callback', status: 'operational', updated_at: startedAt },
				{ id: 'streaming', name: 'TechRead streaming (WebSocket /v2)', status: 'operational', updated_at: startedAt },
			],
		}),
	);

	// Sandbox-only, no auth: request ids are unguessable and the sandbox listens on loopback by default.
	app.get<{ Params: { requestId: string } }>('/sandbox/requests/:requestId', (request, reply) => {
		const record = ctx.requests.get(request.params.requestId);
		if (!record) return sendError(reply, 404, 'Unknown request_id', { request_id: request.params.requestId });
		return reply.send(record);
	});
}
