/**
 * A fresh n8n user folder for one instance: the environment n8n runs with, this package unpacked as n8n installs
 * community packages, and credentials and workflows imported with n8n's CLI (before the server starts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, type N8nRuntime } from './n8nRuntime';

export const PACKAGE_NAME = 'n8n-nodes-werk24';
/** Fixed so a kept user folder can be restarted; it protects throwaway local data only. */
const ENCRYPTION_KEY = 'werk24-local-n8n-encryption-key-0001';
/** Modules that call n8n's servers at start-up or are not needed here; fewer offline errors, faster start. */
const DISABLED_MODULES = 'mcp-registry,instance-ai,agents,workflow-builder,chat-hub';

/** A workflow in n8n's import format; `id` is required so webhook URLs and API calls are predictable. */
export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

/** A credential in n8n's import format: plaintext `data`, encrypted by n8n on import. */
export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export function n8nEnv(
	runtime: N8nRuntime,
	userFolder: string,
	filesDir: string,
	port: number,
	brokerPort: number,
	extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
	const inherited = cleanEnv();
	for (const key of Object.keys(inherited)) {
		// Settings of a developer's own n8n must not leak into this one.
		if (/^(N8N_|DB_|WEBHOOK_URL$|EXECUTIONS_|NODE_OPTIONS$|NODE_ENV$)/.test(key)) delete inherited[key];
	}
	return {
		...inherited,
		PATH: `${runtime.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_DISABLED_MODULES: DISABLED_MODULES,
		N8N_RESTRICT_FILE_ACCESS_TO: filesDir,
		GENERIC_TIMEZONE: 'UTC',
		...extra,
	};
}

/** Unpacks the tarball as n8n does for a community package: <userFolder>/.n8n/nodes/node_modules/<name>. */
export function installPackage(tarball: string, userFolder: string): void {
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(target, { recursive: true });
	const result = spawnSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`Unpacking ${tarball} failed: ${result.stderr}`);
}

/** Replaces placeholder tokens in every string of a JSON value. */
export function fillPlaceholders<T>(value: T, values: Record<string, string>): T {
	return JSON.parse(JSON.stringify(value), (_key, field: unknown) =>
		typeof field === 'string'
			? Object.entries(values).reduce((text, [token, replacement]) => text.split(token).join(replacement), field)
			: field,
	) as T;
}

export function importIntoN8n(
	runtime: N8nRuntime,
	credentials: CredentialJson[],
	workflows: WorkflowJson[],
	userFolder: string,
	env: NodeJS.ProcessEnv,
): void {
	const importDir = path.join(userFolder, 'import');
	fs.mkdirSync(path.join(importDir, 'workflows'), { recursive: true });
	const cli = (args: string[]): void => {
		const result = spawnSync(runtime.node, [runtime.n8nEntry, ...args], {
			cwd: userFolder,
			env,
			encoding: 'utf8',
			timeout: 120_000,
		});
		if (result.status !== 0) {
			throw new Error(`n8n ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
		}
	};
	if (credentials.length) {
		const file = path.join(importDir, 'credentials.json');
		fs.writeFileSync(file, JSON.stringify(credentials, null, 2));
		cli(['import:credentials', `--input=${file}`]);
	}
	if (workflows.length) {
		for (const workflow of workflows) {
			fs.writeFileSync(path.join(importDir, 'workflows', `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
		}
		cli(['import:workflow', '--separate', `--input=${path.join(importDir, 'workflows')}`]);
	}
	// The credentials file holds plaintext secrets; n8n keeps its own encrypted copy.
	fs.rmSync(importDir, { recursive: true, force: true });
}
