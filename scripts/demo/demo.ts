/**
 * The first-run demo, shared by `npm start` and the e2e suite: credentials pointing at the local sandbox, the
 * demo workflows of ./workflows, and the steps that drive them (submit, wait for COMPLETED, read and wait).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { generateKeyPair } from '../../core';
import type { Sandbox } from '../../sandbox/server';
import type { CredentialJson, ExecutionSummary, N8nInstance, N8nStartOptions, WorkflowJson } from '../n8nInstance';

export const DEMO_WORKFLOWS = {
	submit: 'werk24DemoSubmit',
	receive: 'werk24DemoReceive',
	readAndWait: 'werk24DemoReadAndWait',
} as const;

export const CALLBACK_HEADER = 'X-Werk24-Token';
const TRIGGER_WEBHOOK_ID = '3d1f6a80-0c6e-4b59-9a61-0000000002a1';
const SUBMIT_PATH = 'werk24-demo-submit';
const READ_AND_WAIT_PATH = 'werk24-demo-read-and-wait';
const SAMPLES_DIR = path.join(__dirname, '..', '..', 'sandbox', 'fixtures');
const SAMPLES = ['flange-2-pages.pdf', 'bushing.png'];

export interface DemoSecrets {
	secret: string;
	publicKey: string;
	privateKey: string;
}

/** A fresh callback secret and key pair per run (nothing secret is stored in the repository). */
export function generateDemoSecrets(): DemoSecrets {
	const { publicKey, privateKey } = generateKeyPair();
	return { secret: randomBytes(24).toString('base64url'), publicKey, privateKey };
}

export function demoCredentials(sandbox: Sandbox, secrets: DemoSecrets): CredentialJson[] {
	return [
		{
			id: 'werk24DemoApi',
			name: 'Werk24 API (sandbox)',
			type: 'werk24Api',
			data: { token: sandbox.token, apiUrl: sandbox.url, streamingUrl: sandbox.streamingUrl },
		},
		{
			id: 'werk24DemoCallback',
			name: 'Werk24 Callback Security (demo)',
			type: 'werk24CallbackApi',
			data: { headerName: CALLBACK_HEADER, secret: secrets.secret, publicKey: secrets.publicKey, privateKey: secrets.privateKey },
		},
	];
}

export function demoWorkflows(): WorkflowJson[] {
	const dir = path.join(__dirname, 'workflows');
	return fs
		.readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as WorkflowJson);
}

/** Everything N8nInstance.start needs for the demo, apart from the runtime and the package. */
export function demoInstanceOptions(
	sandbox: Sandbox,
	secrets: DemoSecrets,
): Pick<N8nStartOptions, 'credentials' | 'workflows' | 'publish' | 'files'> {
	const files: Record<string, Buffer | string> = { 'results/.keep': '' };
	for (const sample of SAMPLES) files[`samples/${sample}`] = fs.readFileSync(path.join(SAMPLES_DIR, sample));
	return {
		credentials: demoCredentials(sandbox, secrets),
		workflows: demoWorkflows(),
		publish: Object.values(DEMO_WORKFLOWS),
		files,
	};
}

export function triggerUrl(n8n: N8nInstance): string {
	return n8n.webhookUrl(TRIGGER_WEBHOOK_ID, 'callback');
}

/** Waits until every demo webhook is served. */
export async function waitForDemoWebhooks(n8n: N8nInstance): Promise<void> {
	await n8n.waitForWebhook(triggerUrl(n8n));
	await n8n.waitForWebhook(`${n8n.baseUrl}/webhook/${SUBMIT_PATH}`);
	await n8n.waitForWebhook(`${n8n.baseUrl}/webhook/${READ_AND_WAIT_PATH}`);
}

