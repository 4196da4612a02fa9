/**
 * The e2e harness: one real n8n per test file (start-up costs 10-16 s), reused by the file's cases and stopped in
 * afterAll even when a case fails. globalSetup installs the runtime and packs the package; this module reads both.
 */
import * as fs from 'node:fs';
import {
	N8nInstance,
	type ExecutionSummary,
	type N8nStartOptions,
	type WorkflowJson,
} from '../../scripts/n8nInstance';
import { ensureN8nRuntime, isInstalled } from '../../scripts/n8nRuntime';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { TARBALL_ENV } from './globalSetup';

/** n8n start-up is 10-16 s on an idle machine; imports add ~4 s each; a busy CI machine needs more. */
const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 60_000;
/** Per case: a callback round trip through the sandbox and n8n takes seconds, a busy machine more. */
export const CASE_TIMEOUT_MS = 180_000;
// The e2e project's testTimeout in jest.config.js does not apply per project; set it for every file that uses the harness.
jest.setTimeout(CASE_TIMEOUT_MS);


export type InstanceOptions = Omit<N8nStartOptions, 'runtime' | 'packageTarball'>;

export async function startN8n(options: InstanceOptions): Promise<N8nInstance> {
	const tarball = process.env[TARBALL_ENV];
	if (!tarball || !fs.existsSync(tarball)) {
		throw new Error(`${TARBALL_ENV} is not set; run the e2e tests through jest (npm run test:e2e) so globalSetup packs the package.`);
	}
	if (!isInstalled()) throw new Error('The n8n runtime is not installed; globalSetup should have installed it.');
	const runtime = await ensureN8nRuntime();
	// WERK24_E2E_VERBOSE=1 streams n8n's own log to stderr while the tests run.
	const onLog = process.env.WERK24_E2E_VERBOSE ? (line: string) => process.stderr.write(`[n8n] ${line}\n`) : undefined;
	return N8nInstance.start({ onLog, ...options, runtime, packageTarball: tarball });
}

/**
 * Registers beforeAll/afterAll for one n8n shared by the file's cases. Options may be computed in beforeAll
 * (after, say, a sandbox has started and its URL is known). Returns a getter for the running instance.
 */
export function useN8n(options: () => InstanceOptions | Promise<InstanceOptions>): () => N8nInstance {
	let instance: N8nInstance | undefined;
	let starting: Promise<N8nInstance> | undefined;
	beforeAll(async () => {
		starting = Promise.resolve(options()).then(startN8n);
		instance = await starting;
	}, START_TIMEOUT_MS);
	afterAll(async () => {
		// Even when beforeAll gave up waiting, the start may still finish: stop whatever it produced.
		const started = instance ?? (await starting?.catch(() => undefined));
		await started?.dispose();
	}, STOP_TIMEOUT_MS);
	return () => {
		if (!instance) throw new Error('n8n did not start (see the beforeAll error)');
		return instance;
	};
}

/** A Werk24 sandbox on 127.0.0.1 for the file's cases (no simulated latency unless asked), closed in afterAll. */
export function useSandbox(options: SandboxOptions = {}): () => Sandbox {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, host: '127.0.0.1', callbackLatencyMs: 0, ...options });
	});
	afterAll(async () => {
		await sandbox?.close();
	});
	return () => {
		if (!sandbox) throw new Error('The sandbox did not start (see the beforeAll error)');
		return sandbox;
	};
}

/** Counts a workflow's executions now, then after `settleMs`; both numbers, to show nothing new started. */
export async function executionCountAfter(n8n: N8nInstance, workflowId: string, action: () => Promise<void>, settleMs = 2000) {
	const before = (await n8n.executions(workflowId)).length;
	await action();
	await new Promise((resolve) => setTimeout(resolve, settleMs));
	return { before, after: (await n8n.executions(workflowId)).length };
}

/** Output items of a node in an execution's run data (first run, first output). */
export function nodeOutput(execution: ExecutionSummary, nodeName: string): Array<Record<string, unknown>> {
	const runs = execution.data?.resultData.runData[nodeName];
	if (!runs?.length) return [];
	return (runs[0].data?.main?.[0] ?? []).map((item) => item.json);
}

/** Binary properties of a node's output items. */
export function nodeBinaries(execution: ExecutionSummary, nodeName: string) {
	const runs = execution.data?.resultData.runData[nodeName];
	return (runs?.[0]?.data?.main?.[0] ?? []).map((item) => item.binary ?? {});
}

/** A node in n8n's workflow format, with a stable id derived from its name. */
export function node(
	name: string,
	type: string,
	typeVersion: number,
	parameters: Record<string, unknown>,
	position: [number, number],
	extra: Record<string, unknown> = {},
): Record<string, unknown> {
	return { id: stableId(name), name, type, typeVersion, position, parameters, ...extra };
}

/** Connects nodes in a chain: a → b → c (main output 0 to main input 0). */
export function chain(...names: string[]): WorkflowJson['connections'] {
	const connections: Record<string, unknown> = {};
	for (let index = 0; index < names.length - 1; index++) {
		connections[names[index]] = { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

export function workflow(id: string, name: string, nodes: WorkflowJson['nodes'], connections: WorkflowJson['connections']): WorkflowJson {
	return { id, name, nodes, connections, active: false, settings: { executionOrder: 'v1' }, pinData: {} };
}

function stableId(name: string): string {
	const hex = Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
