/**
 * The harness itself: an n8n started for a test leaves nothing behind. n8n spawns a task runner; stopping must end
 * both (by the process group of the PID we started), remove the user folder and the registry entry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { N8nInstance, REGISTRY_DIR } from '../../scripts/n8nInstance';
import { startN8n } from './harness';

/** PIDs whose process group is `groupId` (Linux /proc). */
function processGroupMembers(groupId: number): number[] {
	return fs.readdirSync('/proc').flatMap((entry) => {
		if (!/^\d+$/.test(entry)) return [];
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// Fields after the command name "(…)": state, ppid, pgrp, …
			const [, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			return Number(pgrp) === groupId ? [Number(entry)] : [];
		} catch {
			return []; // the process ended while we looked
		}
	});
}

describe('a real n8n started by the harness', () => {
	it('runs n8n and its task runner in one process group and leaves nothing behind when stopped', async () => {
		const instance = await startN8n({});
		let stopped = false;
		try {
			const group = processGroupMembers(instance.pid);
			expect(group).toContain(instance.pid);
			expect(group.length).toBeGreaterThanOrEqual(2); // n8n and its JS task runner
			expect(N8nInstance.liveUserFolders()).toContain(instance.userFolder);
			expect(fs.existsSync(path.join(REGISTRY_DIR, String(instance.pid)))).toBe(true);

			await instance.dispose();
			stopped = true;
			expect(processGroupMembers(instance.pid)).toEqual([]);
			expect(fs.existsSync(instance.userFolder)).toBe(false);
			expect(N8nInstance.liveUserFolders()).not.toContain(instance.userFolder);
			expect(fs.existsSync(path.join(REGISTRY_DIR, String(instance.pid)))).toBe(false);
		} finally {
			if (!stopped) await instance.dispose();
		}
	});
});
