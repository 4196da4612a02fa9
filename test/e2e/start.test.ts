/**
 * `npm start` itself, as a newcomer runs it: keep-running mode prints the editor URL and login and serves n8n
 * until Ctrl+C, which stops everything with exit 0; an interrupted run exits 130 and says "Stopped.", not
 * "failed". Ctrl+C reaches the whole foreground process group, so the signal goes to the group here too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const START_TIMEOUT_MS = 240_000;

interface Started {
	child: ChildProcess;
	output: () => string;
	exited: Promise<number | null>;
	waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

function startScript(args: string[], env: Record<string, string> = {}): Started {
	// detached: its own process group, as a terminal gives the foreground job.
	const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts', ...args], {
		cwd: ROOT,
		env: { ...process.env, ...env },
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let text = '';
	child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	const waitFor = async (pattern: RegExp, timeoutMs: number) => {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const match = text.match(pattern);
			if (match) return match;
			if (child.exitCode !== null) break;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		throw new Error(`npm start never printed ${pattern}; it printed:\n${text}`);
	};
	return { child, output: () => text, exited, waitFor };
}

function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

let running: Started | undefined;
afterEach(() => {
	// A failed case must not leave n8n running: end the whole group.
	if (running?.child.pid && groupAlive(running.child.pid)) process.kill(-running.child.pid, 'SIGKILL');
	running = undefined;
});

describe('npm start', () => {
	it(
		'keeps n8n running with the editor URL and login, and Ctrl+C stops everything with exit 0',
		async () => {
			running = startScript([]);
			await running.waitFor(/Press Ctrl\+C to stop\./, START_TIMEOUT_MS);
			const editor = (await running.waitFor(/Editor:\s+(http:\/\/127\.0\.0\.1:\d+)/, 1000))[1];
			expect(running.output()).toMatch(/Login:\s+\S+@\S+ \/ \S+/);
			expect(running.output()).toMatch(/PROGRESS COMPLETED/);
			expect((await fetch(`${editor}/healthz`)).status).toBe(200);

			process.kill(-running.child.pid!, 'SIGINT');
			expect(await running.exited).toBe(0);
			expect(running.output()).toMatch(/SIGINT: stopping n8n and the sandbox…\nStopped\.\n/);
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect(groupAlive(running.child.pid!)).toBe(false);
			await expect(fetch(`${editor}/healthz`)).rejects.toThrow();
		},
		START_TIMEOUT_MS + 60_000,
	);

	it('an interrupted --once run exits 130 and says it stopped, not that it failed', async () => {
		running = startScript(['--once']);
		await running.waitFor(/Building and packing/, 60_000);
		process.kill(-running.child.pid!, 'SIGINT');
		expect(await running.exited).toBe(130);
		expect(running.output()).toMatch(/Stopped\./);
		expect(running.output()).not.toMatch(/npm start failed/);
	}, 120_000);

	it('--help prints the usage; an unknown flag prints it too and exits 2', async () => {
		running = startScript(['--help']);
		expect(await running.exited).toBe(0);
		expect(running.output()).toMatch(/^Usage: npm start \[-- --once\]/);
		running = startScript(['--onse']);
		expect(await running.exited).toBe(2);
		expect(running.output()).toMatch(/Unknown option '--onse'[\s\S]*Usage: npm start/);
	});

	// `npm start --once` without "--" reaches the script only as npm_config_once; it used to keep running.
	it(
		'npm start --once (without "--") runs the demo once and exits 0',
		async () => {
			running = startScript([], { npm_config_once: 'true' });
			expect(await running.exited).toBe(0);
			expect(running.output()).toMatch(/Demo finished in/);
			expect(running.output()).not.toMatch(/Press Ctrl\+C/);
		},
		START_TIMEOUT_MS,
	);
});
