import type { INodeProperties } from 'n8n-workflow';

import * as drawing from './actions/drawing';
import * as encryption from './actions/encryption';
import * as result from './actions/result';
import * as service from './actions/service';

/** Every parameter of version 1: resource, then each resource's operations and their own parameters. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Drawing', value: 'drawing' },
			{ name: 'Encryption', value: 'encryption' },
			{ name: 'Result', value: 'result' },
			{ name: 'Service', value: 'service' },
		],
		default: 'drawing',
	},
	...drawing.description,
	...service.description,
	...result.description,
	...encryption.description,
];
