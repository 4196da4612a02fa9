import fc from 'fast-check';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { encryptPackage } from '../../../core';
import { makeHookContext, makeWebhookContext } from '../../helpers/webhookContext';
import {
	callbackContext,
	callbackCredential,
	COMPLETED,
	DEFAULTS,
	ENCRYPTED_PRIVATE_PEM,
	FEATURES,
	json,
	META_DATA,
	OTHER_PUBLIC_PEM,
	PASSPHRASE,
	PRIVATE_PEM,
	PUBLIC_PEM,
	SECRET,
	sequence,
	STARTED,
	trigger,
} from './triggerFixtures';

const run = async (fake: ReturnType<typeof makeWebhookContext>) => await trigger.webhook.call(fake.context);

describe('webhook(): accepted callbacks start one execution', () => {
	it('one message → one simplified item, reply {received, emitted: 1}', async () => {
		const fake = callbackContext(META_DATA);
		const result = await run(fake);
		expect(result.webhookResponse).toEqual({ received: true, emitted: 1 });
		expect(result.noWebhookResponse).toBeUndefined();
		expect(fake.response.status).not.toHaveBeenCalled();
		const [items] = result.workflowData ?? [];
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			request_id: META_DATA.request_id,
			message_type: 'ASK',
			ask_type: 'META_DATA',
			page_number: 0,
			ok: true,
			errors: [],
			drawing_number: 'W24-4711-A',
			message: META_DATA,
		});
		expect(items[0].json.payload).toEqual(META_DATA.payload_dict);
		expect(items[0].binary).toBeUndefined();
	});

	it('an array → one item per message, in order, in one execution', async () => {
		const result = await run(callbackContext(sequence));
		expect(result.webhookResponse).toEqual({ received: true, emitted: 5 });
		expect(result.workflowData).toHaveLength(1);
		expect(result.workflowData?.[0].map((item) => item.json.message_subtype)).toEqual([
			'STARTED',
			'META_DATA',
			'SHEET_IMAGES',
			'FEATURES',
			'COMPLETED',
		]);
	});

	it('Output: Raw keeps the message exactly as sent', async () => {
		const result = await run(callbackContext(FEATURES, { parameters: { options: { output: 'raw' } } }));
		expect(result.workflowData?.[0][0].json).toEqual(FEATURES);
	});

	it('errors carry readable text in the simplified output', async () => {
		const failed = {
			...META_DATA,
			payload_dict: null,
			exceptions: [{ exception_level: 'ERROR', exception_type: 'DRAWING_RESOLUTION_TOO_LOW' }],
		};
		const item = (await run(callbackContext(failed))).workflowData?.[0][0].json as IDataObject;
		expect(item.ok).toBe(false);
		expect(item.errors).toEqual([{ level: 'ERROR', type: 'DRAWING_RESOLUTION_TOO_LOW', text: expect.stringMatching(/resolution/i) }]);
	});

	it('falls back to the parsed body when n8n gives no raw body', async () => {
		const fake = callbackContext(STARTED, { rawBody: undefined, body: [STARTED, COMPLETED] });
		expect((await run(fake)).webhookResponse).toEqual({ received: true, emitted: 2 });
	});

	it('Authentication: None accepts callbacks without the header', async () => {
		const fake = makeWebhookContext({
			headers: { 'content-type': 'application/json' },
			rawBody: json(STARTED),
			defaults: DEFAULTS,
			parameters: { authentication: 'none' },
		});
		expect((await run(fake)).webhookResponse).toEqual({ received: true, emitted: 1 });
	});

	it('a custom header name from the credential, looked up case-insensitively', async () => {
		const fake = callbackContext(STARTED, {
			headers: { authorization: SECRET },
			credentials: { werk24CallbackApi: callbackCredential({ headerName: 'Authorization' }) },
		});
		expect((await run(fake)).webhookResponse).toEqual({ received: true, emitted: 1 });
	});
});

