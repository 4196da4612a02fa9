/**
 * `npm run verify` on a package folder built to fail every check: it must list each problem and exit 1.
 * Above all, an eslint-disable comment must not hide a forbidden global, because n8n's scanner ignores it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function write(dir: string, file: string, content: string): void {
	fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
	fs.writeFileSync(path.join(dir, file), content);
}

function brokenPackage(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'werk24-verify-fixture-'));
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
	pkg.n8n = { n8nNodesApiVersion: 1, strict: true, credentials: [], nodes: ['dist/nodes/Bad/Bad.node.js'] };
	pkg.scripts = {};
	write(dir, 'package.json', JSON.stringify(pkg, null, 2));
	write(dir, 'README.md', '# fixture\n');
	write(dir, 'LICENSE', 'MIT\n');
	write(dir, 'nodes/Bad/Bad.node.ts', '// eslint-disable-next-line no-restricted-globals\nexport const wait = () => setTimeout(() => undefined, 10);\n');
	write(
		dir,
		'dist/nodes/Bad/Bad.node.js',
		[
			'const home = process.env.HOME; // eslint-disable-line',
			"exports.icon = 'file:bad.svg';",
			"exports.origin = '/home/builder/project/nodes/Bad/Bad.node.ts';",
			'exports.home = home;',
			'',
		].join('\n'),
	);
	write(dir, 'dist/index.js', 'module.exports = {};\n');
	write(dir, 'dist/notes/todo.txt', 'not for users\n');
	return dir;
}

describe('npm run verify', () => {
	let dir = '';
	let result: ReturnType<typeof spawnSync>;
	beforeAll(() => {
		dir = brokenPackage();
		result = spawnSync(TSX, [path.join(ROOT, 'scripts', 'verify.ts'), '--no-build', '--dir', dir], {
			encoding: 'utf8',
			timeout: 120_000,
		});
	}, 150_000);
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
	const output = () => String(result.stdout);

	it('exits 1 when there are findings', () => {
		expect(result.status).toBe(1);
	});

	it('reports a forbidden global in the source and in the tarball even behind eslint-disable comments', () => {
		expect(output()).toMatch(/\[source\] nodes\/Bad\/Bad\.node\.ts:2:\d+ error .*'setTimeout'.*no-restricted-globals/);
		expect(output()).toMatch(/\[tarball\] dist\/nodes\/Bad\/Bad\.node\.js:1:\d+ error .*'process'.*no-restricted-globals/);
	});

	it('lists the tarball and refuses files n8n does not load', () => {
		expect(output()).toMatch(/^\s+\d+\s+dist\/notes\/todo\.txt$/m);
		expect(output()).toContain('[tarball] dist/notes/todo.txt should not be published');
	});

	it('checks what package.json promises: codex files and referenced icons', () => {
		expect(output()).toContain('[tarball] dist/nodes/Bad/Bad.node.js has no codex file dist/nodes/Bad/Bad.node.json');
		expect(output()).toContain('[tarball] dist/nodes/Bad/Bad.node.js references bad.svg, which is not in the tarball');
	});

	it('finds absolute machine paths in shipped files', () => {
		expect(output()).toContain('[tarball] dist/nodes/Bad/Bad.node.js:3 contains an absolute machine path');
	});
});
