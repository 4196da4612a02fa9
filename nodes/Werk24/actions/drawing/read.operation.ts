import {
	NodeApiError,
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type JsonObject,
} from 'n8n-workflow';

import {
	checkDownloadUrl,
	decryptPackage,
	describeException,
	detectResultFileType,
	readDrawingStreaming,
	redactUrl,
	simplifyMessage,
	type StreamingOutcome,
	type TechreadMessage,
	type WebSocketConstructor,
	type Werk24Error,
} from '../../../../core';
import { drawingInputProperties, drawingOptionProperties } from '../../descriptions/drawingInput';
import { showFor } from '../../descriptions/showFor';
import { getApiCredentials, probeToken, werk24Download } from '../../transport';
import { prepareDrawing } from './prepare';

export const DEFAULT_CONCURRENCY = 2;
const DEFAULT_TIMEOUT_MINUTES = 10;
const MAX_TIMEOUT_MINUTES = 24 * 60;

const properties: INodeProperties[] = [
	{
		displayName:
			'Results come back in this execution over an outgoing connection, so n8n needs no public URL. Needs Node.js 22 or newer (n8n 2.x).',
		name: 'readNotice',
		type: 'notice',
		default: '',
	},
	...drawingInputProperties,
	{
		displayName: 'Result Encryption',
		name: 'resultEncryption',
		type: 'options',
		options: [
			{ name: 'None', value: 'none' },
			{
				name: 'Werk24 Callback Security Credential',
				value: 'werk24CallbackApi',
				description: 'Werk24 encrypts result files with the credential\'s public key; downloads are decrypted with its private key',
			},
		],
		default: 'none',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			...drawingOptionProperties,
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_CONCURRENCY,
				description: 'How many drawings are read at the same time (one connection each)',
			},
			{
				displayName: 'Download Result Files',
				name: 'downloadFiles',
				type: 'boolean',
				default: false,
				description: 'Whether to fetch each payload_url (sheet images, redacted drawing …) into a binary field',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{ name: 'One Item per Drawing', value: 'drawing', description: 'Results grouped by ask, with the main title block fields on top' },
					{ name: 'One Item per Message', value: 'message', description: 'Every Werk24 message as the Werk24 Trigger emits it' },
				],
				default: 'drawing',
			},
			{
				displayName: 'Timeout (Minutes)',
				name: 'timeoutMinutes',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_TIMEOUT_MINUTES,
				description: 'How long to wait for all results of one drawing; what arrived is kept',
			},
		],
	},
];

export const description = showFor('drawing', 'read', properties);

