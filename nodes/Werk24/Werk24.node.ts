import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { OPERATION_SUBTITLE, properties } from './description';
import { werk24ApiTest, werk24CallbackApiTest } from './methods/credentialTest';
import { router } from './router';

export class Werk24 implements INodeType {
	// Parameters live in description.ts; the fields n8n's lint and loader read stay inline here.
	description: INodeTypeDescription = {
		displayName: 'Werk24',
		name: 'werk24',
		group: ['transform'],
		version: 1,
		description: 'Read technical drawings with Werk24: title block, dimensions, tolerances, materials',
		defaults: { name: 'Werk24' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		icon: { light: 'file:werk24.svg', dark: 'file:werk24.dark.svg' },
		// The operation as the editor names it (the value "readWithCallback" reads as Submit).
		subtitle: OPERATION_SUBTITLE,
		usableAsTool: true,
		credentials: [
			{
				name: 'werk24Api',
				required: true,
				testedBy: 'werk24ApiTest',
				// Key generation runs locally and needs no license.
				displayOptions: { hide: { resource: ['encryption'] } },
			},
			{
				name: 'werk24CallbackApi',
				required: false,
				testedBy: 'werk24CallbackApiTest',
				// Hide rules are OR-ed: shown for Submit with Callback Security, Read and Wait with Result
				// Encryption, and Download File unless Decrypt is No.
				displayOptions: {
					hide: {
						callbackSecurity: ['none'],
						resultEncryption: ['none'],
						decrypt: ['no'],
						resource: ['service', 'encryption'],
					},
				},
			},
		],
		properties,
	};

	methods = {
		credentialTest: { werk24ApiTest, werk24CallbackApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
