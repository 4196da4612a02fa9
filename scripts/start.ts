/**
 * `npm start`: the package in a real n8n, talking to the local Werk24 sandbox.
 *
 * Builds and packs the package, installs the pinned n8n runtime on first use (minutes, once), starts the sandbox
 * and n8n with the demo credentials and workflows, submits the sample drawing, waits for COMPLETED, prints what
 * arrived, runs the read-and-wait flow, then keeps both running and prints the editor URL and login.
 * Ctrl+C stops everything. `npm start -- --once` exits after the demo: 0 when it worked, 1 otherwise.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { startSandbox, type Sandbox } from '../sandbox/server';
import {
	demoInstanceOptions,
	formatTable,
	generateDemoSecrets,
	readAndWaitSample,
	submitSample,
	waitForCompleted,
	waitForDemoWebhooks,
} from './demo/demo';
import { N8nInstance, reapLeftoverInstances } from './n8nInstance';
import { ensureN8nRuntime } from './n8nRuntime';
import { buildAndPack } from './packageTarball';

const DEMO_DIR = path.join(__dirname, '..', '.werk24-demo');

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const elapsed = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

let sandbox: Sandbox | undefined;
let n8n: N8nInstance | undefined;
let stopping: Promise<void> | undefined;

/** Stops n8n (by its PID, then its process group) and the sandbox; safe to call twice. */
function stopAll(): Promise<void> {
	stopping ??= (async () => {
		await n8n?.stop();
		await sandbox?.close();
	})();
	return stopping;
}

/** Set once the demo has run in the keep-running mode: from then on Ctrl+C is the normal way to stop. */
let servingAfterDemo = false;

function onSignal(signal: NodeJS.Signals): void {
	say(`\n${signal}: stopping n8n and the sandbox…`);
	// An interrupted build, demo or --once run is no success: exit as shells report a signal (130 for Ctrl+C).
	const code = servingAfterDemo ? 0 : 128 + (os.constants.signals[signal] ?? 0);
	stopAll().then(
		() => {
			say('Stopped.');
			process.exit(code);
		},
		(error: unknown) => {
			process.stderr.write(`Stopping failed: ${String(error)}\n`);
			process.exit(1);
		},
	);
}

/** Removes demo folders of earlier runs, except those of an n8n that still runs. */
function tidyDemoDir(): void {
	reapLeftoverInstances();
	fs.mkdirSync(DEMO_DIR, { recursive: true });
	const live = new Set(N8nInstance.liveUserFolders());
	for (const entry of fs.readdirSync(DEMO_DIR)) {
		const folder = path.join(DEMO_DIR, entry);
		if (entry.startsWith('werk24-n8n-') && !live.has(folder)) fs.rmSync(folder, { recursive: true, force: true });
	}
}

const USAGE = `Usage: npm start [-- --once]
  (no flag)  run the demo, then keep n8n and the sandbox running until Ctrl+C
  --once     run the demo and exit: 0 when it worked, 1 otherwise`;

