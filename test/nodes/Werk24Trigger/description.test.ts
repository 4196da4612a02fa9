import { NodeConnectionTypes, type INodeProperties } from 'n8n-workflow';
import { ASK_TYPES } from '../../../core';
import { Werk24Trigger } from '../../../nodes/Werk24Trigger/Werk24Trigger.node';

const { description } = new Werk24Trigger();
const byName = (name: string): INodeProperties => {
	const found = description.properties.find((p) => p.name === name);
	if (!found) throw new Error(`no parameter ${name}`);
	return found;
};

// Saved workflows store these names and values: renaming one must fail here, loudly.
describe('Werk24 Trigger description contract', () => {
	it('identity', () => {
		expect(description).toMatchObject({
			name: 'werk24Trigger',
			displayName: 'Werk24 Trigger',
			group: ['trigger'],
			version: 1,
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			icon: { light: 'file:werk24Trigger.svg', dark: 'file:werk24Trigger.dark.svg' },
		});
		expect(description.subtitle).toEqual(expect.any(String));
		expect(description.usableAsTool).toBeUndefined();
	});

	it('one POST webhook answering on receipt with our own response', () => {
		expect(description.webhooks).toEqual([
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'callback' },
		]);
	});

	it('credentials: callback security required when selected, Werk24 API optional', () => {
		expect(description.credentials).toEqual([
			{ name: 'werk24CallbackApi', required: true, displayOptions: { show: { authentication: ['werk24CallbackApi'] } } },
			{ name: 'werk24Api', required: false },
		]);
	});

	it('parameters in order, with their defaults', () => {
		expect(description.properties.map((p) => [p.name, p.type, p.default])).toEqual([
			['callbackUrlNotice', 'notice', ''],
			['authentication', 'options', 'werk24CallbackApi'],
			['noAuthenticationNotice', 'notice', ''],
			['messageTypes', 'multiOptions', ['ASK', 'PROGRESS', 'ERROR']],
			['askTypes', 'multiOptions', [...ASK_TYPES]],
			['options', 'collection', {}],
		]);
		expect(description.properties[0].displayName).toMatch(/Production URL.*Callback URL.*publish/);
	});

	it('authentication options and the warning shown for None', () => {
		expect(byName('authentication').options).toEqual([
			{ name: 'Werk24 Callback Security', value: 'werk24CallbackApi' },
			{ name: 'None', value: 'none' },
		]);
		expect(byName('noAuthenticationNotice').displayOptions).toEqual({ show: { authentication: ['none'] } });
	});

	it('message and ask type options cover the protocol', () => {
		const values = (name: string) => (byName(name).options as Array<{ value: string }>).map((o) => o.value).sort();
		expect(values('messageTypes')).toEqual(['ASK', 'ERROR', 'PROGRESS']);
		expect(values('askTypes')).toEqual([...ASK_TYPES].sort());
	});

	it('options collection', () => {
		const options = byName('options').options as INodeProperties[];
		expect(options.map((o) => [o.name, o.type, o.default])).toEqual([
			['allowedDownloadHosts', 'string', ''],
			['downloadFiles', 'boolean', false],
			['output', 'options', 'simplified'],
		]);
		expect((options[2].options as Array<{ value: string }>).map((o) => o.value)).toEqual(['simplified', 'raw']);
	});

	it('lifecycle methods exist', () => {
		const trigger = new Werk24Trigger();
		expect(Object.keys(trigger.webhookMethods.default).sort()).toEqual(['checkExists', 'create', 'delete']);
	});
});