/** Everything one read needs, every check done before a socket opens; throws the first problem. */
async function readSettings(this: IExecuteFunctions, itemIndex: number) {
	const WebSocketImplementation = builtInWebSocket();
	if (!WebSocketImplementation) {
		throw new NodeOperationError(this.getNode(), 'This n8n runs on a Node.js version without a built-in WebSocket client', {
			itemIndex,
			description:
				'"Read and Wait" needs Node.js 22 or newer (n8n 2.x runs on Node.js 24). Use the "Submit" operation with a Werk24 Trigger instead, or update n8n.',
		});
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const output = options.output === 'message' ? 'message' : 'drawing';
	const timeoutMinutes = Number(options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES);
	// Above about 24.8 days Node's timer overflows and fires at once, so the range is checked here.
	if (!(timeoutMinutes > 0) || timeoutMinutes > MAX_TIMEOUT_MINUTES) {
		throw new NodeOperationError(
			this.getNode(),
			`"Timeout (Minutes)" is ${String(options.timeoutMinutes)}; it must be more than 0 and at most ${MAX_TIMEOUT_MINUTES}`,
			{ itemIndex, description: `Set "Timeout (Minutes)" under Options (default ${DEFAULT_TIMEOUT_MINUTES})` },
		);
	}
	const credentials = await getApiCredentials.call(this, itemIndex);
	const streamingUrl = String(credentials.streamingUrl ?? '').trim();
	if (!/^wss?:\/\//i.test(streamingUrl)) {
		throw new NodeOperationError(this.getNode(), `"Streaming URL" in the Werk24 API credential is ${streamingUrl ? `"${streamingUrl}"` : 'empty'}`, {
			itemIndex,
			description: 'Set it to wss://ws-api.w24.co/v2 (or the sandbox\'s ws://…/v2 address)',
		});
	}
	const keys = await readKeys.call(this, itemIndex);
	if (options.downloadFiles && keys && !keys.privateKey) {
		// Checked now, not after the read: by then it is charged and its files could not be opened.
		throw new NodeOperationError(this.getNode(), 'Result files will be encrypted but the credential has no private key', {
			itemIndex,
			description: 'Add the private key to the Werk24 Callback Security credential, or turn off "Download Result Files"',
		});
	}
	const drawing = await prepareDrawing.call(this, itemIndex);
	const allowedHosts = [hostOf(streamingUrl)].filter(Boolean) as string[];
	const guard = (url: string) => checkDownloadUrl(url, { apiUrl: credentials.apiUrl, allowedHosts });
	return { WebSocketImplementation, options, output, timeoutMinutes, credentials, streamingUrl, keys, drawing, guard };
}

export async function preflight(this: IExecuteFunctions, itemIndex: number): Promise<void> {
	await readSettings.call(this, itemIndex);
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = await readSettings.call(this, itemIndex);
	const { WebSocketImplementation, options, output, timeoutMinutes, credentials, streamingUrl, keys, drawing, guard } = settings;
	const cancel = this.getExecutionCancelSignal?.();
	const timeout = AbortSignal.timeout(timeoutMinutes * 60_000);
	const outcome = await readDrawingStreaming(
		{
			streamingUrl,
			token: credentials.token,
			drawing: drawing.bytes,
			fileName: drawing.fileName,
			asks: drawing.asks,
			maxPages: drawing.maxPages,
			clientVersion: drawing.clientVersion,
			priority: drawing.priority,
			publicKey: keys?.publicKey ?? null,
		},
		{
			WebSocket: WebSocketImplementation,
			signal: cancel ? AbortSignal.any([timeout, cancel]) : timeout,
			upload: async (url, form) => {
				const allowed = guard(url);
				if (!allowed.ok) throw new Error(`refused upload address ${redactUrl(url)}: ${allowed.problems[0]?.reason ?? ''}`);
				const response = await this.helpers.httpRequest({
					method: 'POST',
					url,
					body: form as unknown as IDataObject,
					json: false,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
				});
				return Number((response as { statusCode?: number }).statusCode ?? 0);
			},
		},
	);

	const { files, error: downloadError } = options.downloadFiles
		? await downloadFiles.call(this, itemIndex, outcome.messages, keys, guard)
		: { files: new Map<TechreadMessage, IBinaryData>(), error: null };
	const items =
		output === 'message'
			? outcome.messages.map((message) => {
					const binary = files.get(message);
					return { json: simplifyMessage(message) as unknown as IDataObject, ...(binary ? { binary: { file: binary } } : {}) };
				})
			: [drawingItem(outcome, drawing.fileName, files)];

	// The read's own failure is the root cause; a failed download comes second.
	const error = outcome.error ? await toNodeError.call(this, outcome.error, itemIndex, credentials.apiUrl) : downloadError;
	if (error) {
		// Under Continue On Fail the results (read and paid for) stay in the output, marked with the error.
		if (!this.continueOnFail() || outcome.messages.length === 0) throw error;
		const httpCode = error instanceof NodeApiError ? error.httpCode : null;
		const marker = { error: error.message, description: error.description ?? null, http_code: httpCode ?? null };
		if (output === 'message') return [...items, { json: marker }];
		items[0].json = { ...items[0].json, ...marker };
	}
	return items;
}

/** Node ≥ 22 has a global WebSocket that takes `{ headers }`; older Node.js (n8n 1.x) has none. */
function builtInWebSocket(): WebSocketConstructor | null {
	return typeof WebSocket === 'undefined' ? null : (WebSocket as unknown as WebSocketConstructor);
}

interface ResultKeys {
	publicKey: string | null;
	privateKey: { pem: string; passphrase?: string } | null;
}

async function readKeys(this: IExecuteFunctions, itemIndex: number): Promise<ResultKeys | null> {
	if (this.getNodeParameter('resultEncryption', itemIndex, 'none') !== 'werk24CallbackApi') return null;
	if (!this.getNode().credentials?.werk24CallbackApi) {
		throw new NodeOperationError(this.getNode(), '"Result Encryption" needs a Werk24 Callback Security credential', {
			itemIndex,
			description: 'Select a Werk24 Callback Security credential that holds a key pair, or set "Result Encryption" to None',
		});
	}
	const credentials = await this.getCredentials('werk24CallbackApi', itemIndex);
	const publicKey = String(credentials.publicKey ?? '').trim();
	const privateKey = String(credentials.privateKey ?? '').trim();
	if (!publicKey) {
		throw new NodeOperationError(this.getNode(), 'The Werk24 Callback Security credential has no public key', {
			itemIndex,
			description: 'Add a key pair to the credential (Werk24 → Encryption → Generate Key Pair), or set "Result Encryption" to None',
		});
	}
	return {
		publicKey,
		privateKey: privateKey ? { pem: privateKey, passphrase: String(credentials.passphrase ?? '') || undefined } : null,
	};
}

async function downloadFiles(
	this: IExecuteFunctions,
	itemIndex: number,
	messages: TechreadMessage[],
	keys: ResultKeys | null,
	guard: (url: string) => { ok: boolean; problems?: Array<{ reason: string }> },
): Promise<{ files: Map<TechreadMessage, IBinaryData>; error: NodeApiError | NodeOperationError | null }> {
	const files = new Map<TechreadMessage, IBinaryData>();
	try {
		for (const message of messages) await downloadFile.call(this, itemIndex, message, keys, guard, files);
	} catch (error) {
		// Stops at the first failure; the files fetched so far and every result stay with the item.
		if (error instanceof NodeApiError || error instanceof NodeOperationError) return { files, error };
		return { files, error: new NodeOperationError(this.getNode(), error as Error, { itemIndex }) };
	}
	return { files, error: null };
}

async function downloadFile(
	this: IExecuteFunctions,
	itemIndex: number,
	message: TechreadMessage,
	keys: ResultKeys | null,
	guard: (url: string) => { ok: boolean; problems?: Array<{ reason: string }> },
	files: Map<TechreadMessage, IBinaryData>,
): Promise<void> {
	if (!message.payload_url) return;
	const allowed = guard(message.payload_url);
	if (!allowed.ok) {
		throw new NodeOperationError(this.getNode(), `A payload_url is not a Werk24 result address: ${redactUrl(message.payload_url)}`, {
			itemIndex,
			description: `${allowed.problems?.map((p) => p.reason).join('; ') ?? ''}. Turn off "Download Result Files" to get the URLs only`,
		});
	}
	const downloaded = await werk24Download.call(this, itemIndex, message.payload_url);
	let bytes = downloaded.bytes;
	// execute() made sure a private key is there whenever a public key was sent.
	if (keys?.privateKey) {
		const plain = decryptPackage(keys.privateKey.pem, bytes, keys.privateKey.passphrase);
		if (!plain.ok) {
			throw new NodeOperationError(this.getNode(), `A result file from ${redactUrl(message.payload_url)} could not be decrypted`, {
				itemIndex,
				description: `${plain.problems.map((p) => p.reason).join('; ')}. Check that public and private key in the credential belong together`,
			});
		}
		bytes = plain.value;
	}
	// View images may come several per page; a second file on the same page gets -2, -3 … (as its binary field).
	const earlier = [...files.keys()].filter((m) => m.message_subtype === message.message_subtype && m.page_number === message.page_number).length;
	const name = `${message.message_subtype.toLowerCase()}-page-${message.page_number}${earlier ? `-${earlier + 1}` : ''}`;
	files.set(message, await this.helpers.prepareBinaryData(bytes, fileNameFor(name, bytes, downloaded.headers['content-type'], keys !== null)));
}

/** The extension from the (decrypted) bytes first: an encrypted download's Content-Type says nothing about them. */
function fileNameFor(base: string, bytes: Uint8Array, contentType: string | undefined, encrypted: boolean): string {
	const detected = detectResultFileType(bytes);
	if (detected) return `${base}.${detected.extension}`;
	const type = encrypted ? '' : (contentType ?? '').split(';')[0].trim().toLowerCase();
	const extension = { 'image/png': 'png', 'image/jpeg': 'jpg', 'application/pdf': 'pdf', 'image/tiff': 'tif' }[type];
	return extension ? `${base}.${extension}` : base;
}

/** `{request_id, ok, file_name, pages, results: {meta_data: [per page], …}, errors}` + the simplified META_DATA fields. */
export function drawingItem(outcome: StreamingOutcome, fileName: string, files: Map<TechreadMessage, IBinaryData>): INodeExecutionData {
	const results: Record<string, IDataObject[]> = {};
	const errors: IDataObject[] = [];
	const pages = new Set<number>();
	const binary: Record<string, IBinaryData> = {};
	let summary: IDataObject = {};
	for (const message of outcome.messages) {
		for (const exception of message.exceptions) {
			errors.push({
				ask_type: message.message_type === 'ASK' ? message.message_subtype : null,
				page_number: message.page_number,
				level: exception.exception_level,
				type: exception.exception_type,
				text: describeException(exception.exception_type),
			});
		}
		if (message.message_type === 'ERROR') {
			errors.push({ ask_type: null, page_number: message.page_number, level: 'ERROR', type: message.message_subtype, text: 'Werk24 reported an internal error' });
		}
		if (message.message_type !== 'ASK') continue;
		pages.add(message.page_number);
		const key = message.message_subtype.toLowerCase();
		const entry: IDataObject = { page_number: message.page_number, ...(message.payload_dict ?? {}) };
		if (message.payload_url) entry.payload_url = message.payload_url;
		const file = files.get(message);
		if (file) {
			// Several files for one ask and page must not overwrite each other.
			let field = `${key}_${message.page_number}`;
			for (let n = 2; Object.hasOwn(binary, field); n++) field = `${key}_${message.page_number}_${n}`;
			binary[field] = file;
			entry.binary_field = field;
		}
		(results[key] ??= []).push(entry);
		if (message.message_subtype === 'META_DATA' && message.exceptions.length === 0 && Object.keys(summary).length === 0) {
			summary = metaDataSummary(message);
		}
	}
	const json: IDataObject = {
		request_id: outcome.requestId,
		ok: outcome.completed && errors.length === 0,
		file_name: fileName,
		pages: pages.size,
		...summary,
		results,
		errors,
	};
	if (!outcome.completed) json.missing = outcome.missing;
	return Object.keys(binary).length ? { json, binary } : { json };
}

/** The envelope fields of a simplified message; whatever else simplifyMessage adds is the title block summary. */
const ENVELOPE_FIELDS = new Set(['request_id', 'message_type', 'message_subtype', 'ask_type', 'page_number', 'ok', 'errors', 'payload', 'payload_url', 'message']);

function metaDataSummary(message: TechreadMessage): IDataObject {
	const simplified = simplifyMessage(message) as unknown as IDataObject;
	return Object.fromEntries(Object.entries(simplified).filter(([field, value]) => !ENVELOPE_FIELDS.has(field) && value !== undefined));
}

async function toNodeError(this: IExecuteFunctions, failure: Werk24Error, itemIndex: number, apiUrl: string): Promise<NodeApiError> {
	let { title, hint } = failure;
	let status = failure.status;
	// The built-in WebSocket hides why a handshake failed; the API tells whether the token is the reason.
	if (failure.details?.stage === 'handshake' && !status) {
		const probed = await probeToken.call(this, itemIndex);
		if (probed === 401 || probed === 403) {
			title = 'License token rejected — check the Werk24 API credential';
			hint = `The streaming handshake failed and ${apiUrl} answered HTTP ${probed} for the same token.`;
			status = probed;
		}
	}
	const error = new NodeApiError(this.getNode(), { message: title, description: hint } as JsonObject, {
		message: title,
		description: hint,
		httpCode: status ? String(status) : undefined,
		itemIndex,
	});
	error.message = title;
	error.description = hint;
	return error;
}

function hostOf(url: string): string | null {
	try {
		return new URL(url).hostname.replace(/^\[|\]$/g, '');
	} catch {
		// Validated as ws(s):// before; an unparsable host simply adds nothing to the allow-list.
		return null;
	}
}
