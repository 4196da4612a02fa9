import type { INodeProperties } from 'n8n-workflow';

import type { Werk24Operations } from '../node.type';
import * as downloadFile from './downloadFile.operation';

export const operations: Werk24Operations['result'] = { downloadFile };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['result'] } },
		options: [
			{
				name: 'Download File',
				value: 'downloadFile',
				action: 'Download a result file',
				description: 'Fetch the file behind a payload_url (sheet image, redacted drawing …), decrypted if needed',
			},
		],
		default: 'downloadFile',
	},
	...downloadFile.description,
];
