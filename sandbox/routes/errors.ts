// The service's documented error body: {code, message, details, request_id} (werk24-api.md §2.6).
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

export interface ErrorBody {
	code: string;
	message: string;
	details: Record<string, unknown>;
	request_id: string;
}

export function errorBody(status: number, message: string, details: Record<string, unknown> = {}): ErrorBody {
	return { code: String(status), message, details, request_id: randomUUID() };
}

export function sendError(reply: FastifyReply, status: number, message: string, details: Record<string, unknown> = {}): FastifyReply {
	return reply.code(status).type('application/json').send(errorBody(status, message, details));
}
