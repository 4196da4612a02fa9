/**
 * `npm run verify`: what n8n's verification scan will say about this package, answered offline.
 *
 * The real scan (`npx @n8n/scan-community-package n8n-nodes-werk24`) needs a published version with npm
 * provenance; it then lints the attested GitHub source and the npm tarball. Here we run the same analysis
 * (`analyzePackage` from the installed scanner, inline eslint-disable comments ignored) on the source tree
 * and on a tarball packed from it, and check that the tarball holds only what n8n loads.
 *
 * Usage: npm run verify [-- --no-build] [-- --keep] [-- --dir <package folder>]
 *   --no-build  pack dist/ as it is (default: rebuild when a shipped source is newer than dist/)
 *   --keep      keep the temporary folder with the tarball and its unpacked contents
 *   --dir       check another package folder (default: this repository; the tests use it on fixtures)
 * Exit code 0 = no findings; 1 = findings (listed); 2 = the check itself could not run.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ARGS = process.argv.slice(2);
const DIR_FLAG = ARGS.indexOf('--dir');
const ROOT = DIR_FLAG >= 0 ? path.resolve(ARGS[DIR_FLAG + 1] ?? '.') : path.resolve(__dirname, '..');
const SHIPPED_SOURCES = ['index.ts', 'core', 'nodes', 'credentials'];
/** What the build copies as it is (gulpfile.js build:assets). */
const SHIPPED_ASSET = /\.(svg|node\.json)$/;
const TARBALL_LEG_PATTERNS = ['**/*.js', 'package.json']; // exactly what the scanner lints in the tarball

