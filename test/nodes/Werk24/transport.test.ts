import { NodeApiError } from 'n8n-workflow';

import { errorFromNetwork, errorFromResponse } from '../../../core';
import { loadDrawing } from '../../fixtures/drawings';
import { connectionRefused, createExecuteContext, fullResponse, type HttpStub } from '../../helpers/executeContext';

const mockSleep = jest.fn(async (ms: number) => void ms);
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleep: (ms: number) => mockSleep(ms) }));

const API = { token: 'license-token-123', apiUrl: 'https://api.w24.co', streamingUrl: 'wss://ws-api.w24.co/v2' };

function submitWith(http: HttpStub) {
	return createExecuteContext({
		parameters: { resource: 'drawing', operation: 'readWithCallback', callbackUrl: 'https://n8n.example.com/webhook/x', callbackSecurity: 'none' },
		items: [{ binary: { data: { bytes: loadDrawing('pdf'), fileName: 'a.pdf' } } }],
		credentials: { werk24Api: API },
		httpRequestWithAuthentication: http,
	});
}

function statusWith(http: HttpStub) {
	return createExecuteContext({
		parameters: { resource: 'service', operation: 'getStatus' },
		credentials: { werk24Api: API },
		httpRequestWithAuthentication: http,
	});
}

/** Answers with the given responses in turn (a thrown Error = no response), repeating the last. */
function sequence(...answers: Array<ReturnType<typeof fullResponse> | Error>): HttpStub {
	let index = 0;
	return async () => {
		const answer = answers[Math.min(index++, answers.length - 1)];
		if (answer instanceof Error) throw answer;
		return answer;
	};
}

async function failure(run: { run(): Promise<unknown> }): Promise<NodeApiError> {
	const error = await run.run().then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}

beforeEach(() => mockSleep.mockClear());

describe('transport: every HTTP error is mapped once, by core, into a NodeApiError', () => {
	const cases: Array<[number, unknown, Record<string, string>]> = [
		[401, { code: '401', message: 'Authentication failed', details: { reason: 'token_expired' } }, {}],
		[403, { message: 'Forbidden' }, {}],
		[404, 'Not Found', {}],
		[413, { message: 'Request Entity Too Large' }, {}],
		[415, { message: 'Unsupported Media Type' }, {}],
		[429, { code: '429', message: 'Too many requests', details: { retry_after: 30 } }, { 'retry-after': '30' }],
		[500, { message: 'Internal Server Error' }, {}],
		[400, { code: '400', message: 'Invalid ask type specified' }, {}],
	];

	it.each(cases)('HTTP %i: core message and hint, http code, item index, no retry', async (status, body, headers) => {
		const run = submitWith(sequence(fullResponse(status, body, headers)));
		const error = await failure(run);
		const expected = errorFromResponse(status, body, headers);
		expect(error.message).toBe(expected.title);
		expect(error.description).toBe(expected.hint);
		expect(error.httpCode).toBe(String(status));
		expect(error.context.itemIndex).toBe(0);
		expect(run.httpCalls).toHaveLength(1);
		expect(mockSleep).not.toHaveBeenCalled();
	});

	it('401 says the license token was rejected and names the credential', async () => {
		const error = await failure(submitWith(sequence(fullResponse(401, { message: 'Unauthorized' }))));
		expect(error.message).toMatch(/License token rejected/);
		expect(`${error.message} ${error.description}`).toMatch(/Werk24 API credential/);
	});

	it('413 says the drawing is too large', async () => {
		const error = await failure(submitWith(sequence(fullResponse(413, ''))));
		expect(`${error.message} ${error.description}`).toMatch(/10 ?MB/);
	});

	it('429 tells when to retry', async () => {
		const error = await failure(submitWith(sequence(fullResponse(429, { message: 'slow down' }, { 'retry-after': '30' }))));
		expect(`${error.message} ${error.description}`).toMatch(/30/);
	});

	it('a text body (not JSON) is still mapped', async () => {
		const error = await failure(statusWith(sequence(fullResponse(500, '<html>oops</html>'))));
		expect(error.httpCode).toBe('500');
	});
});

describe('transport: retries', () => {
	it.each([502, 503, 504])('HTTP %i is retried: 3 attempts with 1 s and 2 s backoff, then fails', async (status) => {
		const run = submitWith(sequence(fullResponse(status, { message: 'Bad gateway' })));
		const error = await failure(run);
		expect(run.httpCalls).toHaveLength(3);
		expect(mockSleep.mock.calls.map(([ms]) => ms)).toEqual([1000, 2000]);
		expect(error.httpCode).toBe(String(status));
		expect(error.message).toBe(errorFromResponse(status, { message: 'Bad gateway' }).title);
	});

	it('a 503 followed by success succeeds on the second attempt', async () => {
		const run = submitWith(sequence(fullResponse(503, ''), fullResponse(200, { request_id: 'r-1' })));
		const [[item]] = await run.run();
		expect(item.json.request_id).toBe('r-1');
		expect(run.httpCalls).toHaveLength(2);
		expect(mockSleep).toHaveBeenCalledTimes(1);
	});

	it('honours a short Retry-After on 503', async () => {
		const run = statusWith(sequence(fullResponse(503, '', { 'retry-after': '2' })));
		await failure(run);
		expect(mockSleep.mock.calls.map(([ms]) => ms)).toEqual([2000, 2000]);
	});

	it('a connection failure before any response is retried, then reported with the API URL', async () => {
		const run = submitWith(sequence(connectionRefused()));
		const error = await failure(run);
		expect(run.httpCalls).toHaveLength(3);
		expect(error.httpCode).toBeNull();
		expect(error.message).toBe(errorFromNetwork(connectionRefused().cause).title);
		expect(error.description).toContain('https://api.w24.co/techread/read-with-callback');
	});

	it('a connection failure followed by success succeeds', async () => {
		const run = statusWith(sequence(connectionRefused(), fullResponse(200, { status_indicator: 'ok' })));
		const [[item]] = await run.run();
		expect(item.json).toEqual({ status_indicator: 'ok' });
		expect(run.httpCalls).toHaveLength(2);
	});

	it.each([400, 401, 403, 404, 413, 415, 429, 500])('HTTP %i is never retried', async (status) => {
		const run = statusWith(sequence(fullResponse(status, {})));
		await failure(run);
		expect(run.httpCalls).toHaveLength(1);
	});

	it('an untrusted TLS certificate is not retried (a retry cannot fix it)', async () => {
		const tls = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
		const run = statusWith(sequence(new NodeApiError({ name: 'Werk24' } as never, tls as never)));
		const error = await failure(run);
		expect(run.httpCalls).toHaveLength(1);
		expect(error.message).toMatch(/TLS certificate/);
	});
});

