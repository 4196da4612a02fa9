/**
 * The callback flow in a real n8n while the sandbox misbehaves on purpose (seeded, so reproducible): callbacks
 * delivered twice, ASK messages reordered, first delivery attempts lost and retried. Every distinct message must
 * still reach the receiving workflow; none may be lost.
 */
import {
	DEMO_WORKFLOWS,
	demoInstanceOptions,
	generateDemoSecrets,
	receivedMessages,
	submitSample,
	waitForCompleted,
	waitForDemoWebhooks,
} from '../../scripts/demo/demo';
import { useN8n, useSandbox } from './harness';

const SUBMISSIONS = 3;

describe('callbacks under fault injection in a real n8n', () => {
	const secrets = generateDemoSecrets();
	const sandbox = useSandbox({
		faults: { duplicate: 0.4, reorder: 1, dropFirstAttempt: 0.4 },
		seed: 'e2e-faults',
		retry: { attempts: 5, backoffMs: 200 },
	});
	const n8n = useN8n(() => demoInstanceOptions(sandbox(), secrets));

	beforeAll(async () => {
		await waitForDemoWebhooks(n8n());
	});

	it('emits every distinct message despite duplicates, reordering and lost first attempts', async () => {
		const requestIds: string[] = [];
		for (let index = 0; index < SUBMISSIONS; index++) requestIds.push(String((await submitSample(n8n())).request_id));

		const key = (message: { message_type: string; message_subtype: string; page_number: number }) =>
			`${message.message_type}/${message.message_subtype}/${message.page_number}`;
		let duplicates = 0;
		let lostFirstAttempts = 0;
		for (const requestId of requestIds) {
			const messages = await waitForCompleted(n8n(), sandbox(), requestId);
			const record = sandbox().request(requestId)!;

			// The faults really happened, so this case can fail.
			expect(record.faults).toContain('reorder: ASK messages shuffled');
			duplicates += record.callbacks.filter((callback) => callback.duplicate_of !== null).length;
			lostFirstAttempts += record.callbacks.filter(
				(callback) => callback.attempts[0]?.status === null && callback.state === 'delivered',
			).length;
			expect(record.callbacks.every((callback) => callback.state === 'delivered')).toBe(true);

			const sent = new Set(record.callbacks.filter((callback) => callback.duplicate_of === null).map(key));
			expect(sent.size).toBe(8); // STARTED, 3 asks x 2 pages, COMPLETED
			expect(new Set(messages.map(key))).toEqual(sent);
			// Each delivery the sandbox saw accepted started exactly one execution (duplicates included).
			expect(messages).toHaveLength(record.callbacks.length);
			expect(messages.every((message) => message.status === 'success')).toBe(true);
		}
		expect(duplicates).toBeGreaterThan(0);
		expect(lostFirstAttempts).toBeGreaterThan(0);

		const all = await receivedMessages(n8n());
		expect(new Set(all.map((message) => message.request_id))).toEqual(new Set(requestIds));
		expect((await n8n().executions(DEMO_WORKFLOWS.receive)).every((execution) => execution.status === 'success')).toBe(true);
	});
});
