// A loopback HTTP server that stands in for n8n's webhook endpoint: it reads each real request the way n8n
// does (raw body kept, JSON parsed), builds the fake webhook context from it and calls Werk24 Trigger's
// webhook(). What webhook() returns is recorded, and answered like n8n would for responseMode 'onReceived'.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { IHttpRequestOptions, IWebhookResponseData } from 'n8n-workflow';
import { Werk24Trigger } from '../../nodes/Werk24Trigger/Werk24Trigger.node';
import { defaultsOf, makeWebhookContext, type ContextOptions } from './webhookContext';

export interface AdapterCall {
	status: number;
	answer: unknown;
	result: IWebhookResponseData;
	contentType: string | undefined;
}

export interface TriggerAdapter {
	url: string;
	calls: AdapterCall[];
	close(): Promise<void>;
}

/** helpers.httpRequest over fetch, for the options the trigger uses (GET, stream or arraybuffer, full response). */
export async function loopbackHttpRequest(options: IHttpRequestOptions): Promise<unknown> {
	const response = await fetch(options.url, {
		method: options.method ?? 'GET',
		redirect: options.disableFollowRedirect ? 'manual' : 'follow',
		signal: AbortSignal.timeout(options.timeout ?? 30_000),
	});
	if (!options.ignoreHttpStatusErrors && !response.ok) throw new Error(`Request failed with status code ${response.status}`);
	// encoding 'stream' gets a Node stream as n8n's helper returns it; anything else the whole body.
	const body =
		options.encoding === 'stream' && response.body
			? Readable.fromWeb(response.body as WebReadableStream)
			: Buffer.from(await response.arrayBuffer());
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => {
		headers[name] = value;
	});
	return options.returnFullResponse ? { statusCode: response.status, headers, body } : body;
}

export async function startTriggerAdapter(
	settings: Pick<ContextOptions, 'parameters' | 'credentials'>,
	trigger = new Werk24Trigger(),
): Promise<TriggerAdapter> {
	const calls: AdapterCall[] = [];
	const defaults = defaultsOf(trigger.description.properties);
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void (async () => {
				const rawBody = Buffer.concat(chunks);
				const contentType = req.headers['content-type'];
				let body: unknown = {};
				if (contentType?.startsWith('application/json')) {
					try {
						body = JSON.parse(rawBody.toString('utf8'));
					} catch {
						body = {}; // n8n leaves an unparsable body to the node; the trigger reads rawBody anyway
					}
				}
				const fake = makeWebhookContext({
					headers: req.headers,
					rawBody,
					body,
					defaults,
					httpRequest: loopbackHttpRequest,
					...settings,
				});
				const result = await trigger.webhook.call(fake.context);
				const status = result.noWebhookResponse ? (fake.response.statusCode ?? 200) : 200;
				const answer = result.noWebhookResponse ? fake.response.body : result.webhookResponse;
				calls.push({ status, answer, result, contentType });
				res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
			})().catch((error: unknown) => {
				calls.push({ status: 500, answer: String(error), result: {}, contentType: req.headers['content-type'] });
				res.writeHead(500).end();
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook/trigger-id/callback`,
		calls,
		close: async () =>
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				// Keep-alive sockets from the sender would otherwise hold close() open for seconds.
				server.closeAllConnections();
			}),
	};
}
