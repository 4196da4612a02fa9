import type { INodeProperties } from 'n8n-workflow';

import type { Werk24Operations } from '../node.type';
import * as getStatus from './getStatus.operation';

export const operations: Werk24Operations['service'] = { getStatus };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['service'] } },
		options: [
			{
				name: 'Get Status',
				value: 'getStatus',
				action: 'Get the service status',
				description: 'Whether the Werk24 service is operational, with incidents and planned maintenance',
			},
		],
		default: 'getStatus',
	},
	...getStatus.description,
];