describe('webhook(): rejected callbacks are answered here and start nothing', () => {
	async function expectAnswer(fake: ReturnType<typeof makeWebhookContext>, status: number, body: unknown) {
		const result = await run(fake);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(fake.response.status).toHaveBeenCalledWith(status);
		expect(fake.response.json).toHaveBeenCalledWith(body);
		expect(fake.httpRequest).not.toHaveBeenCalled();
		return result;
	}

	it('wrong secret → 401', async () => {
		await expectAnswer(callbackContext(STARTED, { headers: { 'x-werk24-token': 'wrong-secret-000000000' } }), 401, {
			error: 'unauthorized',
		});
	});

	it('missing header → 401, even with a broken body', async () => {
		await expectAnswer(callbackContext(Buffer.from('{oops'), { headers: { 'x-werk24-token': undefined } }), 401, {
			error: 'unauthorized',
		});
	});

	it('invalid JSON → 400', async () => {
		await expectAnswer(callbackContext(Buffer.from('{"request_id":')), 400, { error: 'body is not valid JSON' });
	});

	it('invalid envelope → 400 naming the field', async () => {
		const fake = callbackContext({ ...STARTED, request_id: 'nope' });
		await run(fake);
		expect(fake.response.status).toHaveBeenCalledWith(400);
		expect(fake.response.body).toEqual({ error: expect.stringMatching(/^invalid message: .*request_id/) });
	});

	it('everything filtered out → 200 {received, emitted: 0}', async () => {
		await expectAnswer(callbackContext(FEATURES, { parameters: { messageTypes: ['PROGRESS', 'ERROR'] } }), 200, {
			received: true,
			emitted: 0,
		});
		await expectAnswer(callbackContext(FEATURES, { parameters: { askTypes: ['META_DATA'] } }), 200, {
			received: true,
			emitted: 0,
		});
	});

	it('partially filtered → only the wanted messages', async () => {
		const result = await run(callbackContext(sequence, { parameters: { messageTypes: ['ASK'], askTypes: ['FEATURES'] } }));
		expect(result.workflowData?.[0].map((item) => item.json.message_subtype)).toEqual(['FEATURES']);
		expect(result.webhookResponse).toEqual({ received: true, emitted: 1 });
	});

	it('never echoes the secret or the private key', async () => {
		const credentials = { werk24CallbackApi: callbackCredential({ privateKey: PRIVATE_PEM }) };
		const bodies = [Buffer.from('garbage'), json({ nope: SECRET }), encryptPackage(OTHER_PUBLIC_PEM, json(STARTED))];
		for (const body of bodies) {
			const fake = callbackContext(body, { credentials, headers: { 'content-type': 'application/octet-stream' } });
			await run(fake);
			const said = JSON.stringify(fake.response.body);
			expect(fake.response.statusCode).toBe(400);
			expect(said).not.toContain(SECRET);
			expect(said).not.toContain('PRIVATE KEY');
		}
	});
});

describe('webhook(): encrypted bodies', () => {
	const octet = { 'content-type': 'application/octet-stream' };

	it('decrypts with the credential private key (and passphrase)', async () => {
		const fake = callbackContext(encryptPackage(PUBLIC_PEM, json(sequence)), {
			headers: octet,
			credentials: { werk24CallbackApi: callbackCredential({ privateKey: ENCRYPTED_PRIVATE_PEM, passphrase: PASSPHRASE }) },
		});
		const result = await run(fake);
		expect(result.webhookResponse).toEqual({ received: true, emitted: 5 });
	});

	it('no private key in the credential → 400 that says so', async () => {
		const fake = callbackContext(encryptPackage(PUBLIC_PEM, json(STARTED)), { headers: octet });
		expect(await run(fake)).toEqual({ noWebhookResponse: true });
		expect(fake.response.body).toEqual({ error: expect.stringMatching(/no private key is configured/) });
	});
});

describe('webhook() never throws on what callers send', () => {
	it('1,000 random bodies and headers → only 200, 400 or 401; rejections start nothing', async () => {
		const headerValue = fc.oneof(fc.string(), fc.constant(SECRET), fc.constant(undefined));
		const headers = fc.dictionary(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('x-werk24-token', 'content-type')), headerValue);
		const body = fc.oneof(
			fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
			fc.jsonValue().map(json),
			fc.constant(json(sequence)),
			fc.constant(undefined),
		);
		await fc.assert(
			fc.asyncProperty(headers, body, fc.anything(), async (h, raw, parsed) => {
				const fake = callbackContext(Buffer.alloc(0), { headers: h, rawBody: raw, body: parsed });
				const result = await run(fake);
				if (result.workflowData) {
					return fake.response.status.mock.calls.length === 0 && (result.webhookResponse as IDataObject).emitted === result.workflowData[0].length;
				}
				return result.noWebhookResponse === true && [200, 400, 401].includes(fake.response.statusCode ?? 0);
			}),
			{ numRuns: 1000 },
		);
	});

	it('a missing credential is a configuration error, not a caller error', async () => {
		const fake = callbackContext(STARTED, { credentials: {} });
		await expect(run(fake)).rejects.toThrow(NodeOperationError);
	});
});