/** Every path a user's n8n needs; anything else in the tarball is a packaging mistake. */
const ALLOWED_IN_TARBALL: RegExp[] = [
	/^dist\/(core|nodes|credentials)\//,
	/^dist\/index\.[^/]+$/,
	/^README\.md$/,
	/^LICENSE$/,
	/^package\.json$/,
];
/** Absolute machine paths leak from build machines into source maps and strings. */
const MACHINE_PATH = /(^|["'\s(=])\/(home|root|Users|work|tmp|private\/var)\//;

interface AnalysisResult {
	passed: boolean;
	message?: string;
	details?: string;
}
interface ScannerModule {
	analyzePackage(dir: string, patterns: string[]): Promise<AnalysisResult>;
	buildScanConfig(): Promise<unknown>;
	SOURCE_FILE_PATTERNS: string[];
}
interface LintMessage {
	ruleId: string | null;
	severity: number;
	message: string;
	line: number;
	column: number;
}
interface LintResult {
	filePath: string;
	messages: LintMessage[];
}
interface PackedFile {
	path: string;
	size: number;
}

class Findings {
	readonly items: string[] = [];
	add(leg: string, text: string): void {
		this.items.push(`[${leg}] ${text}`);
	}
}

function run(cmd: string, args: string[], cwd: string): string {
	const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	if (res.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status}:\n${res.stderr || res.stdout}`);
	}
	return res.stdout;
}

function walk(entry: string, out: string[] = []): string[] {
	if (!fs.existsSync(entry)) return out;
	if (!fs.statSync(entry).isDirectory()) {
		out.push(entry);
		return out;
	}
	for (const name of fs.readdirSync(entry)) walk(path.join(entry, name), out);
	return out;
}

/** Why dist/ must be rebuilt before packing, or undefined when it is current. */
function staleReason(): string | undefined {
	const dist = path.join(ROOT, 'dist');
	const compiled = walk(dist).filter((f) => f.endsWith('.js'));
	if (compiled.length === 0) return 'dist/ is missing';
	const oldestCompile = Math.min(...compiled.map((f) => fs.statSync(f).mtimeMs));
	const sources = SHIPPED_SOURCES.flatMap((s) => walk(path.join(ROOT, s)));
	const newer = sources.find((f) => f.endsWith('.ts') && fs.statSync(f).mtimeMs > oldestCompile);
	if (newer) return `${path.relative(ROOT, newer)} is newer than dist/`;
	// gulp keeps the source's mtime on copied assets, so compare their bytes instead.
	for (const asset of sources.filter((f) => SHIPPED_ASSET.test(f))) {
		const copy = path.join(dist, path.relative(ROOT, asset));
		if (!fs.existsSync(copy) || !fs.readFileSync(copy).equals(fs.readFileSync(asset))) {
			return `${path.relative(ROOT, asset)} differs from its copy in dist/`;
		}
	}
	for (const js of compiled) {
		const ts = path.join(ROOT, path.relative(dist, js)).replace(/\.js$/, '.ts');
		if (!fs.existsSync(ts)) return `${path.relative(ROOT, js)} has no source any more`;
	}
	return undefined;
}

function pack(into: string): { tarball: string; files: PackedFile[] } {
	const out = run('npm', ['pack', '--json', '--pack-destination', into], ROOT);
	const parsed = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: PackedFile[] }>;
	const [entry] = parsed;
	return { tarball: path.join(into, path.basename(entry.filename)), files: entry.files };
}

function checkTarballContents(files: PackedFile[], findings: Findings): void {
	for (const file of files) {
		if (!ALLOWED_IN_TARBALL.some((re) => re.test(file.path))) {
			findings.add('tarball', `${file.path} should not be published (allowed: dist/{core,nodes,credentials}/, dist/index.*, README.md, LICENSE, package.json)`);
		}
	}
}

/** The package.json entries n8n loads, their codex files, and every `file:` icon they reference. */
function checkTarballWiring(unpacked: string, findings: Findings): void {
	const pkg = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8')) as {
		main?: string;
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const exists = (rel: string): boolean => fs.existsSync(path.join(unpacked, rel));
	if (pkg.main && !exists(pkg.main)) findings.add('tarball', `package.json "main" ${pkg.main} is not in the tarball`);
	const nodes = pkg.n8n?.nodes ?? [];
	const credentials = pkg.n8n?.credentials ?? [];
	if (nodes.length === 0) findings.add('tarball', 'package.json lists no n8n.nodes');
	for (const entry of [...nodes, ...credentials]) {
		if (!exists(entry)) findings.add('tarball', `package.json n8n entry ${entry} is not in the tarball`);
	}
	for (const node of nodes) {
		const codex = node.replace(/\.js$/, '.json');
		if (!exists(codex)) findings.add('tarball', `${node} has no codex file ${codex}`);
	}
	for (const entry of [...nodes, ...credentials].filter(exists)) {
		const source = fs.readFileSync(path.join(unpacked, entry), 'utf8');
		for (const match of source.matchAll(/['"`]file:([^'"`]+)['"`]/g)) {
			const icon = path.join(path.dirname(entry), match[1]);
			if (!exists(icon)) findings.add('tarball', `${entry} references ${match[1]}, which is not in the tarball`);
		}
	}
}

function checkMachinePaths(unpacked: string, findings: Findings): void {
	for (const file of walk(unpacked)) {
		if (!/\.(js|map|json|md|ts)$/.test(file)) continue;
		const lines = fs.readFileSync(file, 'utf8').split('\n');
		lines.forEach((line, i) => {
			if (MACHINE_PATH.test(line)) {
				findings.add('tarball', `${path.relative(unpacked, file)}:${i + 1} contains an absolute machine path`);
			}
		});
	}
}

async function loadScanner(): Promise<{ scanner: ScannerModule; requireFromScanner: NodeRequire }> {
	const scannerPath = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
	const scanner = (await import(pathToFileURL(scannerPath).href)) as ScannerModule;
	return { scanner, requireFromScanner: createRequire(scannerPath) };
}

/**
 * The scanner's verdict counts errors only and prints nothing when it passes. A second pass with the
 * scanner's own config and ESLint lists warnings too (require-homepage, no-dead-files, icon variants):
 * a reviewer reads those, so our gate fails on them as well.
 */
async function scanLeg(
	leg: string,
	dir: string,
	patterns: string[],
	loaded: { scanner: ScannerModule; requireFromScanner: NodeRequire },
	findings: Findings,
): Promise<void> {
	const { scanner, requireFromScanner } = loaded;
	const verdict = await scanner.analyzePackage(dir, patterns);
	const { ESLint } = requireFromScanner('eslint') as {
		ESLint: new (options: object) => { lintFiles(files: string[]): Promise<LintResult[]> };
	};
	const glob = requireFromScanner('fast-glob') as { sync(p: string[], o: object): string[] };
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	console.log(`\n== scanner, ${leg}: ${files.length} files (${patterns.join(', ')})`);
	console.log(`   verdict of analyzePackage: ${verdict.passed ? 'passed' : `FAILED: ${verdict.message ?? ''}`}`);
	if (files.length === 0) {
		findings.add(leg, 'no files matched; the scanner would check nothing');
		return;
	}
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	for (const result of await eslint.lintFiles(files)) {
		for (const m of result.messages) {
			const kind = m.severity === 2 ? 'error' : 'warning';
			const where = `${path.relative(dir, result.filePath)}:${m.line}:${m.column}`;
			findings.add(leg, `${where} ${kind} ${m.message} (${m.ruleId ?? 'parser'})`);
		}
	}
	// Should the two passes ever disagree, the scanner's own words count.
	if (!verdict.passed && !findings.items.some((f) => f.startsWith(`[${leg}] `) && / error /.test(f))) {
		findings.add(leg, `${verdict.message ?? 'analysis failed'}\n${verdict.details ?? ''}`);
	}
}

async function main(): Promise<number> {
	const args = new Set(ARGS);
	const findings = new Findings();
	const started = Date.now();

	const reason = args.has('--no-build') ? undefined : staleReason();
	if (reason) {
		console.log(`== build (${reason})`);
		run('npm', ['run', '--silent', 'build'], ROOT);
	}

	const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'werk24-verify-'));
	try {
		const { tarball, files } = pack(temp);
		const total = files.reduce((sum, f) => sum + f.size, 0);
		console.log(`== tarball ${path.basename(tarball)}: ${files.length} files, ${(total / 1024).toFixed(1)} kB unpacked`);
		for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
			console.log(`   ${String(file.size).padStart(8)}  ${file.path}`);
		}
		checkTarballContents(files, findings);

		const unpacked = path.join(temp, 'package');
		fs.mkdirSync(unpacked);
		run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], temp);
		checkTarballWiring(unpacked, findings);
		checkMachinePaths(unpacked, findings);

		const loaded = await loadScanner();
		await scanLeg('source', ROOT, loaded.scanner.SOURCE_FILE_PATTERNS, loaded, findings);
		await scanLeg('tarball', unpacked, TARBALL_LEG_PATTERNS, loaded, findings);
	} finally {
		if (args.has('--keep')) console.log(`\n(kept ${temp})`);
		else fs.rmSync(temp, { recursive: true, force: true });
	}

	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (findings.items.length > 0) {
		console.log(`\n== ${findings.items.length} finding(s) (${seconds} s):`);
		for (const item of findings.items) console.log(`   ${item}`);
		console.log('\nNot checked offline: npm provenance (publish.yml adds it) and the GitHub source it points to.');
		return 1;
	}
	console.log(`\n== verify: no findings (${seconds} s). Not checked offline: npm provenance (added by publish.yml).`);
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error('verify could not run:', error instanceof Error ? error.message : error);
		process.exit(2);
	},
);
