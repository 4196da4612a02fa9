import { NodeApiError } from 'n8n-workflow';

import { createExecuteContext, fullResponse } from '../../../../helpers/executeContext';

const API = { token: 'license-token-123', apiUrl: 'https://api.w24.co//', streamingUrl: 'wss://ws-api.w24.co/v2' };
const STATUS = {
	page: 'Werk24',
	status_indicator: 'ok',
	status_description: 'All systems operational',
	incidents: [],
	scheduled_maintenances: [{ name: 'Upgrade', status: 'scheduled', scheduled_for: '2026-07-20T06:00:00Z' }],
	components: [{ id: 'c1', name: 'TechRead', status: 'operational', updated_at: '2026-07-16T10:00:00Z' }],
};

describe('Service → Get Status', () => {
	it('GETs /status below the credential API URL and outputs the SystemStatus unchanged', async () => {
		const run = createExecuteContext({
			parameters: { resource: 'service', operation: 'getStatus' },
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: async () => fullResponse(200, STATUS, { 'content-type': 'application/json' }),
		});
		const [[item]] = await run.run();
		expect(item).toEqual({ json: STATUS, pairedItem: { item: 0 } });
		expect(run.httpCalls[0].credentialType).toBe('werk24Api');
		expect(run.httpCalls[0].options).toMatchObject({ method: 'GET', baseURL: 'https://api.w24.co', url: '/status' });
	});

	it('parses a JSON body that arrives as text', async () => {
		const run = createExecuteContext({
			parameters: { resource: 'service', operation: 'getStatus' },
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: async () => fullResponse(200, JSON.stringify(STATUS)),
		});
		const [[item]] = await run.run();
		expect(item.json).toEqual(STATUS);
	});

	it.each([
		['an HTML page', '<html><body>Welcome</body></html>'],
		['an empty body', ''],
	])('%s instead of the status JSON names the API URL as the problem', async (_what, body) => {
		const run = createExecuteContext({
			parameters: { resource: 'service', operation: 'getStatus' },
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: async () => fullResponse(200, body, { 'content-type': 'text/html' }),
		});
		const error = await run.run().then(
			() => undefined,
			(thrown: unknown) => thrown as NodeApiError,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error!.message).toBe('The answer to /status is not the Werk24 service status');
		expect(error!.description).toMatch(/API URL/);
		expect(error!.context.itemIndex).toBe(0);
	});
});
