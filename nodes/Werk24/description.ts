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

/** "Submit", "Read and Wait", … for the node's subtitle: built from the Operation options so it cannot drift. */
function operationSubtitle(): string {
	const names: Record<string, string> = {};
	for (const property of properties.filter((p) => p.name === 'operation')) {
		for (const option of (property.options ?? []) as Array<{ name: string; value: string }>) names[option.value] = option.name;
	}
	// A chain of comparisons: n8n's expression engine does not resolve an object literal indexed by $parameter.
	const chain = Object.entries(names)
		.map(([value, name]) => `$parameter["operation"] === ${JSON.stringify(value)} ? ${JSON.stringify(name)} : `)
		.join('');
	return `={{ ${chain}$parameter["operation"] }}`;
}

export const OPERATION_SUBTITLE = operationSubtitle();
