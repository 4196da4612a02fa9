/**
 * The Werk24 node's other operations and its failures inside real n8n workflows, against the sandbox:
 * a rejected license token (401), a drawing over 10 MB (413) and a file that is no drawing (415) end the
 * execution with our messages, and so does an upload the service refuses in Read and Wait; Get Status returns the
 * service status; Download File fetches an encrypted result file and hands the decrypted image to the next node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { generateKeyPair } from '../../core';
import type { CredentialJson, ExecutionSummary, WorkflowJson } from '../../scripts/n8nInstance';
import { pdfOfSize } from '../fixtures/drawings';
import { chain, node, nodeBinaries, nodeOutput, useN8n, useSandbox, workflow } from './harness';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SAMPLES_DIR = path.join(__dirname, '..', '..', 'sandbox', 'fixtures');
const SECRET = 'e2e-node-callback-secret-0001';
const HEADER = 'X-Werk24-Token';
const TRIGGER_WEBHOOK_ID = '9b7c1e20-4f3a-4d5e-8a6b-00000000d001';
const keys = generateKeyPair();

const API = { id: 'nodeApi', name: 'Werk24 API' };
const BAD_API = { id: 'nodeBadApi', name: 'Werk24 API (wrong token)' };
const CALLBACK = { id: 'nodeCallback', name: 'Werk24 Callback Security' };
const REJECTING_API = { id: 'nodeRejectingApi', name: 'Werk24 API (uploads rejected)' };

/** Webhook (answers with the last node's output) → Read Files from Disk (`file` from the request body) → … */
function webhookReading(id: string, webhookPath: string, last: Array<Record<string, unknown>>): WorkflowJson {
	const start = [
		node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', options: {} }, [0, 0], {
			webhookId: `${id}-webhook`,
		}),
		node('Read drawing', 'n8n-nodes-base.readWriteFile', 1, { operation: 'read', fileSelector: '=__FILES_DIR__/{{ $json.body.file }}', options: {} }, [220, 0]),
	];
	return workflow(id, id, [...start, ...last], chain('Webhook', 'Read drawing', ...last.map((entry) => String(entry.name))));
}

function submitNode(credential: { id: string; name: string }): Record<string, unknown> {
	return node(
		'Werk24',
		'n8n-nodes-werk24.werk24',
		1,
		{
			resource: 'drawing',
			operation: 'readWithCallback',
			binaryPropertyName: 'data',
			asks: ['SHEET_IMAGES'],
			callbackUrl: `__N8N_URL__/webhook/${TRIGGER_WEBHOOK_ID}/callback`,
			callbackSecurity: 'werk24CallbackApi',
			options: {},
		},
		[440, 0],
		{ credentials: { werk24Api: credential, werk24CallbackApi: CALLBACK } },
	);
}

