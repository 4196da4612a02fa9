/**
 * `npm start` and `npm test` run scripts/ensureDevDependencies.js first, so a fresh clone needs no separate
 * `npm ci`. Checked on a throw-away project with one local (offline) dev dependency and this repo's .npmrc.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'ensureDevDependencies.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the script is plain CommonJS run before any install
const { staleReason } = require(SCRIPT) as { staleReason: (directory: string) => string | null };

const ENSURE = 'node scripts/ensureDevDependencies.js &&';
let project: string;

function makeProject(): string {
	const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'werk24-ensure-'));
	fs.mkdirSync(path.join(directory, 'local-dep'));
	fs.writeFileSync(path.join(directory, 'local-dep', 'package.json'), JSON.stringify({ name: 'local-dep', version: '1.0.0' }));
	const manifest = {
		name: 'probe',
		version: '1.0.0',
		private: true,
		// The same chaining as this package's scripts: the test needs the dev dependency installed.
		scripts: { test: `${ENSURE} node -e "require('local-dep/package.json')"` },
		devDependencies: { 'local-dep': 'file:./local-dep' },
	};
	fs.copyFileSync(path.join(ROOT, '.npmrc'), path.join(directory, '.npmrc'));
	fs.writeFileSync(path.join(directory, 'package.json'), JSON.stringify(manifest));
	execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: directory, stdio: 'ignore' });
	fs.mkdirSync(path.join(directory, 'scripts'));
	fs.copyFileSync(SCRIPT, path.join(directory, 'scripts', 'ensureDevDependencies.js'));
	return directory;
}

const runScript = () => spawnSync('node', [path.join(project, 'scripts', 'ensureDevDependencies.js')], { cwd: project, encoding: 'utf8' });

beforeEach(() => {
	project = makeProject();
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

describe('ensureDevDependencies', () => {
	it('installs into a fresh clone, then finds nothing to do', () => {
		expect(staleReason(project)).toBe('the development tools are not installed yet');
		const first = runScript();
		expect(first.status).toBe(0);
		expect(first.stdout).toMatch(/^Installing the development tools with npm ci \(the development tools are not installed yet/);
		expect(fs.existsSync(path.join(project, 'node_modules', 'local-dep', 'package.json'))).toBe(true);
		expect(staleReason(project)).toBeNull();
		const second = runScript();
		expect(second.status).toBe(0);
		expect(second.stdout).toBe('');
	});

	it('reinstalls when package-lock.json is newer than the last install', () => {
		expect(runScript().status).toBe(0);
		const later = new Date(Date.now() + 60_000);
		fs.utimesSync(path.join(project, 'package-lock.json'), later, later);
		expect(staleReason(project)).toBe('package-lock.json changed since the last install');
	});

	it('names a dev dependency that is missing from node_modules', () => {
		expect(runScript().status).toBe(0);
		fs.rmSync(path.join(project, 'node_modules', 'local-dep'), { recursive: true, force: true });
		expect(staleReason(project)).toBe('local-dep is missing from node_modules');
	});

	it('exits 1 and says what to do when npm ci fails', () => {
		fs.writeFileSync(path.join(project, 'package-lock.json'), '{ not json');
		const run = runScript();
		expect(run.status).toBe(1);
		expect(run.stderr).toMatch(/npm ci failed \(exit code \d+\); fix what it printed above, then run the command again/);
	});
});

describe('package.json', () => {
	const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

	// Regression: as pretest/prestart hooks they never ran, because .npmrc's ignore-scripts skips pre/post hooks.
	it.each(['start', 'test'])('"%s" installs the development tools first, inside the script itself', (name) => {
		expect(scripts[name].startsWith(`${ENSURE} `)).toBe(true);
		expect(scripts[`pre${name}`]).toBeUndefined();
	});

	it('npm test on a fresh clone with this .npmrc installs, then runs the test', () => {
		const run = spawnSync('npm', ['test'], { cwd: project, encoding: 'utf8' });
		expect(run.stderr).not.toMatch(/Cannot find module/);
		expect(run.status).toBe(0);
		expect(run.stdout).toMatch(/Installing the development tools with npm ci/);
	});
});
