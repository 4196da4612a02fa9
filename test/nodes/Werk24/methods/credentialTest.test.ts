import { createServer, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';

import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import {
	checkCallbackSecurity,
	verdictForProbeStatus,
	werk24ApiTest,
	werk24CallbackApiTest,
} from '../../../../nodes/Werk24/methods/credentialTest';
import { Werk24 } from '../../../../nodes/Werk24/Werk24.node';
import { OpaqueWebSocket, startFakeStreaming, useWsAsGlobalWebSocket } from '../../../helpers/fakeStreaming';
import { testKey as key } from '../../../fixtures/testKeys';

const testContext = {} as ICredentialTestFunctions;
const credential = (type: string, data: Record<string, unknown>): ICredentialsDecrypted => ({ id: '1', name: 'c', type, data: data as never });

describe('werk24Api credential test (probe: read-with-callback without a drawing)', () => {
	let server: Server;
	let baseUrl: string;
	const seen: Array<{ method?: string; url?: string; authorization?: string }> = [];
	let answer: (request: IncomingMessage) => number = () => 400;

	beforeAll(async () => {
		server = createServer((request, response) => {
			seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization });
			request.resume();
			response.statusCode = answer(request);
			response.setHeader('content-type', 'application/json');
			response.end('{"message":"x"}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => await new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => {
		seen.length = 0;
	});

	it('a 400 (the token passed, the missing drawing did not) means accepted', async () => {
		answer = (request) => (request.headers.authorization === 'Token good-token' ? 400 : 401);
		const result = await werk24ApiTest.call(testContext, credential('werk24Api', { token: 'good-token', apiUrl: `${baseUrl}/` }));
		expect(result).toEqual({ status: 'OK', message: 'License token accepted' });
		expect(seen).toEqual([{ method: 'POST', url: '/techread/read-with-callback', authorization: 'Token good-token' }]);
	});

	it.each([401, 403])('a %i means the token was rejected', async (status) => {
		answer = () => status;
		const result = await werk24ApiTest.call(testContext, credential('werk24Api', { token: 'bad', apiUrl: baseUrl }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^License token rejected — /);
	});

	it('a 404 names the API URL as the problem', async () => {
		answer = () => 404;
		const result = await werk24ApiTest.call(testContext, credential('werk24Api', { token: 't', apiUrl: baseUrl }));
		expect(result.status).toBe('Error');
		expect(result.message).toContain(`The API URL ${baseUrl} does not look like the Werk24 API`);
	});

	it('a 5xx says the token could not be checked', async () => {
		answer = () => 503;
		const result = await werk24ApiTest.call(testContext, credential('werk24Api', { token: 't', apiUrl: baseUrl }));
		expect(result).toEqual({ status: 'Error', message: expect.stringContaining('answered HTTP 503') });
	});

	it('an unreachable API URL is named with the cause', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		const result = await werk24ApiTest.call(testContext, credential('werk24Api', { token: 't', apiUrl: `http://127.0.0.1:${port}` }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`Could not reach the API URL http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
	});

	it('an empty token or a malformed URL is reported without a request', async () => {
		expect(await werk24ApiTest.call(testContext, credential('werk24Api', { token: ' ', apiUrl: baseUrl }))).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/License Token is empty/),
		});
		expect(await werk24ApiTest.call(testContext, credential('werk24Api', { token: 't', apiUrl: 'api.w24.co' }))).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/not a valid URL/),
		});
		expect(seen).toHaveLength(0);
	});

	describe('with a built-in WebSocket (Node ≥ 22): the streaming handshake as well', () => {
		useWsAsGlobalWebSocket();
		const test = (token: string, streamingUrl: string) =>
			werk24ApiTest.call(testContext, credential('werk24Api', { token, apiUrl: baseUrl, streamingUrl }));

		it('handshake accepted and probe 400: accepted for both', async () => {
			answer = () => 400;
			const streaming = await startFakeStreaming();
			const result = await test('good-token', streaming.url);
			await streaming.close();
			expect(result).toEqual({ status: 'OK', message: 'License token accepted (API and streaming connection)' });
			expect(streaming.authorizations).toEqual(['Token good-token']);
			expect(streaming.commands).toEqual([]);
		});

		it.each([401, 403])('handshake refused with %i: rejected', async (status) => {
			answer = () => 400;
			const streaming = await startFakeStreaming({ refuse: status });
			const result = await test('bad-token', streaming.url);
			await streaming.close();
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/^License token rejected — check the License Token/);
		});

		it('streaming unreachable but the API accepts the token: OK with a note about Read and Wait', async () => {
			answer = () => 400;
			const streaming = await startFakeStreaming();
			await streaming.close();
			const result = await test('good-token', streaming.url);
			expect(result.status).toBe('OK');
			expect(result.message).toMatch(/^License token accepted\. Note: the Streaming URL ws:\/\/127\.0\.0\.1:\d+\/v2 could not be opened/);
		});

		it('a WebSocket that hides the refused status (like the built-in one): the API probe decides', async () => {
			const global = globalThis as { WebSocket?: unknown };
			const installed = global.WebSocket;
			global.WebSocket = OpaqueWebSocket;
			try {
				const streaming = await startFakeStreaming({ refuse: 401 });
				answer = () => 401;
				const rejected = await test('bad-token', streaming.url);
				answer = () => 400;
				const accepted = await test('good-token', streaming.url);
				await streaming.close();
				expect(rejected.message).toMatch(/^License token rejected — /);
				expect(accepted.status).toBe('OK');
				expect(accepted.message).toMatch(/Note: the Streaming URL .* could not be opened/);
			} finally {
				global.WebSocket = installed;
			}
		});

		it('handshake accepted but the API URL is wrong: says so', async () => {
			answer = () => 404;
			const streaming = await startFakeStreaming();
			const result = await test('good-token', streaming.url);
			await streaming.close();
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/^The streaming connection accepted the license token, but: The API URL/);
		});
	});

	it('maps every status class', () => {
		expect(verdictForProbeStatus(402, 'u').status).toBe('Error');
		expect(verdictForProbeStatus(422, 'u').status).toBe('OK');
		expect(verdictForProbeStatus(200, 'u').status).toBe('OK');
		expect(verdictForProbeStatus(405, 'u').message).toMatch(/does not look like the Werk24 API/);
		expect(verdictForProbeStatus(429, 'u').status).toBe('Error');
	});
});

describe('werk24CallbackApi credential test (no network)', () => {
	const valid = {
		headerName: 'X-Werk24-Token',
		secret: '0123456789abcdef',
		publicKey: key('test-only-main.public.pem'),
		privateKey: key('test-only-main.private.pem'),
		passphrase: '',
	};

	it('accepts a valid header, secret and matching key pair', async () => {
		expect(await werk24CallbackApiTest.call(testContext, credential('werk24CallbackApi', valid))).toEqual({
			status: 'OK',
			message: 'Header and secret are valid and the key pair matches',
		});
	});

	it('accepts header and secret alone, and Authorization as header name', () => {
		expect(checkCallbackSecurity({ ...valid, publicKey: '', privateKey: '' })).toEqual({ status: 'OK', message: 'Header and secret are valid' });
		expect(checkCallbackSecurity({ ...valid, headerName: 'Authorization', publicKey: '', privateKey: '' }).status).toBe('OK');
	});

	it('accepts an encrypted private key with its passphrase', () => {
		const result = checkCallbackSecurity({
			...valid,
			privateKey: key('test-only-main.private.encrypted.pem'),
			passphrase: 'test-only-passphrase',
		});
		expect(result.status).toBe('OK');
	});

	it.each([
		['a header name Werk24 does not forward', { headerName: 'Werk24-Token' }, /^Header Name "Werk24-Token" is not forwarded by Werk24/],
		['a space in the header name', { headerName: 'X-Werk24 Token' }, /^Header Name "X-Werk24 Token" holds a space/],
		['spaces around the secret (regression: the Test passed it, the Trigger refused it)', { secret: ' 0123456789abcdef ' }, /^Secret starts with a space and ends with a space — remove them/],
		['a secret longer than 4096 characters (regression: the Test passed it, the Trigger refused it)', { secret: 's'.repeat(4097) }, /^Secret has 4097 characters — use at most 4096/],
		['an empty header name', { headerName: '' }, /^Header Name is empty/],
		['a secret under 16 characters', { secret: '123456789012345' }, /^Secret has 15 characters — use at least 16/],
		['a public key that does not parse', { publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }, /^Public Key does not parse/],
		['a private key that does not parse', { privateKey: 'not a key' }, /^Private Key does not parse/],
		[
			'an encrypted private key with the wrong passphrase',
			{ privateKey: key('test-only-main.private.encrypted.pem'), passphrase: 'wrong' },
			/^Private Key does not parse.*Passphrase/,
		],
		['keys from two different pairs', { privateKey: key('test-only-other.private.pem') }, /^Public Key and Private Key do not belong together/],
	])('names the failed check: %s', (_label, change, expected) => {
		const result = checkCallbackSecurity({ ...valid, ...change });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(expected);
	});
});

describe('the node wires both tests', () => {
	it('declares testedBy for both credentials and provides the methods', () => {
		const node = new Werk24();
		const byName = Object.fromEntries((node.description.credentials ?? []).map((c) => [c.name, c.testedBy]));
		expect(byName).toEqual({ werk24Api: 'werk24ApiTest', werk24CallbackApi: 'werk24CallbackApiTest' });
		expect(node.methods.credentialTest.werk24ApiTest).toBe(werk24ApiTest);
		expect(node.methods.credentialTest.werk24CallbackApiTest).toBe(werk24CallbackApiTest);
	});
});
