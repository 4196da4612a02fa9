// Fake IWebhookFunctions / IHookFunctions for trigger tests: a request (headers, raw body, parsed body),
// parameters, credentials, a spying response object and the helpers the trigger uses.
import {
	NodeOperationError,
	type IBinaryData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHookFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type IWebhookFunctions,
} from 'n8n-workflow';

export interface FakeResponse {
	statusCode: number | undefined;
	body: unknown;
	ended: boolean;
	status: Spy;
	json: Spy;
	send: Spy;
	end: Spy;
	setHeader: Spy;
}

export interface ContextOptions {
	headers?: Record<string, string | string[] | undefined>;
	rawBody?: Buffer;
	body?: unknown;
	/** Parameter values; missing ones fall back to `defaults` and then to the fallback the node passes. */
	parameters?: Record<string, unknown>;
	defaults?: Record<string, unknown>;
	/** Credentials by type name; their presence also fills node.credentials like a saved workflow. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Stands in for helpers.httpRequest (the only network call of the trigger). */
	httpRequest?: (options: IHttpRequestOptions) => Promise<unknown>;
	nodeName?: string;
}

export interface FakeWebhookContext {
	context: IWebhookFunctions;
	response: FakeResponse;
	httpRequest: Spy;
	prepareBinaryData: Spy;
}

/** Parameter defaults straight from a node description (top level only). */
export function defaultsOf(properties: INodeProperties[]): Record<string, unknown> {
	return Object.fromEntries(properties.filter((p) => p.type !== 'notice').map((p) => [p.name, p.default]));
}

type Spy = jest.Mock;

/** jest.fn inside jest; a minimal recording stand-in elsewhere (benchmarks and scripts run under tsx). */
function spy<A extends unknown[], R>(implementation: (...args: A) => R): Spy {
	if (typeof jest !== 'undefined') return jest.fn(implementation);
	const calls: unknown[][] = [];
	const fn = ((...args: A) => {
		calls.push(args);
		return implementation(...args);
	}) as unknown as Spy;
	Object.assign(fn, { mock: { calls } });
	return fn;
}

function fakeNode(options: ContextOptions): INode {
	return {
		id: 'node-1',
		name: options.nodeName ?? 'Werk24 Trigger',
		type: 'n8n-nodes-werk24.werk24Trigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: Object.fromEntries(
			Object.keys(options.credentials ?? {}).map((type) => [type, { id: `${type}-id`, name: `${type} account` }]),
		),
	};
}

function shared(options: ContextOptions) {
	const node = fakeNode(options);
	return {
		node,
		getNode: () => node,
		getNodeParameter: (name: string, fallback?: unknown) => {
			if (options.parameters && name in options.parameters) return options.parameters[name];
			if (options.defaults && name in options.defaults) return options.defaults[name];
			return fallback;
		},
		getCredentials: async (type: string) => {
			const found = options.credentials?.[type];
			if (!found) throw new NodeOperationError(node, 'Node does not have any credentials set');
			return found;
		},
	};
}

export function fakeResponse(): FakeResponse {
	const response = { statusCode: undefined, body: undefined, ended: false } as FakeResponse;
	response.status = spy((code: number) => {
		response.statusCode = code;
		return response;
	});
	response.json = spy((body: unknown) => {
		response.body = body;
		response.ended = true;
		return response;
	});
	response.send = spy((body: unknown) => {
		response.body = body;
		response.ended = true;
		return response;
	});
	response.end = spy(() => {
		response.ended = true;
		return response;
	});
	response.setHeader = spy(() => response);
	return response;
}

/** Like n8n's in-memory binary data: base64 data plus metadata. */
export async function prepareBinaryData(buffer: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData> {
	const extension = fileName?.includes('.') ? fileName.split('.').pop() : undefined;
	return {
		data: buffer.toString('base64'),
		mimeType: mimeType ?? 'application/octet-stream',
		fileName,
		fileExtension: extension,
		fileSize: `${buffer.length} B`,
		bytes: buffer.length,
	};
}

export function makeWebhookContext(options: ContextOptions = {}): FakeWebhookContext {
	const base = shared(options);
	const response = fakeResponse();
	const headers = options.headers ?? {};
	const request = {
		method: 'POST',
		headers,
		rawBody: options.rawBody,
		body: options.body ?? {},
	};
	const httpRequest = spy(
		options.httpRequest ??
			(async () => {
				throw new Error('no network in unit tests');
			}),
	);
	const prepare = spy(prepareBinaryData);
	const context = {
		getNode: base.getNode,
		getNodeParameter: base.getNodeParameter,
		getCredentials: base.getCredentials,
		getMode: () => 'trigger',
		getRequestObject: () => request,
		getResponseObject: () => response,
		getHeaderData: () => headers,
		getBodyData: () => (options.body ?? {}) as IDataObject,
		getWebhookName: () => 'default',
		getNodeWebhookUrl: () => 'http://127.0.0.1:5678/webhook/trigger-id/callback',
		helpers: {
			httpRequest,
			prepareBinaryData: prepare,
			returnJsonArray: (data: IDataObject | IDataObject[]): INodeExecutionData[] =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
	} as unknown as IWebhookFunctions;
	return { context, response, httpRequest, prepareBinaryData: prepare };
}

export function makeHookContext(options: ContextOptions = {}): IHookFunctions {
	const base = shared(options);
	return {
		getNode: base.getNode,
		getNodeParameter: base.getNodeParameter,
		getCredentials: base.getCredentials,
		getMode: () => 'trigger',
		getActivationMode: () => 'activate',
		getWebhookName: () => 'default',
		getNodeWebhookUrl: () => 'http://127.0.0.1:5678/webhook/trigger-id/callback',
		getWebhookDescription: () => undefined,
		helpers: {},
	} as unknown as IHookFunctions;
}
