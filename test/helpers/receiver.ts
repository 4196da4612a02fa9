// A loopback HTTP receiver for callback tests: records every request (headers, raw body, parsed JSON) and
// answers with a status chosen per request. Binds 127.0.0.1 on a free port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
	/** The body parsed as JSON, or undefined when it is not JSON. */
	json: unknown;
	receivedAt: number;
}

export interface Receiver {
	url: string;
	requests: ReceivedRequest[];
	/** Resolves once `count` requests arrived (rejects after `timeoutMs`). */
	waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
	/** Resolves once a request matches (rejects after `timeoutMs`). */
	waitUntil(predicate: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
	close(): Promise<void>;
}

/** `respond` returns the status for the n-th request (0-based); default 200. */
export async function startReceiver(respond: (request: ReceivedRequest, index: number) => number = () => 200): Promise<Receiver> {
	const requests: ReceivedRequest[] = [];
	const waiters = new Set<() => void>();
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			let json: unknown;
			try {
				json = JSON.parse(body.toString('utf8'));
			} catch {
				json = undefined;
			}
			const received: ReceivedRequest = {
				method: req.method ?? '',
				path: req.url ?? '',
				headers: req.headers,
				body,
				json,
				receivedAt: Date.now(),
			};
			const status = respond(received, requests.length);
			requests.push(received);
			res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status < 300 }));
			for (const wake of [...waiters]) wake();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	const wait = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
		new Promise((resolve, reject) => {
			const attempt = (): boolean => {
				const value = check();
				if (value === undefined) return false;
				waiters.delete(wake);
				clearTimeout(timer);
				resolve(value);
				return true;
			};
			const wake = (): void => {
				attempt();
			};
			const timer = setTimeout(() => {
				waiters.delete(wake);
				reject(new Error(`Receiver: timed out waiting for ${what}; got ${requests.length} request(s)`));
			}, timeoutMs);
			waiters.add(wake);
			attempt();
		});

	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		waitFor: (count, timeoutMs = 10_000) => wait(() => (requests.length >= count ? requests.slice(0, count) : undefined), timeoutMs, `${count} request(s)`),
		waitUntil: (predicate, timeoutMs = 10_000) => wait(() => requests.find(predicate), timeoutMs, 'a matching request'),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
