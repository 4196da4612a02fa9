/**
 * Old runtimes (~2.8 GB each) are removed once the current one is installed: only `n8n-runtime-<hash>` folders of
 * the default cache folder, never one whose lock a live process holds or that a live process runs from, and
 * never next to a custom WERK24_N8N_RUNTIME_DIR. Temporary home folders only.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureN8nRuntime, lockfileHash, RUNTIME_DIR_ENV } from '../../scripts/n8nRuntime';
import { pruneOldRuntimes } from '../../scripts/n8nRuntimeCache';
import { cleanUp, deadPid, liveProcess, makeSource, options, recorder, tempDir } from './runtimeFixtures';

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';
const OLD = 'n8n-runtime-aaaaaaaaaaaaaaaa';
const OTHER = 'n8n-runtime-bbbbbbbbbbbbbbbb';

afterEach(cleanUp);

/** A fake runtime folder of `bytes` bytes with a ready marker for its own hash. */
function fakeRuntime(parent: string, name: string, bytes = 200_000): string {
	const dir = path.join(parent, name);
	fs.mkdirSync(path.join(dir, 'node_modules', 'n8n'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'node_modules', 'n8n', 'blob'), randomBytes(bytes)); // random: a compressing file system keeps its size
	fs.writeFileSync(path.join(dir, '.werk24-runtime-ready'), name.slice('n8n-runtime-'.length));
	return dir;
}

function setUp() {
	const home = tempDir();
	const source = makeSource(home);
	const cache = path.join(home, '.cache', 'n8n-nodes-werk24');
	const current = path.join(cache, `n8n-runtime-${lockfileHash(source)}`);
	fs.mkdirSync(cache, { recursive: true });
	return { home, source, cache, current };
}

const neverInstall = async () => {
	throw new Error('no install expected');
};