describe('webhook lifecycle', () => {
	const methods = trigger.webhookMethods.default;
	const hook = (options: Parameters<typeof makeHookContext>[0] = {}) =>
		makeHookContext({ defaults: DEFAULTS, credentials: { werk24CallbackApi: callbackCredential() }, ...options });

	it('checkExists → false, delete → true (no registration API)', async () => {
		expect(await methods.checkExists.call(hook())).toBe(false);
		expect(await methods.delete.call(hook())).toBe(true);
	});

	it.each([' leading-space-secret-0123', 'trailing-space-secret-0123 ', 'tab\tinside-the-secret-0123', 'euro-sign-secret-0123-\u20ac'])(
		'create refuses the secret %p, which no HTTP header carries unchanged',
		async (secret) => {
			const error = await methods.create.call(hook({ credentials: { werk24CallbackApi: callbackCredential({ secret }) } })).then(
				() => undefined,
				(thrown: unknown) => thrown,
			);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect((error as NodeOperationError).message).toMatch(/^Secret (starts|ends|holds) .*every callback would be refused with 401/);
			expect((error as NodeOperationError).description).toMatch(/Werk24 Callback Security credential \(its Test runs the same check\)/);
			expect(JSON.stringify([(error as NodeOperationError).message, (error as NodeOperationError).description])).not.toContain(secret);
		},
	);

	it('create accepts a valid configuration', async () => {
		expect(await methods.create.call(hook())).toBe(true);
		const spaced = callbackCredential({ secret: 'inner spaces are kept by HTTP' });
		expect(await methods.create.call(hook({ credentials: { werk24CallbackApi: spaced } }))).toBe(true);
		const keys = callbackCredential({ publicKey: PUBLIC_PEM, privateKey: ENCRYPTED_PRIVATE_PEM, passphrase: PASSPHRASE });
		expect(await methods.create.call(hook({ credentials: { werk24CallbackApi: keys } }))).toBe(true);
		expect(await methods.create.call(hook({ credentials: {}, parameters: { authentication: 'none' } }))).toBe(true);
	});

	it.each([
		['no credential selected', { credentials: {} }, /No Werk24 Callback Security credential/, /Authentication/],
		[
			'a header Werk24 drops',
			{ credentials: { werk24CallbackApi: callbackCredential({ headerName: 'Token' }) } },
			/^Header Name "Token" is not forwarded by Werk24 — use a name starting with "X-"/,
			/Test runs the same check/,
		],
		[
			'a short secret',
			{ credentials: { werk24CallbackApi: callbackCredential({ secret: 'short' }) } },
			/^Secret has 5 characters — use at least 16$/,
			/Test runs the same check/,
		],
		[
			'an unreadable private key',
			{ credentials: { werk24CallbackApi: callbackCredential({ privateKey: 'nope' }) } },
			/Private key: .*unreadable/,
			/PKCS#8/,
		],
		[
			'a wrong passphrase',
			{ credentials: { werk24CallbackApi: callbackCredential({ privateKey: ENCRYPTED_PRIVATE_PEM, passphrase: 'x' }) } },
			/wrong passphrase/,
			/passphrase/,
		],
		[
			'keys of different pairs',
			{ credentials: { werk24CallbackApi: callbackCredential({ publicKey: OTHER_PUBLIC_PEM, privateKey: PRIVATE_PEM }) } },
			/do not belong together/,
			/same key pair/,
		],
		['an unreadable public key', { credentials: { werk24CallbackApi: callbackCredential({ publicKey: 'nope' }) } }, /Public key/, /SPKI/],
		['no message type', { parameters: { messageTypes: [] } }, /No message type/, /at least one/],
		['a bad allowed host', { parameters: { options: { allowedDownloadHosts: 'ok.example, bad host[' } } }, /Allowed Download Hosts/, /host:port/],
		['a wildcard allowed host', { parameters: { options: { allowedDownloadHosts: '*.intranet.example' } } }, /"\*\.intranet\.example"/, /host names/],
	])('create refuses %s with a fix', async (_label, options, message, fix) => {
		const error = await methods.create.call(hook(options as Parameters<typeof makeHookContext>[0])).then(
			() => undefined,
			(thrown: unknown) => thrown,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toMatch(message);
		expect((error as NodeOperationError).description).toMatch(fix);
	});
});
