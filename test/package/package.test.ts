/**
 * What ships: package.json agrees with core's version, core/ stays framework-free, and the packed
 * tarball holds only what n8n loads (dist/{core,nodes,credentials}, dist/index.*, README, LICENSE,
 * package.json). Builds dist first when it is missing or lacks a core module.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { PACKAGE_VERSION } from '../../core';

const ROOT = path.join(__dirname, '..', '..');
const CORE = path.join(ROOT, 'core');
const coreModules = fs
	.readdirSync(CORE)
	.filter((file) => file.endsWith('.ts'))
	.map((file) => file.replace(/\.ts$/, ''))
	.sort();

function readCore(module: string): string {
	return fs.readFileSync(path.join(CORE, `${module}.ts`), 'utf8');
}

/** The source without comments and string contents, so words in prose or messages do not count. */
function codeOnly(source: string): string {
	return source
		.replace(/\/\*[\s\S]*?\*\//g, '')
		.replace(/(^|[^:\\])\/\/.*$/gm, '$1')
		.replace(/`(?:\\[\s\S]|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, '""');
}

function importsOf(source: string): string[] {
	const found = [...source.matchAll(/\b(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
	return [...new Set(found)];
}

describe('package.json', () => {
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

	it('has the version core reports as PACKAGE_VERSION', () => {
		expect(pkg.version).toBe(PACKAGE_VERSION);
	});

	it('tests against exactly the n8n-workflow that the e2e n8n ships', () => {
		const runtimeLock = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'n8n-runtime', 'package-lock.json'), 'utf8')) as {
			packages: Record<string, { version: string }>;
		};
		const devDependencies = pkg.devDependencies as Record<string, string>;
		expect(devDependencies['n8n-workflow']).toBe(runtimeLock.packages['node_modules/n8n-workflow'].version);
	});

	it('has no runtime dependencies and n8n-workflow only as a peer', () => {
		expect(pkg.dependencies).toBeUndefined();
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});
});

describe('core/ stays framework-free', () => {
	it('finds the core modules', () => {
		expect(coreModules).toEqual(expect.arrayContaining(['asks', 'errors', 'index', 'messages', 'multipart', 'pool', 'request', 'sniff', 'types']));
	});

	it.each(coreModules.map((module) => [module]))('core/%s.ts imports only node:crypto and core files', (module) => {
		const imports = importsOf(readCore(module));
		expect(imports.filter((specifier) => /n8n/.test(specifier))).toEqual([]);
		expect(imports.filter((specifier) => !['crypto', 'node:crypto'].includes(specifier) && !specifier.startsWith('./'))).toEqual([]);
	});

	it.each(coreModules.map((module) => [module]))('core/%s.ts uses none of the globals n8n forbids', (module) => {
		const code = codeOnly(readCore(module));
		const forbidden = code.match(/\b(process|setTimeout|setInterval|setImmediate|globalThis|global|__dirname|__filename|console|require)\b\s*[.([]/g);
		expect(forbidden).toBeNull();
	});

	it('the import check itself sees an n8n-workflow import', () => {
		expect(importsOf("import { sleep } from 'n8n-workflow';\nconst x = require(\"fs\");")).toEqual(['n8n-workflow', 'fs']);
		expect(codeOnly("const a = 'process.env'; // setTimeout(\nprocess.exit()")).toMatch(/process\.exit/);
	});
});

describe('npm pack', () => {
	const run = (command: string, args: string[]) =>
		execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
	let files: string[] = [];

	beforeAll(() => {
		const missing = ['index', ...coreModules.map((module) => `core/${module}`)].filter(
			(name) => !fs.existsSync(path.join(ROOT, 'dist', `${name}.js`)),
		);
		if (missing.length > 0) {
			run('npx', ['tsc', '-p', 'tsconfig.build.json']);
			run('npx', ['gulp', 'build:assets']);
		}
		const packed = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])) as Array<{ files: Array<{ path: string }> }>;
		files = packed[0].files.map((file) => file.path).sort();
	}, 180_000);

	it('lists only dist/{core,nodes,credentials}, dist/index.*, README.md, LICENSE and package.json', () => {
		const allowed = /^(dist\/(core|nodes|credentials)\/.+|dist\/index\.[^/]+|README\.md|LICENSE|package\.json)$/;
		expect(files.filter((file) => !allowed.test(file))).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist/index.js']));
	});

	it('holds every core module, compiled with its types', () => {
		const expected = coreModules.flatMap((module) => [`dist/core/${module}.js`, `dist/core/${module}.d.ts`]);
		expect(files).toEqual(expect.arrayContaining(expected));
	});

	it('never ships sandbox, tests, scripts or sources', () => {
		expect(files.filter((file) => /(^|\/)(sandbox|test|scripts|examples)\/|\.ts$(?<!\.d\.ts)/.test(file))).toEqual([]);
	});

	it('ships no source maps (they would point at .ts files that are not in the package)', () => {
		expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
	});
});

describe('index.ts', () => {
	// Regression: the entry point exported the Werk24 node but not the Werk24 Trigger.
	it('exports every node and credential that package.json registers with n8n', async () => {
		const entry = (await import('../../index')) as Record<string, unknown>;
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
		const classNames = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((file) => path.basename(file).split('.')[0]);
		expect(classNames.sort()).toEqual(['Werk24', 'Werk24Api', 'Werk24CallbackApi', 'Werk24Trigger']);
		for (const name of classNames) expect(typeof entry[name]).toBe('function');
	});
});