(onLinuxX64 ? describe : describe.skip)('ensureN8nRuntime prunes old runtimes', () => {
	it('removes other runtimes of the default cache folder when the current one is found installed, and says so', async () => {
		const { home, source, cache, current } = setUp();
		fakeRuntime(cache, path.basename(current));
		fakeRuntime(cache, OLD, 300_000);
		fakeRuntime(cache, OTHER, 300_000);
		const { log, lines } = recorder();

		const runtime = await ensureN8nRuntime(log, options(home, { sourceDir: source, env: {}, install: neverInstall }));
		expect(runtime.dir).toBe(current);
		expect(fs.readdirSync(cache).sort()).toEqual([path.basename(current)]);
		const removed = lines.filter((line) => line.startsWith('Removed old n8n runtime'));
		expect(removed).toHaveLength(1);
		expect(removed[0]).toContain(OLD);
		expect(removed[0]).toContain(OTHER);
		const freedKb = Number(/freeing (\d+) kB\.$/.exec(removed[0])?.[1]);
		expect(freedKb).toBeGreaterThanOrEqual(600); // two 300 kB blobs (plus folders and markers)
		expect(freedKb).toBeLessThan(1000);
	});

	it('removes them after a successful install, but not when the install fails', async () => {
		const { home, source, cache, current } = setUp();
		fakeRuntime(cache, OLD);
		const failing = async () => {
			throw new Error('offline');
		};
		await expect(ensureN8nRuntime(recorder().log, options(home, { sourceDir: source, env: {}, install: failing }))).rejects.toThrow('offline');
		expect(fs.existsSync(path.join(cache, OLD))).toBe(true);

		const install = jest.fn(async ({ dir }: { dir: string }) => {
			expect(dir).toBe(current);
			expect(fs.existsSync(path.join(cache, OLD))).toBe(true); // still there while installing
		});
		await ensureN8nRuntime(recorder().log, options(home, { sourceDir: source, env: {}, install }));
		expect(install).toHaveBeenCalledTimes(1);
		expect(fs.existsSync(path.join(cache, OLD))).toBe(false);
	});

	it('keeps a runtime whose lock a live process holds, and removes it (and its lock) once that process is dead', async () => {
		const { home, source, cache, current } = setUp();
		fakeRuntime(cache, path.basename(current));
		const old = fakeRuntime(cache, OLD);
		const holder = await liveProcess();
		fs.writeFileSync(`${old}.lock`, String(holder.pid));
		const first = recorder();
		await ensureN8nRuntime(first.log, options(home, { sourceDir: source, env: {}, install: neverInstall }));
		expect(fs.existsSync(old)).toBe(true);
		expect(fs.readFileSync(`${old}.lock`, 'utf8')).toBe(String(holder.pid));
		expect(first.lines.join('\n')).toContain(`${OLD} (install running, pid ${holder.pid})`);

		fs.writeFileSync(`${old}.lock`, String(deadPid()));
		await ensureN8nRuntime(recorder().log, options(home, { sourceDir: source, env: {}, install: neverInstall }));
		expect(fs.existsSync(old)).toBe(false);
		expect(fs.existsSync(`${old}.lock`)).toBe(false);
	});

	it('keeps a runtime a live process runs from (its working folder inside it)', async () => {
		const { home, source, cache, current } = setUp();
		fakeRuntime(cache, path.basename(current));
		const old = fakeRuntime(cache, OLD);
		const user = await liveProcess(path.join(old, 'node_modules'));
		const { log, lines } = recorder();
		await ensureN8nRuntime(log, options(home, { sourceDir: source, env: {}, install: neverInstall }));
		expect(fs.existsSync(path.join(old, 'node_modules', 'n8n', 'blob'))).toBe(true);
		expect(lines.join('\n')).toContain(`${OLD} (in use by pid ${user.pid})`);
		expect(fs.existsSync(`${old}.lock`)).toBe(false); // the pruner's own lock is released
	});

	it('leaves alone anything not named n8n-runtime-<16 hex digits>, and symlinks', async () => {
		const { home, source, cache, current } = setUp();
		fakeRuntime(cache, path.basename(current));
		const keep = ['n8n-runtime-custom', 'n8n-runtime-AAAAAAAAAAAAAAAA', 'n8n-runtime-aaaaaaaaaaaaaaaa-copy', 'notes'];
		for (const name of keep) fakeRuntime(cache, name);
		const elsewhere = fakeRuntime(tempDir(), OTHER);
		fs.symlinkSync(elsewhere, path.join(cache, OTHER));
		fs.writeFileSync(path.join(cache, 'n8n-runtime-cccccccccccccccc'), 'a file, not a folder');
		await ensureN8nRuntime(recorder().log, options(home, { sourceDir: source, env: {}, install: neverInstall }));
		expect(fs.readdirSync(cache).sort()).toEqual(
			[...keep, OTHER, 'n8n-runtime-cccccccccccccccc', path.basename(current)].sort(),
		);
		expect(fs.existsSync(path.join(elsewhere, 'node_modules', 'n8n', 'blob'))).toBe(true);
	});

	it('never prunes next to a custom WERK24_N8N_RUNTIME_DIR, even inside the default cache folder', async () => {
		const { home, source, cache } = setUp();
		const custom = tempDir();
		const customRuntime = fakeRuntime(custom, `n8n-runtime-${lockfileHash(source)}`);
		fakeRuntime(custom, OLD);
		await ensureN8nRuntime(recorder().log, options(home, { sourceDir: source, env: { [RUNTIME_DIR_ENV]: customRuntime }, install: neverInstall }));
		expect(fs.existsSync(path.join(custom, OLD))).toBe(true);

		const inCache = fakeRuntime(cache, 'my-runtime');
		fs.writeFileSync(path.join(inCache, '.werk24-runtime-ready'), lockfileHash(source));
		fakeRuntime(cache, OLD);
		await ensureN8nRuntime(recorder().log, options(home, { sourceDir: source, env: { [RUNTIME_DIR_ENV]: inCache }, install: neverInstall }));
		expect(fs.existsSync(path.join(cache, OLD))).toBe(true);
	});
});

describe('pruneOldRuntimes', () => {
	it('finishes a removal a dead process left half done, but not one a live process is doing', async () => {
		const { cache, current } = setUp();
		fakeRuntime(cache, path.basename(current));
		const dead = fakeRuntime(cache, `${OLD}.removing-${deadPid()}`);
		const busy = await liveProcess();
		const running = fakeRuntime(cache, `${OTHER}.removing-${busy.pid}`);
		const { log, lines } = recorder();
		const result = pruneOldRuntimes(current, log);
		expect(fs.existsSync(dead)).toBe(false);
		expect(fs.existsSync(running)).toBe(true);
		expect(result.removed).toEqual([OLD]);
		expect(result.freedBytes).toBeGreaterThanOrEqual(200_000);
		expect(lines).toHaveLength(1);
	});

	it('does nothing and logs nothing when there is nothing to remove', () => {
		const { cache, current } = setUp();
		fakeRuntime(cache, path.basename(current));
		const { log, lines } = recorder();
		expect(pruneOldRuntimes(current, log)).toEqual({ removed: [], kept: [], freedBytes: 0 });
		expect(lines).toEqual([]);
	});
});
