// The Werk24 Callback Security credential is checked in three places: its Test button, the Werk24 node's Submit
// preflight and the Werk24 Trigger's activation. They must accept and refuse exactly the same values, with the
// reasons of core/callbackSecurity.ts. One table (test/core/callbackSecurityCases.ts) runs through all three.
import { NodeOperationError, type ICredentialsDecrypted, type ICredentialTestFunctions } from 'n8n-workflow';

import { validateCallbackSecurity } from '../../core';
import { werk24CallbackApiTest } from '../../nodes/Werk24/methods/credentialTest';
import { loadDrawing } from '../fixtures/drawings';
import { createExecuteContext, fullResponse } from '../helpers/executeContext';
import { makeHookContext } from '../helpers/webhookContext';
import { DEFAULTS, trigger } from '../nodes/Werk24Trigger/triggerFixtures';
import { CASES, type CallbackSecurityCase } from '../core/callbackSecurityCases';

const API = { token: 'license-token-123', apiUrl: 'https://api.w24.co', streamingUrl: 'wss://ws-api.w24.co/v2' };
const CALLBACK = 'https://n8n.example.com/webhook/1f0c/callback';

interface Verdict {
	accepted: boolean;
	/** Everything the user reads when refused: message and description. */
	text: string;
}

const credentialOf = (c: CallbackSecurityCase) => ({ headerName: c.headerName, secret: c.secret, publicKey: '', privateKey: '', passphrase: '' });

async function credentialTest(c: CallbackSecurityCase): Promise<Verdict> {
	const decrypted: ICredentialsDecrypted = { id: '1', name: 'c', type: 'werk24CallbackApi', data: credentialOf(c) };
	const result = await werk24CallbackApiTest.call({} as ICredentialTestFunctions, decrypted);
	return { accepted: result.status === 'OK', text: result.status === 'OK' ? '' : result.message };
}

function refusal(error: unknown): Verdict {
	if (!(error instanceof NodeOperationError)) throw error;
	return { accepted: false, text: `${error.message}\n${error.description ?? ''}` };
}

async function submit(c: CallbackSecurityCase): Promise<Verdict> {
	const run = createExecuteContext({
		parameters: { resource: 'drawing', operation: 'readWithCallback', callbackUrl: CALLBACK, callbackSecurity: 'werk24CallbackApi' },
		items: [{ binary: { data: { bytes: loadDrawing('pdf'), mimeType: 'application/pdf', fileName: 'flange.pdf' } } }],
		credentials: { werk24Api: API, werk24CallbackApi: credentialOf(c) },
		httpRequestWithAuthentication: async () => fullResponse(200, { request_id: '3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d' }),
	});
	try {
		await run.run();
	} catch (error) {
		expect(run.httpCalls).toHaveLength(0);
		return refusal(error);
	}
	expect(run.httpCalls).toHaveLength(1);
	return { accepted: true, text: '' };
}

async function triggerActivation(c: CallbackSecurityCase): Promise<Verdict> {
	const hook = makeHookContext({ defaults: DEFAULTS, credentials: { werk24CallbackApi: credentialOf(c) } });
	try {
		expect(await trigger.webhookMethods.default.create.call(hook)).toBe(true);
	} catch (error) {
		return refusal(error);
	}
	return { accepted: true, text: '' };
}

describe(
	'regression: the credential Test passed secrets the Trigger refused (spaces around, control characters, > 4096 characters) ' +
		'and the Trigger passed header names the Test and Submit refused ("X-Werk24 Token")',
	() => {
		const table = CASES.map((c) => [c.label, c] as const);

		it.each(table)('Test, Submit and Trigger activation agree on %s', async (_label, c) => {
			const expected = c.problems.length === 0;
			const verdicts = { test: await credentialTest(c), submit: await submit(c), trigger: await triggerActivation(c) };
			expect({ test: verdicts.test.accepted, submit: verdicts.submit.accepted, trigger: verdicts.trigger.accepted }).toEqual({
				test: expected,
				submit: expected,
				trigger: expected,
			});
		});

		it.each(table.filter(([, c]) => c.problems.length > 0))('Test, Submit and Trigger activation give the same reasons for %s', async (_label, c) => {
			const core = validateCallbackSecurity({ headerName: c.headerName, secret: c.secret });
			expect(core).toEqual({ ok: false, problems: c.problems });
			const reasons = c.problems.map((problem) => problem.reason);
			for (const place of [await credentialTest(c), await submit(c), await triggerActivation(c)]) {
				expect(place.accepted).toBe(false);
				for (const reason of reasons) expect(place.text).toContain(reason);
				expect(place.text).not.toContain(c.secret.length >= 5 ? c.secret : '\u0000never');
			}
		});
	},
);
