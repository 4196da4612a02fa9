/**
 * The example workflows of examples/ in a real n8n with the packed package installed: imported as a user
 * imports them (credentials matched by name), every node type and parameter known to n8n, publishable, and
 * the two that need no mailbox run end to end: a documented META_DATA callback becomes a data-table row,
 * and a drawing uploaded through the redaction form comes back redacted from the local sandbox.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INodeTypeDescription } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox/server';
import type { CredentialJson, ExecutionSummary, N8nInstance, WorkflowJson } from '../../scripts/n8nInstance';
import { loadDrawing } from '../fixtures/drawings';
import { loadExample } from '../fixtures/examples';
import { checkNodeParameters, type WorkflowNode } from '../helpers/nodeParameters';
import { nodeOutput, useN8n } from './harness';

const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
const SECRET = 'examples-e2e-callback-secret-0001';
const HEADER = 'X-Werk24-Token';

const EXAMPLES = {
	email: { file: 'submit-from-email-attachment.json', id: 'exampleEmailSubmit' },
	table: { file: 'receive-and-append-to-data-table.json', id: 'exampleTableAppend' },
	redaction: { file: 'redaction-round-trip.json', id: 'exampleRedaction' },
} as const;
type ExampleKey = keyof typeof EXAMPLES;

interface ExampleNode extends WorkflowNode {
	id: string;
}
interface Example {
	id: string;
	name: string;
	nodes: ExampleNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

function readExample(key: ExampleKey): Example {
	const { file, id } = EXAMPLES[key];
	return { ...(JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as Omit<Example, 'id'>), id };
}
const examples = (Object.keys(EXAMPLES) as ExampleKey[]).map((key) => [key, readExample(key)] as const);
const byName = (example: Example, name: string): ExampleNode => {
	const found = example.nodes.find((node) => node.name === name);
	if (!found) throw new Error(`${example.name} has no node "${name}"`);
	return found;
};

/** The credentials the examples name, as a user would have created them. */
function credentials(sandbox: Sandbox, closedPort: number): CredentialJson[] {
	return [
		{ id: 'exampleW24Api', name: 'Werk24 API', type: 'werk24Api', data: { token: sandbox.token, apiUrl: sandbox.url, streamingUrl: sandbox.streamingUrl } },
		{ id: 'exampleW24Callback', name: 'Werk24 Callback Security', type: 'werk24CallbackApi', data: { headerName: HEADER, secret: SECRET } },
		{
			id: 'exampleImap',
			name: 'IMAP account',
			type: 'imap',
			data: { user: 'drawings@example.com', password: 'not-used', host: '127.0.0.1', port: closedPort, secure: false },
		},
	];
}

type Api = <T>(method: string, apiPath: string, body?: unknown) => Promise<T>;

/**
 * Logs in as the owner: the cookie reads /types/nodes.json (n8n 2.x serves it to signed-in users only), and an
 * API key of our own may also edit workflows and data tables (the harness's key only reads and publishes).
 */
