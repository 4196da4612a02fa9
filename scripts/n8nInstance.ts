/**
 * One real n8n process with this package installed the way n8n installs community packages.
 *
 * Each instance gets a fresh user folder, sqlite, 127.0.0.1 only, ports picked at run time, a fixed encryption
 * key and no outbound traffic of its own (telemetry, version checks, templates and the modules that call
 * api.n8n.io are off). Credentials and workflows are imported with n8n's CLI before the server starts; after
 * readiness an owner and an API key are created so callers can publish workflows and read executions through
 * n8n's public API.
 *
 * n8n runs in a process group of its own (it spawns a task runner), so stop() signals the group by the PID we
 * started: SIGTERM, then SIGKILL when it hangs. A registry of running instances lets a later run (or the exit
 * handler) remove processes a crashed run left behind. Never kill by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distinctFreePorts, forwardLines, liveUserFolders, register, signalGroup, startGuard, unregister } from './n8nProcesses';
import type { N8nRuntime } from './n8nRuntime';
import { fillPlaceholders, importIntoN8n, installPackage, n8nEnv, type CredentialJson, type WorkflowJson } from './n8nUserFolder';
import type { ExecutionSummary } from './n8nExecutionTypes';

export { freePort, reapLeftoverInstances, REGISTRY_DIR } from './n8nProcesses';
export { fillPlaceholders, PACKAGE_NAME, type CredentialJson, type WorkflowJson } from './n8nUserFolder';
export type { BinaryRef, ExecutionData, ExecutionSummary } from './n8nExecutionTypes';

const READY_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 15_000;

export interface N8nOwner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export const DEFAULT_OWNER: N8nOwner = {
	email: 'owner@werk24.local',
	password: 'Werk24-local-1',
	firstName: 'Local',
	lastName: 'Owner',
};

export interface N8nStartOptions {
	runtime: N8nRuntime;
	/** `npm pack` tarball of this package. */
	packageTarball: string;
	credentials?: CredentialJson[];
	/** Strings in them may hold __N8N_URL__ (e.g. http://127.0.0.1:5678) and __FILES_DIR__, filled in at start. */
	workflows?: WorkflowJson[];
	/** Workflow ids to publish once the server is ready. */
	publish?: string[];
	/** Files to place under the instance's files folder (the only folder Read/Write Files from Disk may use). */
	files?: Record<string, string | Buffer>;
	owner?: N8nOwner;
	/** Parent of the fresh user folder (default: the OS temp folder). */
	parentDir?: string;
	env?: Record<string, string>;
	/** Receives every line n8n prints (default: only kept in <userFolder>/n8n.log). */
	onLog?: (line: string) => void;
}

export class N8nInstance {
	readonly baseUrl: string;
	/** How long the CLI imports took and how long `n8n start` took to report readiness (ms). */
	readonly timings = { importMs: 0, readyMs: 0 };
	private apiKey = '';
	private cookie = '';
	private readonly browserId = randomUUID();
	private readonly logTail: string[] = [];
	private exited: Promise<void>;
	private exitCode: number | null | undefined;
	private stopping: Promise<void> | undefined;
	private releaseGuard: () => void = () => undefined;

	private constructor(
		readonly port: number,
		readonly userFolder: string,
		readonly filesDir: string,
		readonly owner: N8nOwner,
		private readonly child: ChildProcess,
	) {
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.exited = new Promise((resolve) =>
			child.once('exit', (code) => {
				this.exitCode = code;
				resolve();
			}),
		);
	}

	get pid(): number {
		return this.child.pid ?? 0;
	}

	/** Resolves when the n8n process exits, for whatever reason, with its exit code (null after a signal). */
	whenExited(): Promise<number | null> {
		return this.exited.then(() => this.exitCode ?? null);
	}

	/** User folders of the instances (of any process) that still run. */
	static liveUserFolders(): string[] {
		return liveUserFolders();
	}

