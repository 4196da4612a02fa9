/**
 * The one fake IExecuteFunctions for the Werk24 node's tests.
 *
 * Parameters are filled with the node description's defaults the way the n8n editor stores them
 * (NodeHelpers.getNodeParameters), so a test that omits a parameter sees its real default. Binary items
 * hold real bytes. HTTP goes to stubs (the transport boundary) or, with `realHttp`, to a real server over
 * loopback through fetch, applying the werk24Api credential's `authenticate` header like n8n does.
 */
import { Readable } from 'node:stream';

import {
	NodeApiError,
	NodeHelpers,
	NodeOperationError,
	type IBinaryData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';

import { Werk24Api } from '../../credentials/Werk24Api.credentials';
// Not Werk24.node: tsx (benchmarks) would resolve that extensionless path to the codex Werk24.node.json.
// The node's execute() only calls the router (pinned in description.test.ts).
import { properties } from '../../nodes/Werk24/description';
import { router } from '../../nodes/Werk24/router';

export interface FakeBinary {
	bytes: Uint8Array;
	mimeType?: string;
	fileName?: string;
}

export interface FakeItem {
	json?: IDataObject;
	binary?: Record<string, FakeBinary>;
}

export type HttpStub = (options: IHttpRequestOptions, credentialType?: string) => Promise<unknown>;

export interface ExecuteContextOptions {
	/** Node parameters (as saved in a workflow); a function gives per-item values. */
	parameters: INodeParameters | ((itemIndex: number) => INodeParameters);
	items?: FakeItem[];
	credentials?: { werk24Api?: ICredentialDataDecryptedObject; werk24CallbackApi?: ICredentialDataDecryptedObject };
	continueOnFail?: boolean;
	/** Stands in for helpers.httpRequestWithAuthentication (gets the credential type as second argument). */
	httpRequestWithAuthentication?: HttpStub;
	/** Stands in for helpers.httpRequest (no credential). */
	httpRequest?: HttpStub;
	cancelSignal?: AbortSignal;
}

export interface FakeExecution {
	context: IExecuteFunctions;
	/** Every HTTP call in order: which helper, the credential type, and the options as passed. */
	httpCalls: Array<{ helper: 'httpRequestWithAuthentication' | 'httpRequest'; credentialType?: string; options: IHttpRequestOptions }>;
	run(): Promise<INodeExecutionData[][]>;
}

const description = { name: 'werk24', version: 1, properties } as unknown as INodeTypeDescription;

export function withDefaults(parameters: INodeParameters, node: INode): INodeParameters {
	return (NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description) ??
		{}) as INodeParameters;
}

const EXTENSION_TYPES: Record<string, string> = {
	pdf: 'application/pdf',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	json: 'application/json',
};

export function createExecuteContext(options: ExecuteContextOptions): FakeExecution {
	const items: INodeExecutionData[] = (options.items ?? [{ json: {} }]).map((item) => ({
		json: item.json ?? {},
		binary: item.binary
			? Object.fromEntries(
					Object.entries(item.binary).map(([name, b]) => [
						name,
						{
							data: Buffer.from(b.bytes).toString('base64'),
							mimeType: b.mimeType ?? 'application/octet-stream',
							fileName: b.fileName,
						} as IBinaryData,
					]),
				)
			: undefined,
	}));
	const credentialRefs = Object.fromEntries(
		Object.keys(options.credentials ?? {}).map((type) => [type, { id: `${type}-id`, name: `My ${type}` }]),
	);
	const firstParameters = typeof options.parameters === 'function' ? options.parameters(0) : options.parameters;
	const node: INode = {
		id: 'werk24-node',
		name: 'Werk24',
		type: 'n8n-nodes-werk24.werk24',
		typeVersion: 1,
		position: [0, 0],
		parameters: firstParameters,
		credentials: credentialRefs,
	};
	node.parameters = withDefaults(firstParameters, node);
	const parametersFor = (itemIndex: number): INodeParameters =>
		typeof options.parameters === 'function' ? withDefaults(options.parameters(itemIndex), node) : node.parameters;

	const httpCalls: FakeExecution['httpCalls'] = [];
	const binaryOf = (itemIndex: number, name: string): IBinaryData => {
		const binary = items[itemIndex]?.binary?.[name];
		if (!binary) throw new NodeOperationError(node, `No binary data property "${name}" exists on item!`, { itemIndex });
		return binary;
	};

	const context = {
		getNode: () => node,
		getInputData: () => items,
		continueOnFail: () => options.continueOnFail ?? false,
		getExecutionCancelSignal: () => options.cancelSignal,
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
			const value = lookup(parametersFor(itemIndex), name);
			if (value === undefined) return fallback;
			return resolveExpression(value, items[itemIndex]?.json ?? {});
		},
		async getCredentials(type: string) {
			const data = (options.credentials as Record<string, ICredentialDataDecryptedObject> | undefined)?.[type];
			if (!data) throw new NodeOperationError(node, 'Node does not have any credentials set');
			return { ...data };
		},
		helpers: {
			returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
			assertBinaryData: (itemIndex: number, name: string) => binaryOf(itemIndex, name),
			getBinaryDataBuffer: async (itemIndex: number, name: string) => Buffer.from(binaryOf(itemIndex, name).data, 'base64'),
			prepareBinaryData: async (buffer: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData> => {
				const extension = fileName?.includes('.') ? fileName.split('.').pop()!.toLowerCase() : undefined;
				return {
					data: buffer.toString('base64'),
					fileName,
					fileExtension: extension,
					mimeType: mimeType ?? (extension && EXTENSION_TYPES[extension]) ?? 'application/octet-stream',
					fileSize: String(buffer.length),
				};
			},
			async httpRequestWithAuthentication(this: unknown, credentialType: string, requestOptions: IHttpRequestOptions) {
				httpCalls.push({ helper: 'httpRequestWithAuthentication', credentialType, options: requestOptions });
				if (!options.httpRequestWithAuthentication) throw new Error('test did not stub httpRequestWithAuthentication');
				return await options.httpRequestWithAuthentication(requestOptions, credentialType);
			},
			async httpRequest(requestOptions: IHttpRequestOptions) {
				httpCalls.push({ helper: 'httpRequest', options: requestOptions });
				if (!options.httpRequest) throw new Error('test did not stub httpRequest');
				return await options.httpRequest(requestOptions);
			},
		},
	} as unknown as IExecuteFunctions;

	return {
		context,
		httpCalls,
		run: async () => await router.call(context),
	};
}

