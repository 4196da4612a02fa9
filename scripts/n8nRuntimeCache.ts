/**
 * Housekeeping of the n8n runtime cache (see scripts/n8nRuntime.ts): the install lock, and removing the runtimes
 * of earlier lockfiles (~2.8 GB each), which would otherwise pile up with every lockfile change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Log = (line: string) => void;

/** `n8n-runtime-<first 16 hex digits of the lockfile's sha256>`: the only folder names pruning considers. */
const RUNTIME_NAME = /^n8n-runtime-[0-9a-f]{16}$/;
/** A runtime being removed: renamed first so no one sees it half-deleted; the suffix is the remover's PID. */
const REMOVING_NAME = /^(n8n-runtime-[0-9a-f]{16})\.removing-(\d+)$/;
/** A lock file without a PID yet counts as held this long (its owner may be between creating and writing it). */
const EMPTY_LOCK_GRACE_MS = 10_000;

/**
 * Takes the exclusive lock file (it holds the owner's PID) if it is free, taking over one whose owner is gone
 * (crash, kill -9). Returns the release function, or the PID of the live owner (0 if it has not written it yet).
 */
export function tryLock(lockPath: string): (() => void) | number {
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const fd = fs.openSync(lockPath, 'wx');
			fs.writeSync(fd, String(process.pid));
			fs.closeSync(fd);
			return () => fs.rmSync(lockPath, { force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const text = readMarker(lockPath);
		if (text === undefined) continue; // released in between: try again
		const owner = Number(text);
		if (Number.isInteger(owner) && owner > 0) {
			if (isAlive(owner)) return owner;
		} else if (fileAgeMs(lockPath) <= EMPTY_LOCK_GRACE_MS) {
			return 0;
		}
		// Owner died (or wrote nothing and died): remove its lock and try again.
		fs.rmSync(lockPath, { force: true });
	}
	return 0;
}

/** Waits for the lock (polling every `pollMs`); resolves to the release function. */
export async function acquireLock(lockPath: string, log: Log, pollMs = 1000): Promise<() => void> {
	let announced = false;
	for (;;) {
		const lock = tryLock(lockPath);
		if (typeof lock === 'function') return lock;
		if (!announced) {
			log(`Waiting for another n8n runtime install${lock ? ` (pid ${lock})` : ''} to finish…`);
			announced = true;
		}
		await new Promise((resolve) => setTimeout(resolve, pollMs));
	}
}

export interface PruneResult {
	/** Folder names removed (old runtimes, and leftovers of an interrupted removal). */
	removed: string[];
	/** Old runtimes left in place, each with the reason. */
	kept: string[];
	/** Disk space the removed folders used. */
	freedBytes: number;
}

/**
 * Removes the runtimes of other lockfiles next to `currentDir`: folders of the same parent named
 * `n8n-runtime-<hash>` (real folders, not symlinks) other than `currentDir` itself. One is kept while a live process
 * holds its install lock, or runs from it (its executable, working folder or an argument lies inside). The lock
 * is held while checking and renaming, so an install of that lockfile starting meanwhile waits, then reinstalls.
 * The caller decides whether the parent is ours to prune. Logs one line for what was removed, one for what was kept.
 */
export function pruneOldRuntimes(currentDir: string, log: Log): PruneResult {
	const parent = path.dirname(currentDir);
	const result: PruneResult = { removed: [], kept: [], freedBytes: 0 };
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(parent, { withFileTypes: true });
	} catch {
		return result;
	}
	const doomed: Array<{ name: string; folder: string; bytes: number }> = [];
	for (const entry of entries) {
		if (!entry.isDirectory()) continue;
		const folder = path.join(parent, entry.name);
		const leftover = REMOVING_NAME.exec(entry.name);
		if (leftover && !isAlive(Number(leftover[2]))) {
			doomed.push({ name: leftover[1], folder, bytes: diskUsage(folder) });
			continue;
		}
		if (!RUNTIME_NAME.test(entry.name) || folder === currentDir) continue;
		const lock = tryLock(`${folder}.lock`);
		if (typeof lock === 'number') {
			result.kept.push(`${entry.name} (install running${lock ? `, pid ${lock}` : ''})`);
			continue;
		}
		try {
			if (!fs.existsSync(folder)) continue; // another process pruned it meanwhile
			const users = processesUsing(folder);
			if (users.length) {
				result.kept.push(`${entry.name} (in use by pid ${users.join(', ')})`);
				continue;
			}
			const bytes = diskUsage(folder);
			const removing = path.join(parent, `${entry.name}.removing-${process.pid}`);
			fs.renameSync(folder, removing);
			doomed.push({ name: entry.name, folder: removing, bytes });
		} catch (error) {
			result.kept.push(`${entry.name} (${(error as Error).message})`);
		} finally {
			lock();
		}
	}
	for (const { name, folder, bytes } of doomed) {
		try {
			fs.rmSync(folder, { recursive: true, force: true });
			result.removed.push(name);
			result.freedBytes += bytes;
		} catch (error) {
			result.kept.push(`${name} (partly removed, ${folder}: ${(error as Error).message})`);
		}
	}
	if (result.removed.length) {
		log(`Removed old n8n runtime(s) ${result.removed.join(', ')} from ${parent}, freeing ${formatBytes(result.freedBytes)}.`);
	}
	if (result.kept.length) log(`Kept old n8n runtime(s) in ${parent}: ${result.kept.join('; ')}.`);
	return result;
}

/** PIDs of live processes whose executable, working folder or a command-line argument lies inside `dir` (/proc). */
export function processesUsing(dir: string): number[] {
	const roots = new Set([dir]);
	try {
		roots.add(fs.realpathSync(dir)); // /proc shows resolved paths
	} catch {
		// gone already
	}
	const inside = (file: string) => [...roots].some((root) => file === root || file.startsWith(root + path.sep));
	let pids: string[];
	try {
		pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
	} catch {
		return [];
	}
	const users: number[] = [];
	for (const pid of pids) {
		const paths: string[] = [];
		for (const link of ['exe', 'cwd']) {
			try {
				paths.push(fs.readlinkSync(`/proc/${pid}/${link}`));
			} catch {
				// exited, or another user's process
			}
		}
		try {
			paths.push(...fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
		} catch {
			// exited
		}
		if (paths.some(inside)) users.push(Number(pid));
	}
	return users;
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export function readMarker(file: string): string | undefined {
	try {
		return fs.readFileSync(file, 'utf8').trim();
	} catch {
		return undefined;
	}
}

function fileAgeMs(file: string): number {
	try {
		return Date.now() - fs.statSync(file).mtimeMs;
	} catch {
		return 0;
	}
}

/** Bytes allocated on disk below `dir` (symlinks are not followed). */
function diskUsage(dir: string): number {
	let total = 0;
	const pending = [dir];
	for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
		let stat: fs.Stats;
		try {
			stat = fs.lstatSync(file);
		} catch {
			continue;
		}
		total += stat.blocks * 512;
		if (!stat.isDirectory()) continue;
		try {
			for (const name of fs.readdirSync(file)) pending.push(path.join(file, name));
		} catch {
			// unreadable: counted as empty
		}
	}
	return total;
}

function formatBytes(bytes: number): string {
	if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
	if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
	return `${Math.ceil(bytes / 1e3)} kB`;
}
