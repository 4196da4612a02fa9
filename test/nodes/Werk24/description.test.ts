/**
 * Contract test: parameter names, types and defaults are what saved workflows store. A rename or a
 * changed default must fail here loudly, and be a deliberate new node version.
 */
import { Expression, NodeHelpers, type INode, type INodeCredentialDescription, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { CLIENT_VERSION } from '../../../core';
import { Werk24 } from '../../../nodes/Werk24/Werk24.node';
import { Werk24Trigger } from '../../../nodes/Werk24Trigger/Werk24Trigger.node';
import { createExecuteContext, fullResponse, withDefaults } from '../../helpers/executeContext';

const description = new Werk24().description;

function visibleParameters(parameters: INodeParameters): Array<{ name: string; type: string; default: unknown }> {
	const node = { parameters } as INode;
	const values = withDefaults(parameters, node);
	return description.properties
		.filter((p) => NodeHelpers.displayParameter(values, p, node, description))
		.map((p) => ({ name: p.name, type: p.type, default: p.default }));
}

function optionNames(parameters: INodeParameters, collection: string) {
	const values = withDefaults(parameters, { parameters } as INode);
	const property = description.properties.find(
		(p) => p.name === collection && NodeHelpers.displayParameter(values, p, { parameters } as INode, description),
	);
	return ((property?.options ?? []) as INodeProperties[]).map((o) => ({ name: o.name, default: o.default }));
}

function shownCredentials(parameters: INodeParameters): string[] {
	const node = { parameters } as INode;
	const values = withDefaults(parameters, node);
	return (description.credentials ?? [])
		.filter((c: INodeCredentialDescription) => NodeHelpers.displayParameter(values, c, node, description))
		.map((c) => c.name);
}

describe('Werk24 node description (contract)', () => {
	it('identity: name, version, subtitle, icons, usable as tool', () => {
		expect(description).toMatchObject({
			displayName: 'Werk24',
			name: 'werk24',
			version: 1,
			usableAsTool: true,
			subtitle: expect.stringMatching(/^=\{\{ .* \}\}$/),
			icon: { light: 'file:werk24.svg', dark: 'file:werk24.dark.svg' },
		});
	});

	it('resources and operations, with the product wording', () => {
		const resource = description.properties.find((p) => p.name === 'resource')!;
		expect(resource).toMatchObject({ noDataExpression: true, default: 'drawing' });
		expect(resource.options!.map((o) => ('value' in o ? o.value : ''))).toEqual(['drawing', 'encryption', 'result', 'service']);

		const operations = description.properties.filter((p) => p.name === 'operation');
		const table = operations.flatMap((p) =>
			(p.options as Array<{ name: string; value: string; action: string; description: string }>).map((o) => ({
				resource: p.displayOptions!.show!.resource![0],
				name: o.name,
				value: o.value,
				action: o.action,
				default: p.default,
				noDataExpression: p.noDataExpression,
			})),
		);
		expect(table).toEqual([
			{ resource: 'drawing', name: 'Submit', value: 'readWithCallback', action: 'Submit a drawing (results via callback)', default: 'readWithCallback', noDataExpression: true },
			{ resource: 'drawing', name: 'Read and Wait', value: 'read', action: 'Read a drawing and wait for results', default: 'readWithCallback', noDataExpression: true },
			{ resource: 'service', name: 'Get Status', value: 'getStatus', action: 'Get the service status', default: 'getStatus', noDataExpression: true },
			{ resource: 'result', name: 'Download File', value: 'downloadFile', action: 'Download a result file', default: 'downloadFile', noDataExpression: true },
			{ resource: 'encryption', name: 'Generate Key Pair', value: 'generateKeyPair', action: 'Generate a key pair', default: 'generateKeyPair', noDataExpression: true },
		]);
		const submit = (operations[0].options as Array<{ description: string }>)[0];
		expect(submit.description).toBe('Upload a drawing; each result is posted to your Werk24 Trigger');
	});

	it('Submit parameters', () => {
		expect(visibleParameters({ resource: 'drawing', operation: 'readWithCallback' })).toEqual([
			{ name: 'resource', type: 'options', default: 'drawing' },
			{ name: 'operation', type: 'options', default: 'readWithCallback' },
			{ name: 'binaryPropertyName', type: 'string', default: 'data' },
			{ name: 'asks', type: 'multiOptions', default: ['META_DATA'] },
			{ name: 'callbackUrl', type: 'string', default: '' },
			// The Trigger's Authentication defaults to the same credential, so both defaults agree.
			{ name: 'callbackSecurity', type: 'options', default: 'werk24CallbackApi' },
			{ name: 'options', type: 'collection', default: {} },
		]);
		expect(optionNames({ resource: 'drawing', operation: 'readWithCallback' }, 'options')).toEqual([
			{ name: 'additionalAsks', default: '[]' },
			{ name: 'fileName', default: '' },
			{ name: 'maxPages', default: 5 },
			{ name: 'priority', default: '' },
			{ name: 'clientVersion', default: CLIENT_VERSION },
			{ name: 'concurrency', default: 4 },
			{ name: 'callbackHeaders', default: {} },
		]);
		expect(CLIENT_VERSION).toMatch(/^\d+\.\d+\.\d+.*-n8n$/);
	});

	it('Read and Wait parameters', () => {
		expect(visibleParameters({ resource: 'drawing', operation: 'read' })).toEqual([
			{ name: 'resource', type: 'options', default: 'drawing' },
			{ name: 'operation', type: 'options', default: 'readWithCallback' },
			{ name: 'readNotice', type: 'notice', default: '' },
			{ name: 'binaryPropertyName', type: 'string', default: 'data' },
			{ name: 'asks', type: 'multiOptions', default: ['META_DATA'] },
			{ name: 'resultEncryption', type: 'options', default: 'none' },
			{ name: 'options', type: 'collection', default: {} },
		]);
		expect(optionNames({ resource: 'drawing', operation: 'read' }, 'options')).toEqual([
			{ name: 'additionalAsks', default: '[]' },
			{ name: 'fileName', default: '' },
			{ name: 'maxPages', default: 5 },
			{ name: 'priority', default: '' },
			{ name: 'clientVersion', default: CLIENT_VERSION },
			{ name: 'concurrency', default: 2 },
			{ name: 'downloadFiles', default: false },
			{ name: 'output', default: 'drawing' },
			{ name: 'timeoutMinutes', default: 10 },
		]);
	});

	it('the nine v2 asks, and ask options appear only for their ask', () => {
		const asks = description.properties.find((p) => p.name === 'asks')!;
		expect((asks.options as Array<{ value: string }>).map((o) => o.value).sort()).toEqual(
			['BALLOONS', 'CUSTOM', 'FEATURES', 'INSIGHTS', 'META_DATA', 'REDACTION', 'REFERENCE_POSITIONS', 'SHEET_IMAGES', 'VIEW_IMAGES'].sort(),
		);
		const base = { resource: 'drawing', operation: 'readWithCallback' };
		const names = (asksValue: string[]) => visibleParameters({ ...base, asks: asksValue }).map((p) => p.name);
		expect(names(['META_DATA'])).not.toContain('redactionOptions');
		expect(names(['META_DATA', 'REDACTION'])).toContain('redactionOptions');
		expect(names(['CUSTOM'])).toEqual(expect.arrayContaining(['customId', 'customOptions']));
		expect(optionNames({ ...base, asks: ['REDACTION'] }, 'redactionOptions')).toEqual([
			{ name: 'fillColor', default: '#ffffff' },
			{ name: 'redactKeywords', default: '' },
			{ name: 'outputFormat', default: 'PDF' },
			{ name: 'redactCompanyData', default: true },
			{ name: 'redactLogos', default: true },
			{ name: 'redactPersonalData', default: true },
		]);
		expect(optionNames({ ...base, asks: ['CUSTOM'] }, 'customOptions')).toEqual([
			{ name: 'config', default: '{}' },
			{ name: 'postprocessorSlot', default: '' },
		]);
	});

	it('Download File, Get Status and Generate Key Pair parameters', () => {
		expect(visibleParameters({ resource: 'result', operation: 'downloadFile' }).slice(2)).toEqual([
			{ name: 'url', type: 'string', default: '={{ $json.payload_url }}' },
			{ name: 'outputBinaryField', type: 'string', default: 'file' },
			{ name: 'decrypt', type: 'options', default: 'auto' },
		]);
		expect(visibleParameters({ resource: 'service', operation: 'getStatus' }).slice(2)).toEqual([]);
		expect(visibleParameters({ resource: 'encryption', operation: 'generateKeyPair' }).slice(2)).toEqual([
			{ name: 'privateKeyNotice', type: 'notice', default: '' },
			{ name: 'passphrase', type: 'string', default: '' },
		]);
	});

	// Regression: the subtitle read "readWithCallback: drawing" instead of the operation's name.
	it.each([
		['readWithCallback', 'Submit'],
		['read', 'Read and Wait'],
		['getStatus', 'Get Status'],
		['downloadFile', 'Download File'],
		['generateKeyPair', 'Generate Key Pair'],
		['fromANewerVersion', 'fromANewerVersion'],
	])('the subtitle for operation %s reads "%s" in n8n\'s expression engine', (operation, shown) => {
		const expression = String(description.subtitle).replace(/^=/, '');
		expect(Expression.resolveWithoutWorkflow(expression, { $parameter: { operation } })).toBe(shown);
	});

	it('Submit and the Werk24 Trigger agree by default: both use the Werk24 Callback Security credential', () => {
		const submitDefault = description.properties.find((p) => p.name === 'callbackSecurity')?.default;
		const triggerDefault = new Werk24Trigger().description.properties.find((p) => p.name === 'authentication')?.default;
		expect(submitDefault).toBe('werk24CallbackApi');
		expect(triggerDefault).toBe(submitDefault);
	});

	it('shows each credential exactly where it is used', () => {
		const submit = { resource: 'drawing', operation: 'readWithCallback' };
		expect(shownCredentials(submit)).toEqual(['werk24Api', 'werk24CallbackApi']);
		expect(shownCredentials({ ...submit, callbackSecurity: 'none' })).toEqual(['werk24Api']);
		expect(shownCredentials({ resource: 'result', operation: 'downloadFile' })).toEqual(['werk24Api', 'werk24CallbackApi']);
		expect(shownCredentials({ resource: 'result', operation: 'downloadFile', decrypt: 'no' })).toEqual(['werk24Api']);
		expect(shownCredentials({ resource: 'drawing', operation: 'read' })).toEqual(['werk24Api']);
		expect(shownCredentials({ resource: 'drawing', operation: 'read', resultEncryption: 'werk24CallbackApi' })).toEqual(['werk24Api', 'werk24CallbackApi']);
		expect(shownCredentials({ resource: 'service', operation: 'getStatus' })).toEqual(['werk24Api']);
		expect(shownCredentials({ resource: 'encryption', operation: 'generateKeyPair' })).toEqual([]);
	});

	it('every parameter has a default; booleans are described with "Whether"', () => {
		const walk = (properties: INodeProperties[]): INodeProperties[] =>
			properties.flatMap((p) => [p, ...(p.type === 'collection' ? walk((p.options ?? []) as INodeProperties[]) : [])]);
		for (const property of walk(description.properties)) {
			expect(property).toHaveProperty('default');
			if (property.type === 'boolean') expect(property.description).toMatch(/^Whether /);
		}
	});

	it('the class execute() runs the router (what the test context calls)', async () => {
		const run = createExecuteContext({
			parameters: { resource: 'service', operation: 'getStatus' },
			credentials: { werk24Api: { token: 't', apiUrl: 'https://api.w24.co' } },
			httpRequestWithAuthentication: async () => fullResponse(200, { status_indicator: 'ok' }),
		});
		expect(await new Werk24().execute.call(run.context)).toEqual(await run.run());
	});
});
