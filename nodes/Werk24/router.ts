import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { mapPool } from '../../core';
import type { Werk24Operation, Werk24Operations, Werk24Resource } from './actions/node.type';
import * as drawing from './actions/drawing';
import * as encryption from './actions/encryption';
import * as result from './actions/result';
import * as service from './actions/service';

const operations: Werk24Operations = {
	drawing: drawing.operations,
	service: service.operations,
	result: result.operations,
	encryption: encryption.operations,
};

/** Runs the chosen operation for every item: in input order, pairedItem set, failures per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as Werk24Resource;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = (operations[resource] as Record<string, Werk24Operation> | undefined)?.[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not known for "${resource}"`, {
			description: 'Select the operation again; the workflow may come from a newer version of this node',
		});
	}

	const concurrency = readConcurrency.call(this, operation);
	const refused = await runPreflight.call(this, operation, items.length);
	const perItem = await mapPool(items, concurrency, async (_item, itemIndex) => {
		const preflightError = refused.get(itemIndex);
		if (preflightError) return [errorItem(preflightError)];
		try {
			return await operation.execute.call(this, itemIndex);
		} catch (error) {
			const nodeError = asNodeError.call(this, error, itemIndex);
			if (!this.continueOnFail()) throw nodeError;
			return [errorItem(nodeError)];
		}
	});
	return [perItem.flatMap((produced, itemIndex) => produced.map((item) => ({ ...item, pairedItem: { item: itemIndex } })))];
}

/**
 * Checks every item before the first upload. Without Continue On Fail the first refusal stops the node with
 * nothing sent; with it, refused items become error items and the others go on.
 */
async function runPreflight(
	this: IExecuteFunctions,
	operation: Werk24Operation,
	itemCount: number,
): Promise<Map<number, NodeApiError | NodeOperationError>> {
	const refused = new Map<number, NodeApiError | NodeOperationError>();
	if (!operation.preflight) return refused;
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			await operation.preflight.call(this, itemIndex);
		} catch (error) {
			const nodeError = asNodeError.call(this, error, itemIndex);
			if (!this.continueOnFail()) throw nodeError;
			refused.set(itemIndex, nodeError);
		}
	}
	return refused;
}

function errorItem(nodeError: NodeApiError | NodeOperationError): INodeExecutionData {
	return {
		json: {
			error: nodeError.message,
			description: nodeError.description ?? null,
			http_code: nodeError instanceof NodeApiError ? (nodeError.httpCode ?? null) : null,
		},
	};
}

function readConcurrency(this: IExecuteFunctions, operation: Werk24Operation): number {
	if (!operation.defaultConcurrency) return 1;
	const value = Number(this.getNodeParameter('options.concurrency', 0, operation.defaultConcurrency));
	if (!Number.isInteger(value) || value < 1) {
		throw new NodeOperationError(this.getNode(), `"Concurrency" is ${value}; it must be a whole number of 1 or more`, {
			description: `Set "Concurrency" under Options to 1 or more (default ${operation.defaultConcurrency})`,
		});
	}
	return value;
}

/** Keeps the node errors operations throw (adding the item index); wraps anything else once. */
function asNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(this.getNode(), message, {
		itemIndex,
		description: 'An unexpected problem inside the Werk24 node; please report it with this message',
	});
}