async function signIn(instance: N8nInstance): Promise<{ api: Api; nodeTypes: () => Promise<INodeTypeDescription[]> }> {
	const browserId = randomUUID();
	const rest = async (restPath: string, body: unknown, cookie = ''): Promise<Response> => {
		const response = await fetch(`${instance.baseUrl}/rest${restPath}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'browser-id': browserId, ...(cookie ? { cookie } : {}) },
			body: JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`n8n ${restPath} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
		return response;
	};
	const login = await rest('/login', { emailOrLdapLoginId: instance.owner.email, password: instance.owner.password });
	const cookie = login.headers
		.getSetCookie()
		.map((entry) => entry.split(';')[0])
		.join('; ');
	const scopes = ['workflow:read', 'workflow:update', 'workflow:activate', 'workflow:deactivate', 'dataTable:create', 'dataTable:list', 'dataTableRow:read'];
	const created = await rest('/api-keys', { label: 'examples-e2e', expiresAt: null, scopes }, cookie);
	const apiKey = ((await created.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
	const api: Api = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${instance.baseUrl}/api/v1${apiPath}`, {
			method,
			headers: { 'X-N8N-API-KEY': apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`n8n API ${method} ${apiPath} answered ${response.status}: ${text.slice(0, 500)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	};
	const nodeTypes = async (): Promise<INodeTypeDescription[]> => {
		const response = await fetch(`${instance.baseUrl}/types/nodes.json`, { headers: { cookie, 'browser-id': browserId } });
		if (!response.ok) throw new Error(`n8n /types/nodes.json answered ${response.status}`);
		return (await response.json()) as INodeTypeDescription[];
	};
	return { api, nodeTypes };
}

/** A production webhook registers a moment after its workflow is published: retry a 404 briefly. */
async function postWhenListening(url: string, init: () => RequestInit): Promise<Response> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const response = await fetch(url, { method: 'POST', ...init() });
		if (response.status !== 404 || Date.now() > deadline) return response;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** The workflow as n8n stored it (credential references resolved to ids), to edit and PUT back. */
async function stored(api: Api, id: string): Promise<Example> {
	return { ...(await api<Omit<Example, 'id'>>('GET', `/workflows/${id}`)), id };
}

async function update(api: Api, workflow: Example): Promise<void> {
	const { name, nodes, connections, settings } = workflow;
	await api('PUT', `/workflows/${workflow.id}`, { name, nodes, connections, settings: settings ?? {} });
}

/** What n8n answers when publishing fails its own validation (unknown type, missing credential, parameter issues). */
const VALIDATION_FAILURE = /configuration issues|Node type not found|Missing or invalid required parameters|Credential not configured|Missing required credential/i;

describe('example workflows in a real n8n', () => {
	let sandbox: Sandbox | undefined;
	const n8n = useN8n(async () => {
		sandbox = await startSandbox({ callbackLatencyMs: 0 });
		// A port nothing listens on: the IMAP trigger's connection must fail fast and visibly.
		const closedPort = 9;
		return { credentials: credentials(sandbox, closedPort), workflows: examples.map(([, example]) => example as unknown as WorkflowJson) };
	});
	afterAll(async () => {
		await sandbox?.close();
	});

	let api: Api;
	let nodeTypes: INodeTypeDescription[] = [];
	beforeAll(async () => {
		const session = await signIn(n8n());
		api = session.api;
		nodeTypes = await session.nodeTypes();
	});
	const describeType = (node: WorkflowNode): INodeTypeDescription | undefined =>
		nodeTypes.find(
			(type) =>
				type.name === node.type &&
				(Array.isArray(type.version) ? type.version.includes(node.typeVersion) : type.version === node.typeVersion),
		);

	it.each(examples)('%s: every node type and version is one n8n loaded', (_key, example) => {
		const unknown = example.nodes.filter((node) => describeType(node) === undefined).map((node) => `${node.type}@${node.typeVersion}`);
		expect(unknown).toEqual([]);
	});

	it.each(examples)('%s: every parameter exists in the description n8n loaded and n8n reports no parameter issue', (_key, example) => {
		const findings = example.nodes.flatMap((node) => {
			const type = describeType(node);
			return type ? checkNodeParameters(type, node) : [];
		});
		expect(findings).toEqual([]);
	});

	it.each(examples)('%s: imports unchanged, with the credentials matched by name', async (_key, example) => {
		const stored = await api<{ nodes: ExampleNode[] }>('GET', `/workflows/${example.id}`);
		const ids: Record<string, string> = { 'Werk24 API': 'exampleW24Api', 'Werk24 Callback Security': 'exampleW24Callback', 'IMAP account': 'exampleImap' };
		for (const node of example.nodes) {
			const saved = stored.nodes.find((candidate) => candidate.name === node.name);
			expect(saved).toMatchObject({ type: node.type, typeVersion: node.typeVersion, parameters: node.parameters });
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				const name = typeof reference === 'string' ? reference : reference.name;
				expect(saved?.credentials?.[type]).toEqual({ id: ids[name], name });
			}
		}
	});

	it('the data-table example publishes and turns a documented META_DATA callback into a table row', async () => {
		const example = readExample('table');
		const columns = ['request_id', 'file_page', 'drawing_number', 'part_number', 'designation', 'material', 'material_standard', 'weight', 'weight_unit', 'general_tolerances', 'problems'];
		await api('POST', '/data-tables', {
			name: 'Werk24 drawings',
			columns: [...columns.map((name) => ({ name, type: 'string' })), { name: 'ok', type: 'boolean' }],
		});
		await api('POST', `/workflows/${example.id}/activate`);

		const trigger = byName(example, 'Werk24 Trigger');
		const sequence = loadExample<Array<Record<string, unknown>>>('02-callback-sequence-metadata-sheetimages-features.json');
		const send = (message: unknown, secret: string) =>
			postWhenListening(n8n().webhookUrl(String(trigger.webhookId), 'callback'), () => ({
				headers: { 'Content-Type': 'application/json', [HEADER]: secret },
				body: JSON.stringify(message),
			}));
		expect((await send(sequence[1], 'a-wrong-secret-of-some-length')).status).toBe(401);
		for (const message of sequence) expect((await send(message, SECRET)).status).toBe(200);

		// Only the META_DATA message passes the trigger's filters: one execution, one row.
		const [execution] = await n8n().waitForExecutions(example.id, 1);
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution, 'Title Block Fields')).toEqual([
			expect.objectContaining({ drawing_number: 'W24-4711-A', part_number: '100-2233', material: 'X2CrNiMo17-12-2', weight: '0.42', ok: true }),
		]);
		const tables = await api<{ data: Array<{ id: string; name: string }> }>('GET', '/data-tables');
		const table = tables.data.find((candidate) => candidate.name === 'Werk24 drawings');
		const rows = await api<{ data: Array<Record<string, unknown>> }>('GET', `/data-tables/${table?.id}/rows`);
		expect(rows.data).toEqual([
			expect.objectContaining({
				request_id: '3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d',
				drawing_number: 'W24-4711-A',
				designation: 'FLANGE',
				material_standard: 'EN 10088-3',
				general_tolerances: 'ISO 2768 m',
				file_page: '1',
				problems: '',
				ok: true,
			}),
		]);
	});

	it('the redaction example, with its Production URL pasted in, brings a form upload back redacted from the sandbox', async () => {
		const instance = n8n();
		const example = await stored(api, EXAMPLES.redaction.id);
		const trigger = byName(example, 'Werk24 Trigger');
		const submit = byName(example, 'Submit for Redaction');
		const save = byName(example, 'Save Redacted Drawing');
		// The set-up steps of the example's note: paste the trigger's Production URL; and for the local sandbox,
		// let the trigger download from the sandbox's host and save into this instance's files folder.
		submit.parameters.callbackUrl = instance.webhookUrl(String(trigger.webhookId), 'callback');
		trigger.credentials = { ...trigger.credentials, werk24Api: { id: 'exampleW24Api', name: 'Werk24 API' } };
		save.parameters.fileName = String(save.parameters.fileName).replace('/home/node/.n8n-files', instance.filesDir);
		await update(api, example);
		await api('POST', `/workflows/${example.id}/activate`);

		const formUrl = `${instance.baseUrl}/form/${String(byName(example, 'Upload Drawing').webhookId)}`;
		const upload = await postWhenListening(formUrl, () => {
			const form = new FormData();
			form.append('field-0', new Blob([new Uint8Array(loadDrawing('pdf'))], { type: 'application/pdf' }), 'flange.pdf');
			return { body: form };
		});
		expect(upload.status).toBe(200);

		// The form run submits; the trigger run receives the REDACTION message and saves the file.
		const executions = await instance.waitForExecutions(example.id, 2, { timeoutMs: 120_000 });
		const outcome = (execution: ExecutionSummary) => {
			const error = execution.data?.resultData.error;
			return error ? `${execution.status}: ${error.node?.name ?? ''} ${error.message ?? ''} ${error.description ?? ''}` : execution.status;
		};
		expect(executions.map(outcome)).toEqual(['success', 'success']);
		const submitted = executions.flatMap((execution) => nodeOutput(execution, 'Submit for Redaction'));
		expect(submitted).toEqual([expect.objectContaining({ request_id: expect.any(String), asks: ['REDACTION'], file_name: 'flange.pdf' })]);
		const requestId = String(submitted[0].request_id);
		const saved = path.join(instance.filesDir, `redacted-${requestId}.pdf`);
		expect(fs.existsSync(saved)).toBe(true);
		expect(fs.readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-');
	});

	it('the email example passes n8n\'s publish check, which does refuse it once "Callback URL" is emptied', async () => {
		const id = EXAMPLES.email.id;
		// Publishing validates node types, credentials and parameters before the IMAP trigger starts (its
		// mailbox here is unreachable, which n8n only logs and retries).
		let failure = '';
		try {
			await api('POST', `/workflows/${id}/activate`);
		} catch (error) {
			failure = error instanceof Error ? error.message : String(error);
		}
		expect(failure).not.toMatch(VALIDATION_FAILURE);
		if (!failure) await api('POST', `/workflows/${id}/deactivate`);

		const broken = await stored(api, id);
		byName(broken, 'Submit Drawing').parameters.callbackUrl = '';
		await update(api, broken);
		await expect(api('POST', `/workflows/${id}/activate`)).rejects.toThrow(/configuration issues[\s\S]*Submit Drawing[\s\S]*callbackUrl/);
	});
});
