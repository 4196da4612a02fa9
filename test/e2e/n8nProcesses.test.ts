import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { reapLeftoverInstances, REGISTRY_DIR } from '../../scripts/n8nProcesses';

// A stand-in for a registered n8n: its command line names n8n and its cwd is the user folder, as isOurN8n checks.
function startFakeN8n(userFolder: string): number {
	const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'fake-n8n'], {
		cwd: userFolder,
		detached: true,
		stdio: 'ignore',
	});
	child.unref();
	return child.pid!;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function deadPid(): number {
	const finished = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
	return Number(finished.stdout);
}

async function waitUntil(check: () => boolean, ms = 5000): Promise<boolean> {
	for (const end = Date.now() + ms; Date.now() < end; ) {
		if (check()) return true;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return check();
}

describe('reapLeftoverInstances (regression: it killed the live n8n of a running npm start)', () => {
	const started: number[] = [];
	let userFolder: string;

	beforeEach(() => {
		userFolder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'werk24-reap-')));
		fs.mkdirSync(REGISTRY_DIR, { recursive: true });
	});

	afterEach(() => {
		for (const pid of started.splice(0)) {
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				// already gone: that is what most cases assert
			}
			fs.rmSync(path.join(REGISTRY_DIR, String(pid)), { force: true });
		}
		fs.rmSync(userFolder, { recursive: true, force: true });
	});

	function registerFake(ownerPid: number): number {
		const pid = startFakeN8n(userFolder);
		started.push(pid);
		fs.writeFileSync(path.join(REGISTRY_DIR, String(pid)), JSON.stringify({ userFolder, ownerPid }));
		return pid;
	}

	it('leaves an instance alone while the process that started it lives', async () => {
		const pid = registerFake(process.pid);
		expect(await waitUntil(() => alive(pid))).toBe(true);
		reapLeftoverInstances();
		expect(alive(pid)).toBe(true);
		expect(fs.existsSync(path.join(REGISTRY_DIR, String(pid)))).toBe(true);
	});

	it('kills an instance whose owner has died, and forgets it', async () => {
		const pid = registerFake(deadPid());
		expect(await waitUntil(() => alive(pid))).toBe(true);
		expect(reapLeftoverInstances()).toBeGreaterThanOrEqual(1);
		expect(await waitUntil(() => !alive(pid))).toBe(true);
		expect(fs.existsSync(path.join(REGISTRY_DIR, String(pid)))).toBe(false);
	});
});
