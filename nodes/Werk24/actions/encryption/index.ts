import type { INodeProperties } from 'n8n-workflow';

import type { Werk24Operations } from '../node.type';
import * as generateKeyPair from './generateKeyPair.operation';

export const operations: Werk24Operations['encryption'] = { generateKeyPair };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['encryption'] } },
		options: [
			{
				name: 'Generate Key Pair',
				value: 'generateKeyPair',
				action: 'Generate a key pair',
				description:
					'Create the RSA keys for a Werk24 Callback Security credential; the private key is shown only in this execution\'s data',
			},
		],
		default: 'generateKeyPair',
	},
	...generateKeyPair.description,
];
