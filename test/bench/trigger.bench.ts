// npm run bench:trigger — what one webhook() call costs the n8n process, per message size and for the 401 path.
// Context construction is outside the timed region; the body parse, auth, validation and simplification are inside.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as TriggerModule from '../../nodes/Werk24Trigger/Werk24Trigger.node';
import { loadExample } from '../fixtures/examples';
import { defaultsOf, makeWebhookContext } from '../helpers/webhookContext';

const SECRET = 'bench-callback-secret-0123456789';
// Node's resolver (used by tsx) would pick Werk24Trigger.node.json for the extensionless path, so name the .ts file.
let trigger: InstanceType<typeof TriggerModule.Werk24Trigger>;
let defaults: Record<string, unknown>;
const sequence = loadExample<Array<Record<string, unknown>>>('02-callback-sequence-metadata-sheetimages-features.json');
const [started, , , features] = sequence;

function progressOf(bytes: number): Buffer {
	const base = { ...started, payload_dict: { notes: '' } };
	const pad = bytes - Buffer.byteLength(JSON.stringify(base));
	return Buffer.from(JSON.stringify({ ...base, payload_dict: { notes: 'x'.repeat(Math.max(0, pad)) } }));
}

/** The FEATURES example with its dimension list repeated until the message reaches `bytes`. */
function featuresOf(bytes: number): Buffer {
	const payload = features.payload_dict as Record<string, unknown>;
	const dimensions = payload.dimensions as Array<Record<string, unknown>>;
	const grown: Array<Record<string, unknown>> = [];
	let message = { ...features, payload_dict: { ...payload, dimensions: grown } };
	while (Buffer.byteLength(JSON.stringify(message)) < bytes) {
		for (const dimension of dimensions) grown.push({ ...dimension, reference_id: grown.length + 1000 });
		message = { ...features, payload_dict: { ...payload, dimensions: grown } };
	}
	return Buffer.from(JSON.stringify(message));
}

interface Case {
	label: string;
	body: Buffer;
	secret: string;
	iterations: number;
	expectStatus: 'items' | 401;
}

const cases: Case[] = [
	{ label: '2 kB PROGRESS', body: progressOf(2 * 1024), secret: SECRET, iterations: 5000, expectStatus: 'items' },
	{ label: '50 kB FEATURES', body: featuresOf(50 * 1024), secret: SECRET, iterations: 2000, expectStatus: 'items' },
	{ label: '1 MB FEATURES', body: featuresOf(1024 * 1024), secret: SECRET, iterations: 150, expectStatus: 'items' },
	{ label: '401 (wrong secret, 2 kB)', body: progressOf(2 * 1024), secret: 'wrong-secret-0123456789', iterations: 5000, expectStatus: 401 },
];

function context(body: Buffer, secret: string) {
	return makeWebhookContext({
		headers: { 'x-werk24-token': secret, 'content-type': 'application/json' },
		rawBody: body,
		defaults,
		credentials: { werk24CallbackApi: { headerName: 'X-Werk24-Token', secret: SECRET } },
	});
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(c: Case): Promise<{ median: number; p99: number }> {
	const warmup = Math.max(20, Math.floor(c.iterations / 10));
	const samples: number[] = [];
	for (let i = 0; i < warmup + c.iterations; i++) {
		const fake = context(c.body, c.secret);
		const start = performance.now();
		const result = await trigger.webhook.call(fake.context);
		const elapsed = (performance.now() - start) * 1000;
		const ok = c.expectStatus === 'items' ? result.workflowData?.[0].length === 1 : fake.response.statusCode === 401;
		if (!ok) throw new Error(`${c.label}: unexpected result ${JSON.stringify(result).slice(0, 200)}`);
		if (i >= warmup) samples.push(elapsed);
	}
	samples.sort((a, b) => a - b);
	return { median: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

async function main(): Promise<void> {
	const triggerModule = (await import(join(__dirname, '..', '..', 'nodes', 'Werk24Trigger', 'Werk24Trigger.node.ts'))) as typeof TriggerModule;
	trigger = new triggerModule.Werk24Trigger();
	defaults = defaultsOf(trigger.description.properties);
	console.log(`webhook() cost per message — node ${process.version}, ${process.platform}/${process.arch}`);
	const results: Array<{ c: Case; median: number; p99: number }> = [];
	for (const c of cases) results.push({ c, ...(await measure(c)) });
	const base = results[0];
	const rows = results.map(({ c, median, p99 }) => ({
		case: c.label,
		'body bytes': c.body.length,
		runs: c.iterations,
		'median µs': median.toFixed(1),
		'p99 µs': p99.toFixed(1),
		'messages/s (median)': Math.round(1e6 / median),
		'median × 2 kB': (median / base.median).toFixed(2),
		'p99 × 2 kB': (p99 / base.p99).toFixed(2),
	}));
	console.table(rows);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