	/** Prepares a fresh user folder, imports, starts n8n and waits until it is ready. Cleans up when any step fails. */
	static async start(options: N8nStartOptions): Promise<N8nInstance> {
		const userFolder = fs.mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), 'werk24-n8n-'));
		const filesDir = path.join(userFolder, 'files');
		const [port, brokerPort] = await distinctFreePorts(2);
		const env = n8nEnv(options.runtime, userFolder, filesDir, port, brokerPort, options.env);
		const importStarted = Date.now();
		try {
			fs.mkdirSync(filesDir, { recursive: true });
			for (const [name, content] of Object.entries(options.files ?? {})) {
				const target = path.join(filesDir, name);
				fs.mkdirSync(path.dirname(target), { recursive: true });
				fs.writeFileSync(target, content);
			}
			installPackage(options.packageTarball, userFolder);
			const workflows = (options.workflows ?? []).map((workflow) =>
				fillPlaceholders(workflow, { __N8N_URL__: `http://127.0.0.1:${port}`, __FILES_DIR__: filesDir }),
			);
			importIntoN8n(options.runtime, options.credentials ?? [], workflows, userFolder, env);
		} catch (error) {
			fs.rmSync(userFolder, { recursive: true, force: true });
			throw error;
		}
		const importMs = Date.now() - importStarted;

		const logFile = fs.openSync(path.join(userFolder, 'n8n.log'), 'a');
		const child = spawn(options.runtime.node, [options.runtime.n8nEntry, 'start'], {
			cwd: userFolder,
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const instance = new N8nInstance(port, userFolder, filesDir, options.owner ?? DEFAULT_OWNER, child);
		instance.timings.importMs = importMs;
		const spawned = Date.now();
		register(instance.pid, userFolder);
		instance.releaseGuard = startGuard(instance.pid);
		const onLine = (line: string): void => {
			fs.writeSync(logFile, `${line}\n`);
			instance.logTail.push(line);
			if (instance.logTail.length > 60) instance.logTail.shift();
			options.onLog?.(line);
		};
		forwardLines(child.stdout!, onLine);
		forwardLines(child.stderr!, onLine);
		void instance.exited.then(() => fs.closeSync(logFile));

		try {
			await instance.waitUntilReady();
			instance.timings.readyMs = Date.now() - spawned;
			await instance.setUpOwnerAndApiKey();
			for (const id of options.publish ?? []) await instance.publish(id);
		} catch (error) {
			await instance.stop();
			throw error;
		}
		return instance;
	}

	/** The production URL of a webhook node: /webhook/<webhookId>/<path>. */
	webhookUrl(webhookId: string, webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookId}/${webhookPath.replace(/^\//, '')}`;
	}

	/** The last lines n8n printed, for failure messages. */
	recentLog(): string {
		return this.logTail.join('\n');
	}

	/** Calls n8n's public API (/api/v1) with the instance's API key. */
	async api<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.baseUrl}/api/v1${apiPath}`, {
			method,
			headers: { 'X-N8N-API-KEY': this.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`n8n API ${method} ${apiPath} answered ${response.status}: ${text.slice(0, 500)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Publishes (activates) a workflow so its production webhooks listen. */
	async publish(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/publish`, {});
	}

	/**
	 * Every execution of a workflow, running ones included, optionally with run data. n8n's public API leaves
	 * out running executions unless asked for status=running, so both lists are read and merged.
	 */
	async executions(workflowId: string, includeData = false): Promise<ExecutionSummary[]> {
		const [listed, running] = await Promise.all([
			this.executionPages(workflowId, includeData),
			this.executionPages(workflowId, includeData, 'running'),
		]);
		const seen = new Set(listed.map((execution) => execution.id));
		return [...running.filter((execution) => !seen.has(execution.id)), ...listed];
	}

	private async executionPages(workflowId: string, includeData: boolean, status?: string): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		let cursor: string | undefined;
		do {
			const query = new URLSearchParams({ workflowId, includeData: String(includeData), limit: '100' });
			if (status) query.set('status', status);
			if (cursor) query.set('cursor', cursor);
			const page = await this.api<{ data: ExecutionSummary[]; nextCursor?: string | null }>(
				'GET',
				`/executions?${query.toString()}`,
			);
			all.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return all;
	}

	/** Waits until a workflow has at least `count` finished executions (any status but running/new/waiting). */
	async waitForExecutions(
		workflowId: string,
		count: number,
		{ timeoutMs = 60_000, includeData = true } = {},
	): Promise<ExecutionSummary[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const executions = await this.executions(workflowId, includeData);
			const done = executions.filter((execution) => !['running', 'new', 'waiting'].includes(execution.status));
			if (done.length >= count) return done;
			if (Date.now() > deadline) {
				throw new Error(
					`Workflow ${workflowId}: ${done.length} of ${count} executions finished within ${timeoutMs} ms ` +
						`(${executions.map((execution) => execution.status).join(', ') || 'none started'})`,
				);
			}
			await delay(250);
		}
	}

	/** SIGTERM to n8n's process group, SIGKILL after a grace period; resolves once the group is gone. */
	stop(): Promise<void> {
		this.stopping ??= (async () => {
			if (this.exitCode === undefined) {
				signalGroup(this.pid, 'SIGTERM');
				let timer: NodeJS.Timeout | undefined;
				const exitedInTime = await Promise.race([
					this.exited.then(() => true),
					new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
				]);
				clearTimeout(timer);
				if (!exitedInTime) {
					signalGroup(this.pid, 'SIGKILL');
					await this.exited;
				}
			}
			// The task runner shares the group; make sure nothing of it outlives n8n.
			signalGroup(this.pid, 'SIGKILL');
			this.child.stdout?.destroy();
			this.child.stderr?.destroy();
			unregister(this.pid);
			this.releaseGuard();
		})();
		return this.stopping;
	}

	/** Stops n8n and deletes its user folder. */
	async dispose(): Promise<void> {
		await this.stop();
		fs.rmSync(this.userFolder, { recursive: true, force: true });
	}

	private async waitUntilReady(): Promise<void> {
		const deadline = Date.now() + READY_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (this.exitCode !== undefined) {
				throw new Error(`n8n exited (code ${this.exitCode}) before it was ready:\n${this.recentLog()}`);
			}
			try {
				const response = await fetch(`${this.baseUrl}/healthz/readiness`);
				if (response.ok) return;
			} catch {
				// Not listening yet.
			}
			await delay(250);
		}
		throw new Error(`n8n was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${this.recentLog()}`);
	}

	/**
	 * Calls n8n's internal REST API (/rest, what the editor uses) as the owner. Prefer the public API; this is
	 * for what it lacks, such as the loaded node types.
	 */
	async rest<T>(method: string, restPath: string, body?: unknown): Promise<T> {
		const response = await this.restResponse(method, restPath, body);
		const text = await response.text();
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Names of every node type n8n loaded (core and community), as the editor sees them. */
	async loadedNodeTypes(): Promise<string[]> {
		const response = await fetch(`${this.baseUrl}/types/nodes.json`, {
			headers: { 'browser-id': this.browserId, cookie: this.cookie },
		});
		if (!response.ok) throw new Error(`n8n /types/nodes.json answered ${response.status}`);
		const types = (await response.json()) as Array<{ name: string }>;
		return types.map((type) => type.name);
	}

	/**
	 * Waits until n8n serves a published workflow's production webhook (registration lags publishing a little).
	 * Probes with GET: for a POST-only webhook n8n answers "Did you mean to make a POST request?", which starts
	 * no execution.
	 */
	async waitForWebhook(url: string, method = 'POST', timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		const probe = method === 'GET' ? 'HEAD' : 'GET';
		for (;;) {
			const response = await fetch(url, { method: probe });
			const text = await response.text();
			if (response.status !== 404 || text.includes(`make a ${method} request`)) return;
			if (Date.now() > deadline) throw new Error(`n8n did not register ${method} ${url} within ${timeoutMs} ms: ${text}`);
			await delay(200);
		}
	}

	private async restResponse(method: string, restPath: string, body?: unknown): Promise<Response> {
		const response = await fetch(`${this.baseUrl}/rest${restPath}`, {
			method,
			headers: {
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
				...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!response.ok) {
			throw new Error(`n8n ${method} /rest${restPath} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
		}
		return response;
	}

	private async setUpOwnerAndApiKey(): Promise<void> {
		await this.restResponse('POST', '/owner/setup', this.owner);
		const login = await this.restResponse('POST', '/login', {
			emailOrLdapLoginId: this.owner.email,
			password: this.owner.password,
		});
		this.cookie = login.headers
			.getSetCookie()
			.map((entry) => entry.split(';')[0])
			.join('; ');
		const created = await this.restResponse(
			'POST',
			'/api-keys',
			{
				label: 'werk24-local',
				expiresAt: null,
				scopes: [
					'workflow:read',
					'workflow:list',
					'workflow:activate',
					'workflow:deactivate',
					'execution:read',
					'execution:list',
				],
			},
		);
		const json = (await created.json()) as { data: { rawApiKey: string } };
		this.apiKey = json.data.rawApiKey;
	}
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
