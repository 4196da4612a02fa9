// npm run bench:streaming — what "Read and Wait" adds on top of the sandbox's own latency, for 1 and 20
// drawings. Baseline: a bare client speaking the same protocol (ws + fetch, no n8n, no node code) with the
// same concurrency; measured: the Werk24 node's execute() through the test context with real HTTP.
// Both run against one sandbox in the same process, interleaved, and the ratio of medians is printed.
import { performance } from 'node:perf_hooks';

import WebSocket from 'ws';

import { mapPool } from '../../core';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { createExecuteContext, realHttp } from '../helpers/executeContext';
import { flangePdf } from '../sandbox/submit';

const ROUNDS = 5;
const CONCURRENCY = 2;
const ASKS = ['META_DATA', 'FEATURES'];
// `ws` stands in for Node ≥ 22's global WebSocket (same constructor shape, headers included).
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

/** The protocol with nothing around it: INITIALIZE → upload → READ → until COMPLETED. */
function bareRead(sandbox: Sandbox, drawing: Buffer): Promise<number> {
	return new Promise((resolve, reject) => {
		const socket = new WebSocket(sandbox.streamingUrl, { headers: { Authorization: `Token ${sandbox.token}` } });
		let messages = 0;
		socket.on('open', () =>
			socket.send(
				JSON.stringify({ action: 'INITIALIZE', message: { asks: ASKS.map((ask_type) => ({ ask_version: 'v2', ask_type })), client_version: 'bench', max_pages: 5 } }),
			),
		);
		socket.on('message', async (data) => {
			const message = JSON.parse(String(data)) as { message_subtype: string; payload_dict: { drawing_presigned_post: { url: string; fields: Record<string, string> } } };
			if (message.message_subtype === 'INITIALIZATION_SUCCESS') {
				const form = new FormData();
				const post = message.payload_dict.drawing_presigned_post;
				for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
				form.append('file', new Blob([new Uint8Array(drawing)]), 'drawing.pdf');
				const upload = await fetch(post.url, { method: 'POST', body: form });
				if (upload.status >= 300) return reject(new Error(`upload ${upload.status}`));
				socket.send(JSON.stringify({ action: 'READ', message: {} }));
				return;
			}
			messages++;
			if (message.message_subtype === 'COMPLETED') {
				socket.close();
				resolve(messages);
			}
		});
		socket.on('error', reject);
	});
}

async function timeBare(sandbox: Sandbox, count: number): Promise<number> {
	const drawing = flangePdf();
	const started = performance.now();
	await mapPool(Array.from({ length: count }), CONCURRENCY, () => bareRead(sandbox, drawing));
	return performance.now() - started;
}

async function timeNode(sandbox: Sandbox, count: number): Promise<number> {
	const credentials = { werk24Api: { token: sandbox.token, apiUrl: sandbox.url, streamingUrl: sandbox.streamingUrl } };
	const run = createExecuteContext({
		parameters: { resource: 'drawing', operation: 'read', asks: ASKS, options: { concurrency: CONCURRENCY } },
		items: Array.from({ length: count }, () => ({ binary: { data: { bytes: flangePdf(), fileName: 'flange.pdf' } } })),
		credentials,
		...realHttp(credentials),
	});
	const started = performance.now();
	const [items] = await run.run();
	const elapsed = performance.now() - started;
	if (items.length !== count || items.some((item) => item.json.ok !== true)) throw new Error('the node did not read every drawing');
	return elapsed;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
	const latencies = [0, 250];
	console.log(`Read and Wait vs a bare protocol client, ${ROUNDS} rounds each (interleaved), concurrency ${CONCURRENCY}, asks ${ASKS.join('+')}, 2-page PDF`);
	console.log('sandbox latency/ask | drawings | bare median ms | node median ms | overhead ms | ratio node/bare');
	for (const latency of latencies) {
		const sandbox = await startSandbox({ callbackLatencyMs: latency });
		try {
			await timeBare(sandbox, 1);
			await timeNode(sandbox, 1);
			for (const count of [1, 20]) {
				const bare: number[] = [];
				const node: number[] = [];
				for (let round = 0; round < ROUNDS; round++) {
					bare.push(await timeBare(sandbox, count));
					node.push(await timeNode(sandbox, count));
				}
				const b = median(bare);
				const n = median(node);
				console.log(
					`${String(latency).padStart(16)} ms | ${String(count).padStart(8)} | ${b.toFixed(1).padStart(14)} | ${n.toFixed(1).padStart(14)} | ${(n - b).toFixed(1).padStart(11)} | ${(n / b).toFixed(3).padStart(15)}`,
				);
			}
		} finally {
			await sandbox.close();
		}
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