const submit = webhookReading('nodeSubmit', 'w24-submit', [submitNode(API)]);
const submitWrongToken = webhookReading('nodeSubmitWrongToken', 'w24-submit-wrong-token', [submitNode(BAD_API)]);
const readRejected = webhookReading('nodeReadRejected', 'w24-read-rejected', [
	node(
		'Werk24',
		'n8n-nodes-werk24.werk24',
		1,
		{ resource: 'drawing', operation: 'read', binaryPropertyName: 'data', asks: ['META_DATA'], options: {} },
		[440, 0],
		{ credentials: { werk24Api: REJECTING_API } },
	),
]);
const status = workflow(
	'nodeStatus',
	'nodeStatus',
	[
		node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: 'w24-status', responseMode: 'lastNode', options: {} }, [0, 0], {
			webhookId: 'nodeStatus-webhook',
		}),
		node('Werk24', 'n8n-nodes-werk24.werk24', 1, { resource: 'service', operation: 'getStatus' }, [220, 0], {
			credentials: { werk24Api: API },
		}),
	],
	chain('Webhook', 'Werk24'),
);
const download = workflow(
	'nodeDownload',
	'nodeDownload',
	[
		node(
			'Werk24 Trigger',
			'n8n-nodes-werk24.werk24Trigger',
			1,
			{ authentication: 'werk24CallbackApi', messageTypes: ['ASK'], askTypes: ['SHEET_IMAGES'], options: { output: 'simplified' } },
			[0, 0],
			{ webhookId: TRIGGER_WEBHOOK_ID, credentials: { werk24CallbackApi: CALLBACK } },
		),
		node('Download File', 'n8n-nodes-werk24.werk24', 1, { resource: 'result', operation: 'downloadFile', decrypt: 'auto' }, [220, 0], {
			credentials: { werk24Api: API, werk24CallbackApi: CALLBACK },
		}),
		node(
			'Save download',
			'n8n-nodes-base.readWriteFile',
			1,
			{ operation: 'write', fileName: '=__FILES_DIR__/download-{{ $json.request_id }}.png', dataPropertyName: 'file', options: {} },
			[440, 0],
		),
	],
	chain('Werk24 Trigger', 'Download File', 'Save download'),
);

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
	const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	const text = await response.text();
	return { status: response.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('Werk24 node operations and errors in a real n8n', () => {
	const sandbox = useSandbox();
	const rejectingSandbox = useSandbox({ faults: { rejectUpload: 1 } });
	const n8n = useN8n(() => {
		const credentials: CredentialJson[] = [
			{ ...API, type: 'werk24Api', data: { token: sandbox().token, apiUrl: sandbox().url, streamingUrl: sandbox().streamingUrl } },
			{ ...BAD_API, type: 'werk24Api', data: { token: 'not-the-sandbox-token', apiUrl: sandbox().url, streamingUrl: sandbox().streamingUrl } },
			{
				...REJECTING_API,
				type: 'werk24Api',
				data: { token: rejectingSandbox().token, apiUrl: rejectingSandbox().url, streamingUrl: rejectingSandbox().streamingUrl },
			},
			{
				...CALLBACK,
				type: 'werk24CallbackApi',
				data: { headerName: HEADER, secret: SECRET, publicKey: keys.publicKey, privateKey: keys.privateKey },
			},
		];
		return {
			credentials,
			workflows: [submit, submitWrongToken, readRejected, status, download],
			publish: [submit.id, submitWrongToken.id, readRejected.id, status.id, download.id],
			files: {
				'bushing.png': fs.readFileSync(path.join(SAMPLES_DIR, 'bushing.png')),
				'too-large.pdf': pdfOfSize(10 * 1024 * 1024 + 1),
				'not-a-drawing.zip': Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(64, 1)]),
			},
		};
	});
	const webhook = (webhookPath: string) => `${n8n().baseUrl}/webhook/${webhookPath}`;

	beforeAll(async () => {
		for (const webhookPath of ['w24-submit', 'w24-submit-wrong-token', 'w24-read-rejected', 'w24-status']) await n8n().waitForWebhook(webhook(webhookPath));
		await n8n().waitForWebhook(n8n().webhookUrl(TRIGGER_WEBHOOK_ID, 'callback'));
	});

	/** Runs a submit workflow that is expected to fail and returns its failed execution. */
	async function failedRun(workflowId: string, webhookPath: string, file: string): Promise<ExecutionSummary> {
		const before = (await n8n().executions(workflowId)).length;
		const answer = await post(webhook(webhookPath), { file });
		expect(answer.status).toBeGreaterThanOrEqual(500);
		const executions = await n8n().waitForExecutions(workflowId, before + 1);
		const [latest] = executions;
		expect(latest.status).toBe('error');
		return latest;
	}

	it('ends the execution with "License token rejected" when the token is wrong (401)', async () => {
		const execution = await failedRun(submitWrongToken.id, 'w24-submit-wrong-token', 'bushing.png');
		const error = execution.data!.resultData.error!;
		expect(error.message).toMatch(/^License token rejected — check the Werk24 API credential \(HTTP 401[:)]/);
		expect(error.node?.name).toBe('Werk24');
		expect(String(error.httpCode)).toBe('401');
		expect(error.description).toBeTruthy();
	});

	it('refuses a drawing over 10 MB before uploading it (413)', async () => {
		const requestsBefore = sandbox().context.requests.size;
		const execution = await failedRun(submit.id, 'w24-submit', 'too-large.pdf');
		const error = execution.data!.resultData.error!;
		expect(error.message).toBe('Drawing is 10.1 MB; the limit is 10 MB');
		expect(error.description).toMatch(/up to 10 MB/);
		expect(sandbox().context.requests.size).toBe(requestsBefore);
	});

	it('refuses a file that is no drawing, naming what it looks like (415)', async () => {
		const requestsBefore = sandbox().context.requests.size;
		const execution = await failedRun(submit.id, 'w24-submit', 'not-a-drawing.zip');
		const error = execution.data!.resultData.error!;
		expect(error.message).toMatch(/^Drawing is not a PDF, PNG, JPEG or TIFF file \(it looks like a? ?ZIP/i);
		expect(error.description).toMatch(/PDF, PNG, JPEG and TIFF/);
		expect(sandbox().context.requests.size).toBe(requestsBefore);
	});

	it('Read and Wait: an upload the service refuses (400) ends the execution as werk24-python reports it', async () => {
		const execution = await failedRun(readRejected.id, 'w24-read-rejected', 'bushing.png');
		const error = execution.data!.resultData.error!;
		expect(error.message).toMatch(/^Werk24 rejected the drawing upload as too large \(HTTP 400\)/);
		expect(error.description).toMatch(/up to 10 MB/);
		expect(rejectingSandbox().context.requests.size).toBe(1); // it got as far as the upload
	});

	it('Get Status returns the service status as the API reports it', async () => {
		const answer = await post(webhook('w24-status'), {});
		expect(answer.status).toBe(200);
		const direct = (await (await fetch(`${sandbox().url}/status`)).json()) as Record<string, unknown>;
		expect(answer.json).toEqual(direct);
		expect(answer.json).toHaveProperty('status_indicator');
	});

	it('Download File fetches an encrypted result file and passes the decrypted image on', async () => {
		const answer = await post(webhook('w24-submit'), { file: 'bushing.png' });
		expect(answer.status).toBe(200);
		const requestId = String(answer.json.request_id);

		const [execution] = await n8n().waitForExecutions(download.id, 1, { timeoutMs: 120_000 });
		expect(execution.status).toBe('success');
		const [message] = nodeOutput(execution, 'Werk24 Trigger');
		expect(message).toMatchObject({ request_id: requestId, message_subtype: 'SHEET_IMAGES' });
		const [binary] = nodeBinaries(execution, 'Download File');
		expect(binary.file).toMatchObject({ mimeType: 'image/png' });

		const raw = Buffer.from(await (await fetch(String(message.payload_url))).arrayBuffer());
		expect(raw.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(false);
		const saved = fs.readFileSync(path.join(n8n().filesDir, `download-${requestId}.png`));
		expect(saved.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
	});
});
