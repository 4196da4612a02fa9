/**
 * Encrypted callback bodies in a real n8n: whether Werk24 encrypts the callback body itself is undocumented, so
 * the Trigger also accepts an application/octet-stream body encrypted for the credential's public key. This
 * proves n8n hands such a body to the Trigger intact (the unit tests pass it in directly) and that every
 * message of the demo submission is decrypted into a normal execution.
 */
import { decryptPackage } from '../../core';
import { demoInstanceOptions, generateDemoSecrets, submitSample, waitForCompleted, waitForDemoWebhooks } from '../../scripts/demo/demo';
import { useN8n, useSandbox } from './harness';

describe('encrypted callback bodies in a real n8n', () => {
	const secrets = generateDemoSecrets();
	const sandbox = useSandbox({ encryptCallbackBodies: true });
	const n8n = useN8n(() => demoInstanceOptions(sandbox(), secrets));

	beforeAll(async () => {
		await waitForDemoWebhooks(n8n());
	});

	it('decrypts every application/octet-stream callback into one successful execution', async () => {
		const requestId = String((await submitSample(n8n())).request_id);
		const messages = await waitForCompleted(n8n(), sandbox(), requestId);

		const record = sandbox().request(requestId)!;
		// The sandbox really sent encrypted bodies (so this case can fail), each accepted on the first attempt.
		expect(record.callbacks.length).toBe(8);
		for (const callback of record.callbacks) {
			expect(callback.encrypted).toBe(true);
			expect(decryptPackage(secrets.privateKey, Buffer.from(callback.body, 'base64')).ok).toBe(true);
			expect(callback.attempts.map((attempt) => attempt.status)).toEqual([200]);
		}

		expect(messages).toHaveLength(8);
		expect(messages.every((message) => message.status === 'success' && message.ok)).toBe(true);
		const metaData = messages.filter((message) => message.message_subtype === 'META_DATA');
		expect(metaData.map((message) => message.drawing_number)).toEqual(['W24-SBX-1001', 'W24-SBX-1001']);
	});
});
