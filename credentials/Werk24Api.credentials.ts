import type { IAuthenticateGeneric, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * License token for the Werk24 TechRead API. n8n attaches it to every request through `authenticate`;
 * it is tested by the Werk24 node (`testedBy`), because the service has no endpoint a declarative
 * test could call: a token is only proven by a request that the service rejects with 401 when it is wrong.
 */
export class Werk24Api implements ICredentialType {
	name = 'werk24Api';

	displayName = 'Werk24 API';

	icon: Icon = { light: 'file:../nodes/Werk24/werk24.svg', dark: 'file:../nodes/Werk24/werk24.dark.svg' };

	documentationUrl = 'https://github.com/W24-Service-GmbH/n8n-nodes-werk24#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'License Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: 'The token from your Werk24 license (the value after W24TECHREAD_AUTH_TOKEN= in a .werk24 file)',
		},
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: 'https://api.w24.co',
			required: true,
			hint: 'Keep the default for the Werk24 service; use the address printed by the local sandbox for testing',
		},
		{
			displayName: 'Streaming URL',
			name: 'streamingUrl',
			type: 'string',
			default: 'wss://ws-api.w24.co/v2',
			hint: 'WebSocket address used by "Read and Wait"; for the sandbox use its ws://…/v2 address',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Token {{$credentials.token}}',
			},
		},
	};
}
