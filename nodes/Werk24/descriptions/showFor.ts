import type { INodeProperties } from 'n8n-workflow';

/** Shows each property only for the given resource and operation(s), keeping its own display rules. */
export function showFor(resource: string, operation: string | string[], properties: INodeProperties[]): INodeProperties[] {
	const operations = Array.isArray(operation) ? operation : [operation];
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...property.displayOptions?.show, resource: [resource], operation: operations },
		},
	}));
}
