/**
 * The harness itself: an n8n started for a test leaves nothing behind. n8n spawns a task runner; stopping must end
 * both (by the process group of the PID we started), remove the user folder and the registry entry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { N8nInstance, REGISTRY_DIR } from '../../scripts/n8nInstance';
import { chain, node, startN8n, workflow } from './harness';

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

// Regression: n8n's public API leaves running executions out unless asked for status=running, so "no execution
// still running" checks passed while one was, and "no new execution" counts missed one that had just started.
describe('executions()', () => {
	it('lists an execution that is still running', async () => {
		const slow = workflow(
			'slowWorkflow',
			'slowWorkflow',
			[
				node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: 'slow', responseMode: 'onReceived', options: {} }, [0, 0], {
					webhookId: 'slow-webhook',
				}),
				node('Wait', 'n8n-nodes-base.wait', 1.1, { resume: 'timeInterval', amount: 6, unit: 'seconds' }, [220, 0]),
			],
			chain('Webhook', 'Wait'),
		);
		const instance = await startN8n({ workflows: [slow], publish: ['slowWorkflow'] });
		try {
			const url = `${instance.baseUrl}/webhook/slow`;
			await instance.waitForWebhook(url);
			expect((await fetch(url, { method: 'POST' })).status).toBe(200);
			await new Promise((resolve) => setTimeout(resolve, 1500));
			expect((await instance.executions('slowWorkflow')).map((execution) => execution.status)).toEqual(['running']);
			const [finished] = await instance.waitForExecutions('slowWorkflow', 1, { timeoutMs: 30_000 });
			expect(finished.status).toBe('success');
			expect(await instance.executions('slowWorkflow')).toHaveLength(1);
		} finally {
			await instance.dispose();
		}
	});
});
