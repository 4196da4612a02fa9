/**
 * Builds the package and packs it with `npm pack`: the same tarball users install, so the demo and the e2e
 * suite run exactly what ships (files listed in package.json, compiled dist/ only).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..');

function run(command: string, args: string[], cwd: string): string {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
	}
	return result.stdout;
}

/** Runs `npm run build` in the project. */
export function buildPackage(): void {
	run('npm', ['run', 'build'], PROJECT_ROOT);
}

const PACK_PREFIX = 'werk24-pack-';
/** No test run or demo start takes this long; older pack folders are leftovers. */
const STALE_PACK_MS = 6 * 60 * 60 * 1000;

/** Packs the built project into a fresh temp folder and returns the tarball's path. */
export function packPackage(): string {
	removeStalePacks();
	const destination = fs.mkdtempSync(path.join(os.tmpdir(), PACK_PREFIX));
	const output = run('npm', ['pack', '--json', '--pack-destination', destination], PROJECT_ROOT);
	const [packed] = JSON.parse(output.slice(output.indexOf('['))) as Array<{ filename: string }>;
	const tarball = path.join(destination, packed.filename);
	if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${packed.filename} but ${tarball} does not exist`);
	return tarball;
}

/** Build, then pack. */
export function buildAndPack(): string {
	buildPackage();
	return packPackage();
}

/** The e2e suite keeps its tarball for the whole run and has no teardown hook; tidy up on the next pack instead. */
function removeStalePacks(): void {
	for (const entry of fs.readdirSync(os.tmpdir())) {
		if (!entry.startsWith(PACK_PREFIX)) continue;
		const folder = path.join(os.tmpdir(), entry);
		try {
			if (Date.now() - fs.statSync(folder).mtimeMs > STALE_PACK_MS) fs.rmSync(folder, { recursive: true, force: true });
		} catch {
			continue; // removed by a concurrent run meanwhile
		}
	}
}
