import { NodeApiError, NodeOperationError, type IHttpRequestOptions } from 'n8n-workflow';

import { loadDrawing, pdfOfSize } from '../../fixtures/drawings';
import { createExecuteContext, fullResponse, type FakeItem } from '../../helpers/executeContext';

const API = { token: 'license-token-123', apiUrl: 'https://api.w24.co', streamingUrl: 'wss://ws-api.w24.co/v2' };
const SUBMIT = { resource: 'drawing', operation: 'readWithCallback', callbackUrl: 'https://n8n.example.com/webhook/x', callbackSecurity: 'none' };

/** Item i carries a PDF of (1000 + i) bytes, so the server stub can tell the drawings apart by size. */
const drawingItems = (count: number): FakeItem[] =>
	Array.from({ length: count }, (_, index) => ({ binary: { data: { bytes: pdfOfSize(1000 + index), fileName: `d${index}.pdf` } } }));

async function drawingIndex(options: IHttpRequestOptions): Promise<number> {
	const drawing = (options.body as FormData).get('drawing') as File;
	return drawing.size - 1000;
}

/** A server stub that answers slowest for the first items and records how many requests were in flight. */
function slowFirstServer(count: number) {
	let inFlight = 0;
	const stats = { maxInFlight: 0, order: [] as number[] };
	const handler = async (options: IHttpRequestOptions) => {
		const index = await drawingIndex(options);
		inFlight++;
		stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
		await new Promise((resolve) => setTimeout(resolve, (count - index) * 3));
		inFlight--;
		stats.order.push(index);
		return fullResponse(200, { request_id: `req-${index}` });
	};
	return { handler, stats };
}

describe('router', () => {
	it('keeps input order and pairedItem while uploading 4 drawings at a time by default', async () => {
		const server = slowFirstServer(10);
		const run = createExecuteContext({
			parameters: SUBMIT,
			items: drawingItems(10),
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: server.handler,
		});
		const [output] = await run.run();
		expect(output.map((item) => item.json.request_id)).toEqual(Array.from({ length: 10 }, (_, i) => `req-${i}`));
		expect(output.map((item) => item.pairedItem)).toEqual(Array.from({ length: 10 }, (_, i) => ({ item: i })));
		expect(server.stats.maxInFlight).toBe(4);
		// The stub really finished out of order, so the order above is the router's doing.
		expect(server.stats.order).not.toEqual([...server.stats.order].sort((a, b) => a - b));
	});

	it('honours the Concurrency option', async () => {
		const server = slowFirstServer(6);
		const run = createExecuteContext({
			parameters: { ...SUBMIT, options: { concurrency: 2 } },
			items: drawingItems(6),
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: server.handler,
		});
		await run.run();
		expect(server.stats.maxInFlight).toBe(2);
	});

	it('rejects a Concurrency below 1', async () => {
		const run = createExecuteContext({
			parameters: { ...SUBMIT, options: { concurrency: 0 } },
			items: drawingItems(1),
			credentials: { werk24Api: API },
		});
		await expect(run.run()).rejects.toThrow(/"Concurrency" is 0/);
	});

	it('continue on fail: an error item for the failing items, results for the others, in order', async () => {
		const items = drawingItems(4);
		items[1] = { binary: { other: { bytes: loadDrawing('png') } } };
		const run = createExecuteContext({
			parameters: SUBMIT,
			items,
			continueOnFail: true,
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: async (options) => {
				const index = await drawingIndex(options);
				return index === 2 ? fullResponse(413, { message: 'too large' }) : fullResponse(200, { request_id: `req-${index}` });
			},
		});
		const [output] = await run.run();
		expect(output).toHaveLength(4);
		expect(output[0].json.request_id).toBe('req-0');
		expect(output[1]).toEqual({
			json: {
				error: 'The item has no binary field "data"',
				description: expect.stringContaining('"other"'),
				http_code: null,
			},
			pairedItem: { item: 1 },
		});
		expect(output[2].pairedItem).toEqual({ item: 2 });
		expect(output[2].json).toMatchObject({ http_code: '413' });
		expect(typeof output[2].json.error).toBe('string');
		expect(output[3].json.request_id).toBe('req-3');
	});

	it('without continue on fail the first failing item stops the node with its item index', async () => {
		const run = createExecuteContext({
			parameters: SUBMIT,
			items: drawingItems(3),
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: async (options) => {
				const index = await drawingIndex(options);
				return index === 2 ? fullResponse(401, { message: 'Unauthorized' }) : fullResponse(200, { request_id: 'r' });
			},
		});
		const error = await run.run().then(
			() => undefined,
			(thrown: unknown) => thrown,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).context.itemIndex).toBe(2);
	});

	// Regression: a bad third item stopped the node after the first two drawings were uploaded (and charged),
	// with their request_ids lost; running the node again submitted them twice.
	it('checks every item before the first upload: a bad item stops the node with nothing sent', async () => {
		const items = drawingItems(3);
		items[2] = { binary: { other: { bytes: loadDrawing('png') } } };
		const run = createExecuteContext({ parameters: SUBMIT, items, credentials: { werk24Api: API } });
		const error = await run.run().then(
			() => undefined,
			(thrown: unknown) => thrown,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toBe('The item has no binary field "data"');
		expect((error as NodeOperationError).context.itemIndex).toBe(2);
		expect(run.httpCalls).toHaveLength(0);
	});

	it('continue on fail: refused items become error items, the others are still uploaded, in order', async () => {
		const items = drawingItems(3);
		items[0] = { binary: { data: { bytes: pdfOfSize(11 * 1024 * 1024) } } };
		const run = createExecuteContext({
			parameters: SUBMIT,
			items,
			continueOnFail: true,
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: async (options) => fullResponse(200, { request_id: `req-${await drawingIndex(options)}` }),
		});
		const [output] = await run.run();
		expect(output.map((item) => item.json.request_id ?? item.json.error)).toEqual([
			expect.stringMatching(/10 MB/),
			'req-1',
			'req-2',
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.httpCalls).toHaveLength(2);
	});

	it('an unknown operation is reported, not silently skipped', async () => {
		const run = createExecuteContext({ parameters: { resource: 'drawing', operation: 'doesNotExist' }, credentials: { werk24Api: API } });
		await expect(run.run()).rejects.toThrow(NodeOperationError);
		await expect(run.run()).rejects.toThrow(/"doesNotExist" is not known/);
	});

	it('operations without concurrency run one item after another', async () => {
		let inFlight = 0;
		let maxInFlight = 0;
		const run = createExecuteContext({
			parameters: { resource: 'service', operation: 'getStatus' },
			items: [{ json: {} }, { json: {} }, { json: {} }],
			credentials: { werk24Api: API },
			httpRequestWithAuthentication: async () => {
				maxInFlight = Math.max(maxInFlight, ++inFlight);
				await new Promise((resolve) => setTimeout(resolve, 5));
				inFlight--;
				return fullResponse(200, { status_indicator: 'ok' });
			},
		});
		const [output] = await run.run();
		expect(output).toHaveLength(3);
		expect(maxInFlight).toBe(1);
	});
});