/** What n8n's helper throws when axios's `timeout` fires: the AxiosError wrapped in a NodeApiError. */
function axiosTimeout(ms = 120_000): NodeApiError {
	const cause = Object.assign(new Error(`timeout of ${ms}ms exceeded`), { name: 'AxiosError', code: 'ECONNABORTED' });
	return new NodeApiError({ name: 'Werk24' } as never, cause as never);
}

function socketError(code: string, extra: Record<string, unknown> = {}): NodeApiError {
	const cause = Object.assign(new Error(`${code} api.w24.co`), { code, ...extra });
	return new NodeApiError({ name: 'Werk24' } as never, cause as never);
}

describe('transport: per-attempt timeout (regression: a hanging API hung the execution and the retry never fired)', () => {
	it('every API request carries a 120 s timeout', async () => {
		const submit = submitWith(sequence(fullResponse(200, { request_id: 'r-1' })));
		await submit.run();
		const status = statusWith(sequence(fullResponse(200, { status_indicator: 'ok' })));
		await status.run();
		expect(submit.httpCalls[0].options.timeout).toBe(120_000);
		expect(status.httpCalls[0].options.timeout).toBe(120_000);
	});

	it('a GET that timed out is retried with backoff, then says Werk24 did not answer and what to do', async () => {
		const run = statusWith(sequence(axiosTimeout()));
		const error = await failure(run);
		expect(run.httpCalls).toHaveLength(3);
		expect(mockSleep.mock.calls.map(([ms]) => ms)).toEqual([1000, 2000]);
		expect(error.message).toBe('Werk24 did not answer within 120 s');
		expect(error.description).toMatch(/tried 3 times/);
		expect(error.description).toMatch(/Retry in a few minutes/);
		expect(error.httpCode).toBeNull();
		expect(error.context.itemIndex).toBe(0);
	});

	it('a GET that timed out once succeeds on the second attempt', async () => {
		const run = statusWith(sequence(axiosTimeout(), fullResponse(200, { status_indicator: 'ok' })));
		const [[item]] = await run.run();
		expect(item.json).toEqual({ status_indicator: 'ok' });
		expect(run.httpCalls).toHaveLength(2);
	});

	// The upload may have reached Werk24: a second one could read and bill the drawing twice.
	it('a drawing upload (POST) that timed out is not sent again and says why', async () => {
		const run = submitWith(sequence(axiosTimeout(), fullResponse(200, { request_id: 'r-2' })));
		const error = await failure(run);
		expect(run.httpCalls).toHaveLength(1);
		expect(mockSleep).not.toHaveBeenCalled();
		expect(error.message).toBe('Werk24 did not answer within 120 s');
		expect(error.description).toMatch(/may have reached Werk24 anyway, so n8n did not upload it again/);
		expect(error.description).toMatch(/Werk24 Trigger/);
		expect(error.context.itemIndex).toBe(0);
	});

	it('a drawing upload whose connection broke (ECONNRESET) is not sent again', async () => {
		const run = submitWith(sequence(socketError('ECONNRESET'), fullResponse(200, { request_id: 'r-2' })));
		const error = await failure(run);
		expect(run.httpCalls).toHaveLength(1);
		expect(error.message).toBe(errorFromNetwork(socketError('ECONNRESET').cause).title);
		expect(error.description).toMatch(/did not upload it again/);
	});

	it.each([
		['ENOTFOUND', {}],
		['EAI_AGAIN', {}],
		['ECONNREFUSED', {}],
		['EHOSTUNREACH', {}],
		['ETIMEDOUT', { syscall: 'connect' }],
	])('a drawing upload that failed before it was sent (%s) is retried', async (code, extra) => {
		const run = submitWith(sequence(socketError(code, extra), fullResponse(200, { request_id: 'r-3' })));
		const [[item]] = await run.run();
		expect(item.json.request_id).toBe('r-3');
		expect(run.httpCalls).toHaveLength(2);
		expect(mockSleep.mock.calls.map(([ms]) => ms)).toEqual([1000]);
	});

	it('ETIMEDOUT outside the connect phase counts as a timeout after sending: the upload is not repeated', async () => {
		const run = submitWith(sequence(socketError('ETIMEDOUT', { syscall: 'read' })));
		const error = await failure(run);
		expect(run.httpCalls).toHaveLength(1);
		expect(error.message).toBe('Werk24 did not answer within 120 s');
	});
});
