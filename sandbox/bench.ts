// `npm run bench:sandbox`: submissions accepted per second and callbacks delivered per second, on loopback,
// with no simulated latency. Both rates come from the same run, printed with the machine's CPU count.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import FormData from 'form-data';
import { startSandbox } from './server';

const SUBMISSIONS = Number(process.env.BENCH_SUBMISSIONS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function main(): Promise<void> {
	let received = 0;
	const receiver = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			received++;
			res.writeHead(200).end();
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
	const sandbox = await startSandbox({ callbackLatencyMs: 0 });
	const drawing = readFileSync(join(__dirname, 'fixtures', 'flange-2-pages.pdf'));
	const asks = [{ ask_version: 'v2', ask_type: 'META_DATA' }, { ask_version: 'v2', ask_type: 'FEATURES' }];
	const submit = async (): Promise<number> => {
		const form = new FormData();
		form.append('drawing', drawing, { filename: 'flange.pdf' });
		form.append('asks', JSON.stringify(asks));
		form.append('callback_url', JSON.stringify(callbackUrl));
		form.append('callback_headers', JSON.stringify({ 'X-Token': 'bench-secret-0123456789' }));
		const started = performance.now();
		const response = await fetch(`${sandbox.url}/techread/read-with-callback`, {
			method: 'POST',
			headers: { ...form.getHeaders(), Authorization: `Token ${sandbox.token}` },
			body: new Uint8Array(form.getBuffer()),
		});
		await response.arrayBuffer();
		if (response.status !== 200) throw new Error(`submit answered ${response.status}`);
		return performance.now() - started;
	};

	for (let i = 0; i < 20; i++) await submit(); // warm-up
	await sandbox.idle();
	received = 0;
	const deliveredBefore = sandbox.context.dispatcher.delivered;

	const latencies: number[] = [];
	let next = 0;
	const t0 = performance.now();
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (next++ < SUBMISSIONS) latencies.push(await submit());
		}),
	);
	const tAccepted = performance.now();
	await sandbox.idle();
	const tDelivered = performance.now();
	const delivered = sandbox.context.dispatcher.delivered - deliveredBefore;

	latencies.sort((a, b) => a - b);
	const seconds = (ms: number): number => ms / 1000;
	const lines = [
		`Werk24 sandbox benchmark (Node ${process.version}, ${os.cpus().length} CPUs: ${os.cpus()[0]?.model ?? 'unknown'})`,
		`  ${SUBMISSIONS} submissions of a 2-page PDF (META_DATA + FEATURES), concurrency ${CONCURRENCY}, no simulated latency`,
		`  accepted:  ${(SUBMISSIONS / seconds(tAccepted - t0)).toFixed(0)} submissions/s (p50 ${latencies[Math.floor(latencies.length / 2)].toFixed(1)} ms, p95 ${latencies[Math.floor(latencies.length * 0.95)].toFixed(1)} ms)`,
		`  delivered: ${delivered} callbacks (${received} seen by the receiver) in ${seconds(tDelivered - t0).toFixed(2)} s → ${(delivered / seconds(tDelivered - t0)).toFixed(0)} callbacks/s`,
		`  callbacks per submission: ${(delivered / SUBMISSIONS).toFixed(1)} (STARTED + 2 asks × 2 pages + COMPLETED = 6)`,
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	await sandbox.close();
	await new Promise<void>((resolve) => receiver.close(() => resolve()));
}

main().catch((error: unknown) => {
	process.stderr.write(`Benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
