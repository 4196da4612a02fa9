import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/** Every resource and its operations; the router's lookup is checked against this map. */
export interface Werk24OperationMap {
	drawing: 'readWithCallback' | 'read';
	service: 'getStatus';
	result: 'downloadFile';
	encryption: 'generateKeyPair';
}

export type Werk24Resource = keyof Werk24OperationMap;

export interface Werk24Operation {
	description: INodeProperties[];
	/** Items produced for input item `itemIndex`, without pairedItem (the router adds it). */
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
	/**
	 * Every check `execute` makes before it sends anything, for one item. The router runs it for all items
	 * first, so a bad item stops the node before any drawing is uploaded (and charged) with its request_id lost.
	 */
	preflight?(this: IExecuteFunctions, itemIndex: number): Promise<void>;
	/** Default of the operation's "Concurrency" option; absent = items run one after another. */
	defaultConcurrency?: number;
}

export type Werk24Operations = {
	[R in Werk24Resource]: Record<Werk24OperationMap[R], Werk24Operation>;
};
