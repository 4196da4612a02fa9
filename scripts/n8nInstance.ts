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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanEnv, type N8nRuntime } from './n8nRuntime';

export const PACKAGE_NAME = 'n8n-nodes-werk24';
/** Fixed so a kept user folder can be restarted; it protects throwaway local data only. */
const ENCRYPTION_KEY = 'werk24-local-n8n-encryption-key-0001';
const DISABLED_MODULES = 'mcp-registry,instance-ai,agents,workflow-builder,chat-hub';
/** Registry of running instances: one file per PID holding its user folder. */
export const REGISTRY_DIR = path.join(os.tmpdir(), 'n8n-nodes-werk24-instances');
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

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string;
	stoppedAt?: string;
	data?: ExecutionData;
}

/** The parts of n8n's run data the callers read. */
export interface ExecutionData {
	resultData: {
		error?: { message?: string; description?: string; httpCode?: string; node?: { name?: string } };
		lastNodeExecuted?: string;
		runData: Record<
			string,
			Array<{
				error?: { message?: string; description?: string; httpCode?: string };
				data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, BinaryRef> }> | null> };
			}>
		>;
	};
}

export interface BinaryRef {
	fileName?: string;
	fileExtension?: string;
	mimeType?: string;
	fileSize?: string;
	id?: string;
	data?: string;
}

/** Picks a free TCP port on 127.0.0.1 (closed again before n8n binds it). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
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
		let entries: string[] = [];
		try {
			entries = fs.readdirSync(REGISTRY_DIR);
		} catch {
			return [];
		}
		return entries.flatMap((entry) => {
			const userFolder = readRegistryEntry(entry);
			return userFolder !== undefined && isOurN8n(Number(entry), userFolder) ? [userFolder] : [];
		});
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

	/** Every execution of a workflow, newest first, optionally with run data. */
	async executions(workflowId: string, includeData = false): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		let cursor: string | undefined;
		do {
			const query = new URLSearchParams({ workflowId, includeData: String(includeData), limit: '100' });
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

function n8nEnv(
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
function installPackage(tarball: string, userFolder: string): void {
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

function importIntoN8n(
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

async function distinctFreePorts(count: number): Promise<number[]> {
	const ports = new Set<number>();
	while (ports.size < count) ports.add(await freePort());
	return [...ports];
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
	let buffer = '';
	stream.setEncoding('utf8');
	stream.on('data', (chunk: string) => {
		buffer += chunk;
		let newline: number;
		while ((newline = buffer.indexOf('\n')) >= 0) {
			onLine(buffer.slice(0, newline));
			buffer = buffer.slice(newline + 1);
		}
	});
	stream.on('end', () => buffer && onLine(buffer));
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	if (pid <= 0) return;
	try {
		process.kill(-pid, signal);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
	}
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// Registry of running instances: <tmp>/n8n-nodes-werk24-instances/<pid> holds the user folder.
const ownPids = new Set<number>();
let exitHookInstalled = false;

function register(pid: number, userFolder: string): void {
	fs.mkdirSync(REGISTRY_DIR, { recursive: true });
	fs.writeFileSync(path.join(REGISTRY_DIR, String(pid)), userFolder);
	if (!exitHookInstalled) process.once('exit', killOwnInstances);
	exitHookInstalled = true;
	ownPids.add(pid);
}

function unregister(pid: number): void {
	ownPids.delete(pid);
	fs.rmSync(path.join(REGISTRY_DIR, String(pid)), { force: true });
}

/** Last resort when the process exits without stop() (a test runner tearing down, an uncaught error). */
function killOwnInstances(): void {
	for (const pid of ownPids) {
		signalGroup(pid, 'SIGKILL');
		fs.rmSync(path.join(REGISTRY_DIR, String(pid)), { force: true });
	}
}

/**
 * Kills instances that an earlier, crashed run left behind: a registered PID whose process group leader is still
 * an n8n started from a werk24 user folder. Returns how many were found.
 */
export function reapLeftoverInstances(): number {
	let reaped = 0;
	let entries: string[] = [];
	try {
		entries = fs.readdirSync(REGISTRY_DIR);
	} catch {
		return 0;
	}
	for (const entry of entries) {
		const pid = Number(entry);
		const userFolder = readRegistryEntry(entry);
		if (userFolder !== undefined && Number.isInteger(pid) && pid > 0 && !ownPids.has(pid) && isOurN8n(pid, userFolder)) {
			signalGroup(pid, 'SIGKILL');
			reaped += 1;
		}
		if (!ownPids.has(pid)) fs.rmSync(path.join(REGISTRY_DIR, entry), { force: true });
	}
	return reaped;
}

function readRegistryEntry(entry: string): string | undefined {
	try {
		return fs.readFileSync(path.join(REGISTRY_DIR, entry), 'utf8');
	} catch {
		return undefined;
	}
}

function isOurN8n(pid: number, userFolder: string): boolean {
	try {
		const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
		const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
		return cmdline.includes('n8n') && cwd === userFolder;
	} catch {
		return false;
	}
}
