/**
 * Infrastructure check with core n8n nodes only: our package loads, a published webhook workflow runs, and its
 * executions are counted through the public API.
 */
import { chain, node, useN8n, workflow } from './harness';

// n8n's Webhook node serves /webhook/<path> (full path); our trigger's URLs carry the webhookId.
const WEBHOOK_ID = '5e0c4b7a-0000-4000-8000-000000000001';
const echo = workflow(
	'smokeEchoWorkflow',
	'Smoke · echo',
	[
		node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: 'echo', responseMode: 'lastNode', options: {} }, [0, 0], {
			webhookId: WEBHOOK_ID,
		}),
		node('No Operation', 'n8n-nodes-base.noOp', 1, {}, [220, 0]),
	],
	chain('Webhook', 'No Operation'),
);

describe('real n8n smoke', () => {
	const n8n = useN8n(() => ({ workflows: [echo], publish: [echo.id] }));

	it('runs a published webhook workflow and records one execution per call', async () => {
		const instance = n8n();
		await instance.waitForWebhook(`${instance.baseUrl}/webhook/echo`);
		for (const value of [1, 2]) {
			const response = await fetch(`${instance.baseUrl}/webhook/echo`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ value }),
			});
			expect(response.status).toBe(200);
			expect(((await response.json()) as { body: { value: number } }).body.value).toBe(value);
		}
		const executions = await instance.waitForExecutions(echo.id, 2);
		expect(executions.map((execution) => execution.status)).toEqual(['success', 'success']);
	});

	it('loads the package node types', async () => {
		expect(await n8n().loadedNodeTypes()).toEqual(expect.arrayContaining(['n8n-nodes-werk24.werk24', 'n8n-nodes-werk24.werk24Trigger']));
	});
});
