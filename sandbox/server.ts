// The Werk24 sandbox: a local server that speaks the TechRead API (read-with-callback, status, payload
// downloads, streaming /v2) for tests and first-run demos. Dev tooling only; never shipped.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createContext, type SandboxContext, type SandboxOptions } from './context';
import { sendError } from './routes/errors';
import { registerPayloads } from './routes/payloads';
import { registerReadWithCallback } from './routes/readWithCallback';
import { registerStatus } from './routes/status';
import { registerStreaming, type StreamingEndpoint } from './routes/streaming';
import type { RequestRecord } from './store';

export type { SandboxOptions } from './context';

export interface Sandbox {
	/** e.g. http://127.0.0.1:8024 (the credential's API URL). */
	url: string;
	/** e.g. ws://127.0.0.1:8024/v2 (the credential's Streaming URL). */
	streamingUrl: string;
	token: string;
	port: number;
	/** The delivery log of one request (same as GET /sandbox/requests/<id>). */
	request(requestId: string): RequestRecord | undefined;
	/** Resolves once every accepted request has finished delivering its callbacks. */
	idle(): Promise<void>;
	context: SandboxContext;
	close(): Promise<void>;
}

/** Paths with their allowed methods, so a wrong method gets 405 rather than 404. */
const KNOWN_PATHS: Array<[RegExp, string]> = [
	[/^\/techread\/read-with-callback\/?$/, 'POST'],
	[/^\/status\/?$/, 'GET'],
	[/^\/payloads\/[^/]+$/, 'GET'],
	[/^\/sandbox\/requests\/[^/]+$/, 'GET'],
	[/^\/uploads\/[^/]+$/, 'POST'],
	[/^\/v2\/?$/, 'GET'],
];

function answerUnknownRoute(request: FastifyRequest, reply: FastifyReply): FastifyReply {
	const path = request.url.split('?')[0];
	const known = KNOWN_PATHS.find(([pattern]) => pattern.test(path));
	// The right method on a near-miss path (e.g. a trailing slash) is not a method problem.
	if (known && known[1] !== request.method) return sendError(reply.header('allow', known[1]), 405, `Method ${request.method} not allowed on ${path}`, { allow: [known[1]] });
	return sendError(reply, 404, 'Not found', { path: path.slice(0, 200) });
}

function buildApp(ctx: SandboxContext): { app: FastifyInstance; streaming: StreamingEndpoint } {
	const app = Fastify({
		logger: false,
		bodyLimit: 1024 * 1024,
		routerOptions: { maxParamLength: 256 },
		return503OnClosing: true,
		// Own server so slow or truncated requests time out with 408 instead of holding a socket forever.
		serverFactory: (handler) =>
			http.createServer({ requestTimeout: 30_000, headersTimeout: 15_000, connectionsCheckingInterval: 1000, maxHeaderSize: 16 * 1024 }, handler),
	});
	// Only multipart bodies are parsed (by @fastify/multipart, i.e. busboy); any other body is left unread and
	// the route answers 400, which keeps "401 before anything else" true for every content type.
	app.removeAllContentTypeParsers();
	app.addContentTypeParser('*', (_request, _payload, done) => done(null));
	void app.register(multipart, { throwFileSizeLimit: true });
	app.setNotFoundHandler(answerUnknownRoute);
	app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
		const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
		return sendError(reply, status, status === 500 ? 'Internal sandbox error' : error.message, { code: error.code ?? null });
	});
	// The submit route checks the token in its own onRequest hook (routes/readWithCallback.ts), so it applies to
	// every spelling of the path the router matches (e.g. /techread/read%2Dwith-callback), not just the literal URL.
	registerReadWithCallback(app, ctx);
	registerStatus(app, ctx);
	registerPayloads(app, ctx);
	const streaming = registerStreaming(app, ctx);
	return { app, streaming };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	let baseUrl = '';
	const ctx = createContext(options, () => baseUrl);
	const { app, streaming } = buildApp(ctx);
	await app.listen({ port: ctx.options.port, host: ctx.options.host });
	const address = app.server.address() as AddressInfo;
	// Bound to every interface: loopback is still the address a local client can use.
	const unspecified = address.address === '0.0.0.0' || address.address === '::';
	const host = unspecified ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
	baseUrl = `http://${host}:${address.port}`;
	const sweeper = setInterval(() => ctx.payloads.sweep(), 60_000);
	sweeper.unref();
	return {
		url: baseUrl,
		streamingUrl: `${ctx.baseUrl().replace(/^http/, 'ws')}/v2`,
		token: ctx.options.token,
		port: address.port,
		request: (requestId) => ctx.requests.get(requestId),
		idle: () => ctx.dispatcher.idle(),
		context: ctx,
		close: async () => {
			clearInterval(sweeper);
			ctx.dispatcher.close();
			streaming.close();
			await app.close();
			await ctx.dispatcher.idle();
		},
	};
}
