/**
 * Processes of the local n8n instances: free ports, output lines, signals to a process group, and a registry of
 * running instances (<tmp>/n8n-nodes-werk24-instances/<pid> holds the user folder and the owning process) so a
 * later run or the exit handler can remove what a crashed run left behind, and never an instance whose owner
 * (a running `npm start`, a parallel test run) is alive. Processes are only ever addressed by PID, never by name.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const REGISTRY_DIR = path.join(os.tmpdir(), 'n8n-nodes-werk24-instances');

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

export async function distinctFreePorts(count: number): Promise<number[]> {
	const ports = new Set<number>();
	while (ports.size < count) ports.add(await freePort());
	return [...ports];
}

export function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
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

/**
 * A tiny detached guard process that outlives its parent: when the parent dies (Ctrl+C on a test run, a killed
 * CI job) the pipe on its stdin closes, and it stops n8n's process group (SIGTERM, SIGKILL after 15 s). It exits
 * by itself once the group is gone. Returns the function that releases it after a normal stop.
 */
const GUARD_SCRIPT = `
const group = -Number(process.argv[1]);
const alive = () => { try { process.kill(group, 0); return true; } catch (error) { return error.code === 'EPERM'; } };
const signal = (name) => { try { process.kill(group, name); } catch {} };
let stopping = false;
const stop = () => {
	if (stopping) return;
	stopping = true;
	signal('SIGTERM');
	const since = Date.now();
	setInterval(() => {
		if (!alive()) process.exit(0);
		if (Date.now() - since > 15000) { signal('SIGKILL'); process.exit(0); }
	}, 200);
};
process.stdin.on('end', stop).on('error', stop).resume();
setInterval(() => { if (!alive()) process.exit(0); }, 2000);
`;

export function startGuard(pid: number): () => void {
	const guard = spawn(process.execPath, ['-e', GUARD_SCRIPT, String(pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
	guard.unref();
	const stdin = guard.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
	stdin?.unref?.();
	return () => {
		stdin?.end();
	};
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
	if (pid <= 0) return;
	try {
		process.kill(-pid, signal);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
	}
}

const ownPids = new Set<number>();
let hooksInstalled = false;
const FATAL_SIGNALS: Array<[NodeJS.Signals, number]> = [
	['SIGINT', 130],
	['SIGTERM', 143],
	['SIGHUP', 129],
];

export function register(pid: number, userFolder: string): void {
	fs.mkdirSync(REGISTRY_DIR, { recursive: true });
	const entry: RegistryEntry = { userFolder, ownerPid: process.pid };
	fs.writeFileSync(path.join(REGISTRY_DIR, String(pid)), JSON.stringify(entry));
	if (!hooksInstalled) installHooks();
	ownPids.add(pid);
}

/**
 * n8n runs detached (its own process group), so it would outlive a parent killed by Ctrl+C or a closed terminal.
 * Kill our instances on exit, and on those signals unless the program handles them itself (npm start stops n8n
 * gracefully in its own handler).
 */
function installHooks(): void {
	hooksInstalled = true;
	process.once('exit', killOwnInstances);
	for (const [signal, exitCode] of FATAL_SIGNALS) {
		if (process.listenerCount(signal) > 0) continue;
		process.once(signal, () => {
			killOwnInstances();
			process.exit(exitCode);
		});
	}
}

export function unregister(pid: number): void {
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
		const registered = readRegistryEntry(entry);
		if (ownPids.has(pid) || (registered && isAlive(registered.ownerPid))) continue; // someone else's live run
		if (registered && Number.isInteger(pid) && pid > 0 && isOurN8n(pid, registered.userFolder)) {
			signalGroup(pid, 'SIGKILL');
			reaped += 1;
		}
		fs.rmSync(path.join(REGISTRY_DIR, entry), { force: true });
	}
	return reaped;
}

interface RegistryEntry {
	userFolder: string;
	/** The process that started the instance (npm start, a jest worker): while it lives, the instance is its own. */
	ownerPid: number;
}

function readRegistryEntry(entry: string): RegistryEntry | undefined {
	try {
		const parsed = JSON.parse(fs.readFileSync(path.join(REGISTRY_DIR, entry), 'utf8')) as Partial<RegistryEntry>;
		if (typeof parsed.userFolder !== 'string' || typeof parsed.ownerPid !== 'number') return undefined;
		return { userFolder: parsed.userFolder, ownerPid: parsed.ownerPid };
	} catch {
		return undefined;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: alive, but another user's.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
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

/** User folders of the instances (of any process) that still run. */
export function liveUserFolders(): string[] {
	let entries: string[] = [];
	try {
		entries = fs.readdirSync(REGISTRY_DIR);
	} catch {
		return [];
	}
	return entries.flatMap((entry) => {
		const registered = readRegistryEntry(entry);
		return registered && isOurN8n(Number(entry), registered.userFolder) ? [registered.userFolder] : [];
	});
}
