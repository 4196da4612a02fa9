/**
 * The `npm start` flow in a real n8n: the demo workflows, credentials and sample drawings exactly as the demo uses
 * them, against the sandbox. Submit → one execution per callback → COMPLETED; encrypted result files arrive
 * decrypted; the Trigger answers 401/400 itself without starting executions; Read and Wait hands grouped results
 * to the next node in the same execution.
 */
import * as fs from 'node:fs';

import { decryptPackage } from '../../core';
import {
	CALLBACK_HEADER,
	DEMO_WORKFLOWS,
	demoInstanceOptions,
	generateDemoSecrets,
	readAndWaitSample,
	receivedMessages,
	submitSample,
	triggerUrl,
	waitForCompleted,
	waitForDemoWebhooks,
} from '../../scripts/demo/demo';
import { executionCountAfter, nodeBinaries, nodeOutput, useN8n, useSandbox } from './harness';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('npm start flow in a real n8n', () => {
	const secrets = generateDemoSecrets();
	const sandbox = useSandbox();
	const n8n = useN8n(() => demoInstanceOptions(sandbox(), secrets));
	let requestId = '';

	beforeAll(async () => {
		await waitForDemoWebhooks(n8n());
	});

	it('loads both node types from the installed package', async () => {
		expect(await n8n().loadedNodeTypes()).toEqual(
			expect.arrayContaining(['n8n-nodes-werk24.werk24', 'n8n-nodes-werk24.werk24Trigger']),
		);
	});

	it('submits the sample; each callback becomes one successful execution, ending with COMPLETED', async () => {
		const submitted = await submitSample(n8n());
		requestId = String(submitted.request_id);
		expect(submitted).toMatchObject({ file_name: 'flange-2-pages.pdf', asks: ['META_DATA', 'FEATURES', 'SHEET_IMAGES'] });

		const messages = await waitForCompleted(n8n(), sandbox(), requestId);
		const record = sandbox().request(requestId);
		expect(record?.fields.callback_url).toBe(triggerUrl(n8n()));
		expect(record?.callbacks.every((callback) => callback.state === 'delivered')).toBe(true);

		// Same messages, same order as the sandbox delivered them, one execution each.
		const delivered = record!.callbacks.map((callback) => `${callback.message_type}/${callback.message_subtype}/${callback.page_number}`);
		expect(messages.map((message) => `${message.message_type}/${message.message_subtype}/${message.page_number}`)).toEqual(delivered);
		expect(new Set(messages.map((message) => message.executionId)).size).toBe(messages.length);
		expect(messages.every((message) => message.status === 'success' && message.ok)).toBe(true);
		expect(delivered[0]).toBe('PROGRESS/STARTED/0');
		expect(delivered.at(-1)).toBe('PROGRESS/COMPLETED/0');
		expect(delivered.filter((entry) => entry.startsWith('ASK/')).sort()).toEqual([
			'ASK/FEATURES/0',
			'ASK/FEATURES/1',
			'ASK/META_DATA/0',
			'ASK/META_DATA/1',
			'ASK/SHEET_IMAGES/0',
			'ASK/SHEET_IMAGES/1',
		]);

		const metaData = messages.filter((message) => message.message_subtype === 'META_DATA');
		expect(metaData.every((message) => Boolean(message.drawing_number && message.material))).toBe(true);
		const sheets = messages.filter((message) => message.message_subtype === 'SHEET_IMAGES');
		expect(sheets.map((message) => message.savedFile).filter(Boolean)).toHaveLength(2);

		// Every other result is stored too, as the JSON item the Trigger emitted.
		for (const message of messages.filter((entry) => entry.message_subtype !== 'SHEET_IMAGES')) {
			expect(message.savedFile).toMatch(/\.json$/);
			const stored = JSON.parse(fs.readFileSync(message.savedFile!, 'utf8')) as Record<string, unknown>;
			expect(stored).toMatchObject({ request_id: requestId, message_subtype: message.message_subtype, page_number: message.page_number });
			if (message.message_subtype === 'META_DATA') expect(stored.drawing_number).toBe(message.drawing_number);
		}
	});

	it('result files travel encrypted with the credential public key and arrive decrypted as binary', async () => {
		expect(requestId).not.toBe('');
		const record = sandbox().request(requestId)!;
		expect(String(record.fields.public_key).trim()).toBe(secrets.publicKey.trim());

		const executions = await n8n().executions(DEMO_WORKFLOWS.receive, true);
		const sheetExecutions = executions.filter((execution) =>
			nodeOutput(execution, 'Werk24 Trigger').some((item) => item.request_id === requestId && item.message_subtype === 'SHEET_IMAGES'),
		);
		expect(sheetExecutions).toHaveLength(2);
		for (const execution of sheetExecutions) {
			const [item] = nodeOutput(execution, 'Werk24 Trigger');
			const [binary] = nodeBinaries(execution, 'Werk24 Trigger');
			expect(binary.file).toMatchObject({ mimeType: 'image/png', fileExtension: 'png' });

			const downloaded = Buffer.from(await (await fetch(String(item.payload_url))).arrayBuffer());
			expect(downloaded.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(false);
			const decrypted = decryptPackage(secrets.privateKey, downloaded);
			if (!decrypted.ok) throw new Error(`the sandbox artefact does not decrypt: ${JSON.stringify(decrypted.problems)}`);

			const [message] = (await receivedMessages(n8n(), requestId)).filter((entry) => entry.executionId === execution.id);
			const saved = fs.readFileSync(message.savedFile!);
			expect(saved.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
			expect(saved.equals(decrypted.value)).toBe(true);
		}
	});

	it('answers a callback with a wrong or missing secret with 401 and starts no execution', async () => {
		const body = sandbox().request(requestId)!.callbacks[1].body;
		const statuses: number[] = [];
		const counts = await executionCountAfter(n8n(), DEMO_WORKFLOWS.receive, async () => {
			const attempts: Array<Record<string, string>> = [
				{ [CALLBACK_HEADER]: `${secrets.secret}x` },
				{ [CALLBACK_HEADER]: 'wrong-secret-wrong-secret' },
				{},
			];
			for (const headers of attempts) {
				const response = await fetch(triggerUrl(n8n()), {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', ...headers },
					body,
				});
				statuses.push(response.status);
			}
		});
		expect(statuses).toEqual([401, 401, 401]);
		expect(counts.after).toBe(counts.before);
	});

	it('answers a body that is not a Werk24 message with 400 and starts no execution; a valid one starts one', async () => {
		const post = async (body: string) =>
			(
				await fetch(triggerUrl(n8n()), {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', [CALLBACK_HEADER]: secrets.secret },
					body,
				})
			).status;
		const invalid: number[] = [];
		let unparsable = 0;
		const rejected = await executionCountAfter(n8n(), DEMO_WORKFLOWS.receive, async () => {
			invalid.push(await post(JSON.stringify({ request_id: requestId, message_type: 'ASK' })));
			invalid.push(await post('[]'));
			invalid.push(await post(JSON.stringify({ hello: 'world' })));
			// Unparsable JSON never reaches the trigger: n8n's own body parser refuses it (422 in n8n 2.41).
			unparsable = await post('{"message_type": "ASK"');
		});
		expect(invalid).toEqual([400, 400, 400]);
		expect(unparsable).toBeGreaterThanOrEqual(400);
		expect(unparsable).toBeLessThan(500);
		expect(rejected.after).toBe(rejected.before);

		// Control: the check above could not pass by counting wrong.
		const replayed = sandbox().request(requestId)!.callbacks[1].body;
		const accepted = await executionCountAfter(n8n(), DEMO_WORKFLOWS.receive, async () => {
			expect(await post(replayed)).toBe(200);
		});
		expect(accepted.after).toBe(accepted.before + 1);
	});

	it('Read and Wait: the next node gets the grouped results in the same execution', async () => {
		const output = await readAndWaitSample(n8n());
		expect(output).toMatchObject({ ok: true, pages: 1, asks: ['meta_data', 'features'] });
		expect(typeof output.drawing_number).toBe('string');
		expect(typeof output.material).toBe('string');
		expect(output.features).toBeGreaterThan(0);

		const record = sandbox().request(String(output.request_id));
		expect(record?.flow).toBe('streaming');

		const [execution] = await n8n().waitForExecutions(DEMO_WORKFLOWS.readAndWait, 1);
		expect(execution.status).toBe('success');
		const [read] = nodeOutput(execution, 'Werk24 Read and Wait');
		expect(read).toMatchObject({ request_id: output.request_id, ok: true });
		const results = read.results as Record<string, unknown[]>;
		expect(results.meta_data).toHaveLength(1);
		expect(results.features).toHaveLength(1);
		expect(nodeOutput(execution, 'Use the results')).toEqual([output]);
	});
});
