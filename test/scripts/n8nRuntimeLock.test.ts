/**
 * The install lock of scripts/n8nRuntime.ts: a second installer waits for a live one, and a lock left by a dead
 * process is taken over. Runs ensureN8nRuntime end to end with a temporary WERK24_N8N_RUNTIME_DIR and a fake installer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureN8nRuntime, isInstalled, lockfileHash, RUNTIME_DIR_ENV } from '../../scripts/n8nRuntime';
import { tryLock } from '../../scripts/n8nRuntimeCache';
import { cleanUp, deadPid, liveProcess, makeSource, options, recorder, sleep, stop, tempDir, waitFor } from './runtimeFixtures';

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

afterEach(cleanUp);

function setUp() {
	const root = tempDir();
	const source = makeSource(root);
	const dir = path.join(root, 'runtime');
	return { root, source, dir, lock: `${dir}.lock`, env: { [RUNTIME_DIR_ENV]: dir }, hash: lockfileHash(source) };
}

(onLinuxX64 ? describe : describe.skip)('install lock', () => {
	it('makes a second installer wait for the first, then find the runtime installed instead of installing again', async () => {
		const { root, source, dir, lock, env, hash } = setUp();
		let finish = () => {};
		const gate = new Promise<void>((resolve) => (finish = resolve));
		const firstInstall = jest.fn(() => gate);
		const secondInstall = jest.fn(async () => undefined);
		const second = recorder();

		const first = ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env, install: firstInstall }));
		await waitFor(() => firstInstall.mock.calls.length === 1, 'the first install to start');
		expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
		const waiting = ensureN8nRuntime(second.log, options(root, { sourceDir: source, env, install: secondInstall }));
		await sleep(200);
		expect(second.lines).toContain(`Waiting for another n8n runtime install (pid ${process.pid}) to finish…`);
		expect(secondInstall).not.toHaveBeenCalled();

		finish();
		await Promise.all([first, waiting]);
		expect(secondInstall).not.toHaveBeenCalled();
		expect(isInstalled(dir, hash)).toBe(true);
		expect(fs.existsSync(lock)).toBe(false);
	});

	it('waits while another live process holds the lock and takes it over once that process is gone', async () => {
		const { root, source, lock, env } = setUp();
		const holder = await liveProcess();
		fs.writeFileSync(lock, String(holder.pid));
		const install = jest.fn(async () => undefined);
		const { log, lines } = recorder();

		const done = ensureN8nRuntime(log, options(root, { sourceDir: source, env, install }));
		await sleep(200);
		expect(install).not.toHaveBeenCalled();
		expect(lines).toContain(`Waiting for another n8n runtime install (pid ${holder.pid}) to finish…`);

		await stop(holder);
		await done;
		expect(install).toHaveBeenCalledTimes(1);
		expect(fs.existsSync(lock)).toBe(false);
	});

	it('takes over at once a lock whose PID is dead', async () => {
		const { root, source, dir, lock, env, hash } = setUp();
		fs.writeFileSync(lock, String(deadPid()));
		const install = jest.fn(async () => undefined);
		const { log, lines } = recorder();
		await ensureN8nRuntime(log, options(root, { sourceDir: source, env, install, lockPollMs: 60_000 }));
		expect(install).toHaveBeenCalledTimes(1);
		expect(lines.some((line) => line.startsWith('Waiting'))).toBe(false);
		expect(isInstalled(dir, hash)).toBe(true);
		expect(fs.existsSync(lock)).toBe(false);
	});

	it('waits for an empty lock while it is fresh (its owner may not have written its PID yet), takes it over when old', async () => {
		const { root, source, lock, env } = setUp();
		fs.writeFileSync(lock, '');
		const install = jest.fn(async () => undefined);
		const done = ensureN8nRuntime(recorder().log, options(root, { sourceDir: source, env, install }));
		await sleep(200);
		expect(install).not.toHaveBeenCalled();

		const old = (Date.now() - 60_000) / 1000;
		fs.utimesSync(lock, old, old);
		await done;
		expect(install).toHaveBeenCalledTimes(1);
		expect(fs.existsSync(lock)).toBe(false);
	});
});

describe('tryLock', () => {
	it('returns the live owner without touching its lock, and a release function for a free or dead lock', async () => {
		const { lock } = setUp();
		fs.mkdirSync(path.dirname(lock), { recursive: true });
		const holder = await liveProcess();
		fs.writeFileSync(lock, String(holder.pid));
		expect(tryLock(lock)).toBe(holder.pid);
		expect(fs.readFileSync(lock, 'utf8')).toBe(String(holder.pid));

		await stop(holder);
		const release = tryLock(lock);
		expect(typeof release).toBe('function');
		expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
		expect(tryLock(lock)).toBe(process.pid);
		(release as () => void)();
		expect(fs.existsSync(lock)).toBe(false);
	});
});
