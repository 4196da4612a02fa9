/**
 * The example workflows in examples/ against the node descriptions, without n8n: every parameter a Werk24
 * node uses exists for its resource and operation, every option value is valid, required parameters are
 * set, credentials are referenced by name only, and each Callback URL points at a Werk24 Trigger of the
 * examples that accepts what was asked for. The e2e suite imports the same files into a real n8n.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INodeTypeDescription } from 'n8n-workflow';

import { Werk24 } from '../../nodes/Werk24/Werk24.node';
import { Werk24Trigger } from '../../nodes/Werk24Trigger/Werk24Trigger.node';
import { checkNodeParameters, type WorkflowNode } from '../helpers/nodeParameters';

const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
const PACKAGE_NAME = 'n8n-nodes-werk24';

interface ExampleWorkflow {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }> | null> }>;
}

const descriptions: Record<string, INodeTypeDescription> = {
	[`${PACKAGE_NAME}.werk24`]: new Werk24().description,
	[`${PACKAGE_NAME}.werk24Trigger`]: new Werk24Trigger().description,
};

const files = fs.readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();
const examples: Array<[string, ExampleWorkflow]> = files.map((file) => [
	file,
	JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow,
]);
const ours = (example: ExampleWorkflow) => example.nodes.filter((node) => node.type.startsWith(`${PACKAGE_NAME}.`));
const triggers = examples.flatMap(([, example]) => example.nodes.filter((node) => node.type === `${PACKAGE_NAME}.werk24Trigger`));
const webhookPath = String(descriptions[`${PACKAGE_NAME}.werk24Trigger`].webhooks?.[0].path);

describe('example workflows', () => {
	it('ship the three documented examples', () => {
		expect(files).toEqual(
			expect.arrayContaining([
				'submit-from-email-attachment.json',
				'receive-and-append-to-data-table.json',
				'redaction-round-trip.json',
			]),
		);
	});

	describe.each(examples)('%s', (_file, example) => {
		it('is a workflow n8n can import: named, unique node names and ids, connections between existing nodes', () => {
			expect(typeof example.name).toBe('string');
			const names = example.nodes.map((node) => node.name);
			const ids = example.nodes.map((node) => node.id);
			expect(new Set(names).size).toBe(names.length);
			expect(new Set(ids).size).toBe(ids.length);
			for (const node of example.nodes) {
				expect(node).toEqual(
					expect.objectContaining({ id: expect.any(String), type: expect.any(String), typeVersion: expect.any(Number) }),
				);
				expect(node.position).toHaveLength(2);
			}
			for (const [source, outputs] of Object.entries(example.connections)) {
				expect(names).toContain(source);
				for (const target of outputs.main.flat()) expect(names).toContain(target?.node);
			}
		});

		it('uses at least one Werk24 node, each connected', () => {
			expect(ours(example).length).toBeGreaterThan(0);
			const connected = new Set([
				...Object.keys(example.connections),
				...Object.values(example.connections).flatMap((outputs) => outputs.main.flat().map((target) => target?.node)),
			]);
			for (const node of ours(example)) expect(connected).toContain(node.name);
		});

		it('sets only parameters the Werk24 node descriptions define, with valid values', () => {
			const findings = ours(example).flatMap((node) => checkNodeParameters(descriptions[node.type], node));
			expect(findings).toEqual([]);
		});

		it('references credentials by name only, never with an id or data', () => {
			for (const node of example.nodes) {
				for (const reference of Object.values(node.credentials ?? {})) {
					expect(reference).toEqual({ id: null, name: expect.any(String) });
				}
			}
			const text = JSON.stringify(example);
			expect(text).not.toMatch(/BEGIN [A-Z ]*KEY/);
			expect(text).not.toMatch(/"(token|secret|password|privateKey|passphrase)"\s*:/);
		});

		it('gives each webhook node a fixed webhookId, so its Production URL is known before import', () => {
			for (const node of example.nodes.filter((candidate) => /trigger/i.test(candidate.type) && !/imap/i.test(candidate.type))) {
				expect(node.webhookId).toMatch(/^[0-9a-f-]{36}$/);
			}
		});

		it('sends every callback to a Werk24 Trigger of the examples that lets the asked results through', () => {
			const submits = ours(example).filter((node) => node.type === `${PACKAGE_NAME}.werk24`);
			for (const submit of submits.filter((node) => node.parameters.operation === 'readWithCallback')) {
				const url = new URL(String(submit.parameters.callbackUrl));
				const [, prefix, webhookId, routePath] = url.pathname.split('/');
				expect([prefix, routePath]).toEqual(['webhook', webhookPath]);
				const trigger = triggers.find((candidate) => candidate.webhookId === webhookId);
				expect(trigger).toBeDefined();
				const accepts = (name: 'messageTypes' | 'askTypes', value: string) => {
					const list = trigger?.parameters[name];
					return list === undefined || (Array.isArray(list) && (list as unknown[]).includes(value));
				};
				expect(accepts('messageTypes', 'ASK')).toBe(true);
				// Every result of a callback URL reaches that one Trigger, so an ask it filters out is paid for and lost
				// (regression: the email example asked Features, which its receiver dropped).
				const asks = submit.parameters.asks as string[];
				expect(asks.filter((ask) => !accepts('askTypes', ask))).toEqual([]);
			}
		});

		it('uses the same Werk24 Callback Security credential on both ends', () => {
			for (const submit of ours(example).filter((node) => node.parameters.callbackSecurity === 'werk24CallbackApi')) {
				const webhookId = new URL(String(submit.parameters.callbackUrl)).pathname.split('/')[2];
				const trigger = triggers.find((candidate) => candidate.webhookId === webhookId);
				expect(trigger?.parameters.authentication ?? 'werk24CallbackApi').toBe('werk24CallbackApi');
				expect(trigger?.credentials?.werk24CallbackApi).toEqual(submit.credentials?.werk24CallbackApi);
			}
		});
	});
});

describe('the parameter check itself', () => {
	const submit: WorkflowNode = {
		name: 'Submit',
		type: `${PACKAGE_NAME}.werk24`,
		typeVersion: 1,
		parameters: {
			resource: 'drawing',
			operation: 'readWithCallback',
			binaryPropertyName: 'data',
			asks: ['META_DATA'],
			callbackUrl: 'https://n8n.example.com/webhook/x/callback',
		},
	};
	const check = (parameters: WorkflowNode['parameters']) =>
		checkNodeParameters(descriptions[submit.type], { ...submit, parameters: { ...submit.parameters, ...parameters } }).map(
			(finding) => `${finding.path}: ${finding.reason}`,
		);

	it('accepts a minimal Submit node', () => {
		expect(check({})).toEqual([]);
	});

	it('reports a misspelt parameter, a wrong option value and a parameter of another operation', () => {
		expect(check({ binaryProperty: 'data' })).toEqual([expect.stringMatching(/^binaryProperty: unknown parameter/)]);
		expect(check({ asks: ['META_DATA', 'TITLE_BLOCKS'] })).toEqual([expect.stringMatching(/^asks: "TITLE_BLOCKS" is not one of/)]);
		expect(check({ callbackSecurity: 'hmac' })).toEqual([expect.stringMatching(/^callbackSecurity: "hmac" is not one of/)]);
		expect(check({ customId: 'x' })).toEqual([expect.stringMatching(/^customId: parameter is not shown/)]);
	});

	it('reports unknown options and a missing required parameter as n8n does', () => {
		expect(check({ options: { maxPage: 2 } })).toEqual([expect.stringMatching(/^options\.maxPage: unknown parameter/)]);
		expect(check({ callbackUrl: '' })).toEqual([expect.stringMatching(/^callbackUrl: n8n reports: Parameter "Callback URL" is required/)]);
	});

	it('accepts expressions for any parameter type', () => {
		expect(check({ options: { maxPages: '={{ $json.pages }}' } })).toEqual([]);
	});
});