function lookup(parameters: INodeParameters, path: string): unknown {
	let value: unknown = parameters;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/** Only `={{ $json.a.b }}`: enough for the Download File default; anything else must be given resolved. */
function resolveExpression(value: unknown, json: IDataObject): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const match = /^=\{\{\s*\$json\.([\w.]+)\s*\}\}$/.exec(value);
	if (!match) throw new Error(`executeContext cannot resolve the expression ${value}; pass the resolved value`);
	return lookup(json as INodeParameters, match[1]);
}

/** A full response the way n8n returns it with returnFullResponse. */
export function fullResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
	return { statusCode, statusMessage: '', headers, body };
}

/** What n8n's helper throws when no response arrived (n8n wraps the socket error in a NodeApiError). */
export function connectionRefused(): NodeApiError {
	const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
	return new NodeApiError({ name: 'Werk24' } as INode, cause as unknown as JsonObject);
}

// ---------------------------------------------------------------------------------------------------
// Real HTTP over loopback

/** Resolves the credential's `authenticate` headers (`={{$credentials.x}}` templates) like n8n. */
export function authenticateHeaders(credentials: ICredentialDataDecryptedObject): Record<string, string> {
	const headers = (new Werk24Api().authenticate.properties.headers ?? {}) as Record<string, string>;
	return Object.fromEntries(
		Object.entries(headers).map(([name, template]) => [
			name,
			template.replace(/^=/, '').replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key: string) => String(credentials[key] ?? '')),
		]),
	);
}

/**
 * httpRequestWithAuthentication / httpRequest performed with fetch. Honours the IHttpRequestOptions the node
 * uses: baseURL, url, method, body (FormData, JSON object, bytes), headers, qs, json, encoding 'arraybuffer' or 'stream',
 * returnFullResponse, ignoreHttpStatusErrors.
 */
export function realHttp(credentials: { werk24Api: ICredentialDataDecryptedObject }): {
	httpRequestWithAuthentication: HttpStub;
	httpRequest: HttpStub;
} {
	return {
		httpRequestWithAuthentication: async (options, credentialType) => {
			if (credentialType !== 'werk24Api') throw new Error(`unexpected credential type ${credentialType}`);
			return await performWithFetch(options, authenticateHeaders(credentials.werk24Api));
		},
		httpRequest: async (options) => await performWithFetch(options, {}),
	};
}

export async function performWithFetch(options: IHttpRequestOptions, authHeaders: Record<string, string>): Promise<unknown> {
	const target = /^[a-z]+:\/\//i.test(options.url)
		? new URL(options.url)
		: new URL(`${String(options.baseURL ?? '').replace(/\/+$/, '')}/${options.url.replace(/^\/+/, '')}`);
	for (const [key, value] of Object.entries((options.qs ?? {}) as Record<string, unknown>)) {
		target.searchParams.set(key, String(value));
	}
	const headers: Record<string, string> = { ...((options.headers ?? {}) as Record<string, string>), ...authHeaders };
	let body: BodyInit | undefined;
	if (options.body instanceof FormData) body = options.body;
	else if (Buffer.isBuffer(options.body) || options.body instanceof Uint8Array) body = new Uint8Array(options.body as Uint8Array);
	else if (typeof options.body === 'string') body = options.body;
	else if (options.body !== undefined && options.body !== null) {
		body = JSON.stringify(options.body);
		headers['content-type'] ??= 'application/json';
	}

	let response: Response;
	try {
		response = await fetch(target, { method: options.method ?? 'GET', headers, body });
	} catch (error) {
		const code = (error as { cause?: { code?: string } }).cause?.code ?? 'ECONNRESET';
		const socketError = Object.assign(new Error(`${code} ${target.host}`), { code });
		throw new NodeApiError({ name: 'Werk24' } as INode, socketError as unknown as JsonObject);
	}
	const raw = Buffer.from(await response.arrayBuffer());
	let parsed: unknown = raw;
	// As n8n's helper: encoding 'stream' hands over a Node stream of the body.
	if (options.encoding === 'stream') parsed = Readable.from([raw]);
	else if (options.encoding !== 'arraybuffer') {
		const text = raw.toString('utf8');
		parsed = text;
		const isJson = (response.headers.get('content-type') ?? '').includes('json') || options.json;
		if (isJson && text.trim()) {
			try {
				parsed = JSON.parse(text);
			} catch {
				parsed = text;
			}
		}
	}
	if (!options.ignoreHttpStatusErrors && response.status >= 400) {
		throw new NodeApiError({ name: 'Werk24' } as INode, { message: `HTTP ${response.status}`, httpCode: String(response.status) });
	}
	if (!options.returnFullResponse) return parsed;
	return {
		statusCode: response.status,
		statusMessage: response.statusText,
		headers: headersObject(response.headers),
		body: parsed,
	};
}

function headersObject(headers: Headers): Record<string, string> {
	const result: Record<string, string> = {};
	headers.forEach((value, name) => {
		result[name] = value;
	});
	return result;
}