async function postWebhook(url: string): Promise<Record<string, unknown>> {
	const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
	const text = await response.text();
	if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 500)}`);
	return JSON.parse(text) as Record<string, unknown>;
}

/** Runs "Werk24 · submit drawing" once; returns the Werk24 node's output (request_id, file_name, asks …). */
export async function submitSample(n8n: N8nInstance): Promise<Record<string, unknown>> {
	const output = await postWebhook(`${n8n.baseUrl}/webhook/${SUBMIT_PATH}`);
	if (typeof output.request_id !== 'string') throw new Error(`The Werk24 node returned no request_id: ${JSON.stringify(output)}`);
	return output;
}

/** Runs "Werk24 · read and wait" once; returns what its last node ("Use the results") saw. */
export async function readAndWaitSample(n8n: N8nInstance): Promise<Record<string, unknown>> {
	return await postWebhook(`${n8n.baseUrl}/webhook/${READ_AND_WAIT_PATH}`);
}

/** One message as the receiving workflow saw it, plus the file it saved. */
export interface ReceivedMessage {
	executionId: string;
	status: string;
	request_id: string;
	message_type: string;
	message_subtype: string;
	page_number: number;
	ok: boolean;
	drawing_number?: string;
	material?: string;
	features?: number;
	fileName?: string;
	/** The result file, or for a message without one its JSON, as saved under results/. */
	savedFile?: string;
}

/** The messages the receiving workflow got for a request, oldest first, read from its executions. */
export async function receivedMessages(n8n: N8nInstance, requestId?: string): Promise<ReceivedMessage[]> {
	const executions = await n8n.executions(DEMO_WORKFLOWS.receive, true);
	return executions
		.flatMap((execution) => messagesOf(execution, n8n.filesDir))
		.filter((message) => requestId === undefined || message.request_id === requestId)
		.sort((a, b) => Number(a.executionId) - Number(b.executionId));
}

function messagesOf(execution: ExecutionSummary, filesDir: string): ReceivedMessage[] {
	const items = execution.data?.resultData.runData['Werk24 Trigger']?.[0]?.data?.main?.[0] ?? [];
	return items.map(({ json, binary }) => {
		const payload = (json.payload ?? {}) as Record<string, unknown>;
		const file = binary?.file;
		const fileName = file?.fileName;
		// Named as the "Save result file" and "Result as JSON" nodes name them.
		const base = `${String(json.request_id)}-${String(json.message_subtype).toLowerCase()}-page-${Number(json.page_number) + 1}`;
		const saved = path.join(filesDir, 'results', file ? `${base}.${file.fileExtension || 'bin'}` : `${base}.json`);
		return {
			executionId: execution.id,
			status: execution.status,
			request_id: String(json.request_id),
			message_type: String(json.message_type),
			message_subtype: String(json.message_subtype),
			page_number: Number(json.page_number),
			ok: json.ok === true,
			drawing_number: json.drawing_number as string | undefined,
			material: json.material as string | undefined,
			features: json.message_subtype === 'FEATURES' ? countFeatures(payload) : undefined,
			fileName,
			savedFile: fs.existsSync(saved) ? saved : undefined,
		};
	});
}

function countFeatures(payload: Record<string, unknown>): number {
	return Object.values(payload).reduce<number>((count, value) => count + (Array.isArray(value) ? value.length : 0), 0);
}

/**
 * Waits until the receiving workflow has processed COMPLETED (or an ERROR) for the request and no execution of
 * it is still running, then returns the messages.
 */
export async function waitForCompleted(
	n8n: N8nInstance,
	sandbox: Sandbox,
	requestId: string,
	timeoutMs = 120_000,
): Promise<ReceivedMessage[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const messages = await receivedMessages(n8n, requestId);
		const ended = messages.some(
			(message) => message.message_type === 'ERROR' || (message.message_type === 'PROGRESS' && message.message_subtype === 'COMPLETED'),
		);
		if (ended) {
			await sandbox.idle();
			const running = (await n8n.executions(DEMO_WORKFLOWS.receive)).filter((execution) =>
				['running', 'new', 'waiting'].includes(execution.status),
			);
			if (running.length === 0) return await receivedMessages(n8n, requestId);
		}
		if (Date.now() > deadline) {
			throw new Error(
				`No COMPLETED for request ${requestId} within ${timeoutMs / 1000} s; received: ` +
					(messages.map((message) => `${message.message_type}/${message.message_subtype}`).join(', ') || 'nothing'),
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

/** A short plain-text table: one line per message. */
export function formatTable(messages: ReceivedMessage[]): string {
	const rows = messages.map((message) => [
		message.request_id.slice(0, 8),
		message.message_type === 'ASK' ? message.message_subtype : `${message.message_type} ${message.message_subtype}`,
		message.message_type === 'ASK' ? String(message.page_number + 1) : '',
		message.ok ? 'ok' : 'FAILED',
		describe(message),
	]);
	const header = ['request', 'message', 'page', 'status', 'what arrived'];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
	return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function describe(message: ReceivedMessage): string {
	if (message.message_subtype === 'META_DATA') {
		return `drawing number ${message.drawing_number ?? '?'}, material ${message.material ?? '?'}`;
	}
	if (message.message_subtype === 'FEATURES') return `${message.features ?? 0} features`;
	if (message.fileName) {
		return message.savedFile ? `saved ${path.join('results', path.basename(message.savedFile))}` : `${message.fileName} (not saved)`;
	}
	return '';
}