/** The flags, or null after printing the usage (for --help, or an unknown flag with exit code 2). */
function readFlags(): { once: boolean } | null {
	let values: { once?: boolean; help?: boolean };
	try {
		({ values } = parseArgs({ options: { once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
	} catch (error) {
		process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
		process.exitCode = 2;
		return null;
	}
	if (values.help) {
		say(USAGE);
		return null;
	}
	// `npm start --once` (without the "--") hands the flag to npm, which passes it on as npm_config_once.
	return { once: values.once === true || process.env.npm_config_once === 'true' };
}

async function main(): Promise<number> {
	const flags = readFlags();
	if (!flags) return Number(process.exitCode ?? 0);
	const { once } = flags;
	const started = Date.now();
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);

	say('Building and packing n8n-nodes-werk24 (about 10-20 s)…');
	const tarball = buildAndPack();
	const runtime = await ensureN8nRuntime((line) => say(line));
	tidyDemoDir();

	sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
	say(`Werk24 sandbox on ${sandbox.url} (token ${sandbox.token})`);

	const secrets = generateDemoSecrets();
	say(`Starting n8n ${runtime.n8nVersion} with the package (about 15-45 s)…`);
	const n8nStarted = Date.now();
	n8n = await N8nInstance.start({
		runtime,
		packageTarball: tarball,
		parentDir: DEMO_DIR,
		...demoInstanceOptions(sandbox, secrets),
	});
	fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	await waitForDemoWebhooks(n8n);
	say(
		`n8n ready on ${n8n.baseUrl} after ${elapsed(n8nStarted)} (import ${(n8n.timings.importMs / 1000).toFixed(1)} s, ` +
			`start-up to readiness ${(n8n.timings.readyMs / 1000).toFixed(1)} s); workflows published.`,
	);

	say('\nSubmitting the sample drawing (flange-2-pages.pdf) through "Werk24 · submit drawing"…');
	const submitted = await submitSample(n8n);
	const requestId = String(submitted.request_id);
	say(`Accepted: request ${requestId}. Waiting for the callbacks…`);
	const messages = await waitForCompleted(n8n, sandbox, requestId);
	say(`\nWhat "Werk24 · receive results" received (${messages.length} executions):\n`);
	say(formatTable(messages));
	const saved = messages.filter((message) => message.savedFile);
	const files = saved.filter((message) => message.fileName).length;
	say(`\nSaved ${files} result file(s) and ${saved.length - files} JSON result(s) in ${path.join(n8n.filesDir, 'results')}`);

	say('\nReading bushing.png through "Werk24 · read and wait" (results in the same execution)…');
	const read = await readAndWaitSample(n8n);
	say(
		`Request ${String(read.request_id)}: ${read.ok ? 'ok' : 'FAILED'}, drawing number ${String(read.drawing_number)}, ` +
			`material ${String(read.material)}, ${String(read.features)} features on ${String(read.pages)} page(s), asks ${JSON.stringify(read.asks)}`,
	);

	const problems = [
		...(messages.some((message) => message.message_type === 'PROGRESS' && message.message_subtype === 'COMPLETED') ? [] : ['no COMPLETED']),
		...messages.filter((message) => !message.ok || message.status !== 'success').map((message) => `${message.message_subtype} failed`),
		...messages.filter((message) => !message.savedFile).map((message) => `${message.fileName ?? `${message.message_subtype} JSON`} not saved`),
		...(read.ok === true ? [] : ['read and wait failed']),
	];
	if (problems.length) say(`\nProblems: ${problems.join(', ')}`);
	say(`\nDemo finished in ${elapsed(started)}.`);

	if (once) {
		await stopAll();
		if (problems.length === 0) fs.rmSync(n8n.userFolder, { recursive: true, force: true });
		else say(`Kept for a look: ${n8n.userFolder} (n8n log: ${path.join(n8n.userFolder, 'n8n.log')})`);
		return problems.length ? 1 : 0;
	}
	servingAfterDemo = true;
	say('\nn8n keeps running with the three demo workflows:');
	say(`  Editor:   ${n8n.baseUrl}`);
	say(`  Login:    ${n8n.owner.email} / ${n8n.owner.password}`);
	say(`  Sandbox:  ${sandbox.url} (license token ${sandbox.token})`);
	say(`  Files:    ${n8n.filesDir}`);
	say(`  n8n log:  ${path.join(n8n.userFolder, 'n8n.log')}`);
	say(`n8n listens on 127.0.0.1 only; from another computer, forward the port (e.g. ssh -L ${new URL(n8n.baseUrl).port}:127.0.0.1:${new URL(n8n.baseUrl).port} <this machine>).`);
	say('Press Ctrl+C to stop.');
	const code = await n8n.whenExited();
	if (stopping) return await new Promise<number>(() => undefined); // the signal handler exits
	say(`\nn8n stopped on its own (exit code ${code}); see ${path.join(n8n.userFolder, 'n8n.log')}`);
	await stopAll();
	return 1;
}

main().then(
	(code) => process.exit(code),
	async (error: unknown) => {
		// Ctrl+C also reaches the build or install child, whose failure lands here first: let the signal
		// handler, queued behind it, stop everything and report, instead of a misleading "failed".
		await new Promise((resolve) => setTimeout(resolve, 200));
		if (stopping) return;
		process.stderr.write(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
		if (n8n) process.stderr.write(`n8n log: ${path.join(n8n.userFolder, 'n8n.log')}\n`);
		await stopAll().catch(() => undefined);
		process.exit(1);
	},
);
