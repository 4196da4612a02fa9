import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type JsonObject,
} from 'n8n-workflow';

import {
	buildReadForm,
	DEFAULT_API_URL,
	isLocalOrPrivateHost,
	validateCallbackHeaders,
	validateCallbackSecurity,
	validateReadRequest,
} from '../../../../core';
import { drawingInputProperties, drawingOptionProperties } from '../../descriptions/drawingInput';
import { showFor } from '../../descriptions/showFor';
import { getApiCredentials, werk24Request } from '../../transport';
import { prepareDrawing } from './prepare';

export const DEFAULT_CONCURRENCY = 4;

const properties: INodeProperties[] = [
	...drawingInputProperties,
	{
		displayName: 'Callback URL',
		name: 'callbackUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://n8n.example.com/webhook/1f0c…/callback',
		hint: 'Copy the Production URL of a Werk24 Trigger in an active workflow; Werk24 posts every result there',
	},
	{
		displayName: 'Callback Security',
		name: 'callbackSecurity',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'Anyone who knows the callback URL can post to it' },
			{
				name: 'Werk24 Callback Security Credential',
				value: 'werk24CallbackApi',
				description: 'Werk24 sends your secret header with every callback (and encrypts result files when the credential has a public key); use the same credential in the Werk24 Trigger',
			},
		],
		// The Werk24 Trigger requires the same credential by default: with both defaults the two ends agree.
		default: 'werk24CallbackApi',
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
				description: 'How many drawings are uploaded at the same time',
			},
			{
				displayName: 'Extra Callback Headers',
				name: 'callbackHeaders',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add header',
				default: {},
				description: 'Headers Werk24 adds to every callback; names must start with "X-" or be "Authorization"',
				options: [
					{
						displayName: 'Header',
						name: 'header',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. X-Order-ID' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
		],
	},
];

export const description = showFor('drawing', 'readWithCallback', properties);

interface CallbackSecurity {
	headers: Record<string, string>;
	publicKey: string | null;
}

/** The request for one item, every check done; throws the first problem with what to change. */
async function buildRequest(this: IExecuteFunctions, itemIndex: number) {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const { apiUrl } = await getApiCredentials.call(this, itemIndex);
	const callbackUrl = readCallbackUrl.call(this, itemIndex, apiUrl);
	const security = await readCallbackSecurity.call(this, itemIndex);
	const callbackHeaders = readCallbackHeaders.call(this, itemIndex, options, security);
	const drawing = await prepareDrawing.call(this, itemIndex);

	const validated = validateReadRequest({
		drawing: drawing.bytes,
		fileName: drawing.fileName,
		asks: drawing.asks,
		callbackUrl,
		callbackHeaders,
		maxPages: drawing.maxPages,
		priority: drawing.priority,
		publicKey: security.publicKey,
		clientVersion: drawing.clientVersion,
	});
	if (!validated.ok) {
		throw new NodeOperationError(this.getNode(), 'The drawing request would be rejected by Werk24', {
			itemIndex,
			description: validated.problems.map((problem) => `${problem.path}: ${problem.reason}`).join('; '),
		});
	}
	return { request: validated.value, drawing };
}

export async function preflight(this: IExecuteFunctions, itemIndex: number): Promise<void> {
	await buildRequest.call(this, itemIndex);
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const { request, drawing } = await buildRequest.call(this, itemIndex);
	const response = (await werk24Request.call(this, itemIndex, {
		method: 'POST',
		url: '/techread/read-with-callback',
		body: buildReadForm(request),
	})) as IDataObject | undefined;
	const requestId = response?.request_id;
	if (typeof requestId !== 'string' || !requestId) {
		throw new NodeApiError(this.getNode(), { message: 'no request_id' } as JsonObject, {
			itemIndex,
			message: 'Werk24 accepted the drawing but returned no request_id',
			description: 'Check that "API URL" in the Werk24 API credential points at the Werk24 API and not at another service',
		});
	}
	return [
		{
			json: {
				request_id: requestId,
				file_name: request.fileName,
				mime_type: drawing.drawingType.mimeType,
				size_bytes: drawing.bytes.length,
				asks: request.asks.map((ask) => ask.ask_type),
				callback_url: request.callbackUrl,
				submitted_at: new Date().toISOString(),
			},
		},
	];
}

function readCallbackUrl(this: IExecuteFunctions, itemIndex: number, apiUrl: string): string {
	const raw = String(this.getNodeParameter('callbackUrl', itemIndex, '')).trim();
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new NodeOperationError(this.getNode(), raw ? `"Callback URL" is not a valid URL: "${raw}"` : '"Callback URL" is empty', {
			itemIndex,
			description: 'Open your Werk24 Trigger, copy its Production URL and paste it into "Callback URL"',
		});
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new NodeOperationError(this.getNode(), `"Callback URL" must start with https:// or http:// (got ${url.protocol}//)`, {
			itemIndex,
			description: 'Werk24 delivers results by HTTPS POST. Paste the Production URL of your Werk24 Trigger',
		});
	}
	const hostname = url.hostname.replace(/^\[|\]$/g, '');
	if (isRealService(apiUrl) && isLocalOrPrivateHost(hostname)) {
		throw new NodeOperationError(
			this.getNode(),
			`"Callback URL" points at ${url.hostname}, which the Werk24 service can never reach`,
			{
				itemIndex,
				description:
					'Werk24 posts results from the internet, so the URL must be public. Set WEBHOOK_URL of your n8n to its public address (or use a tunnel) and copy the Trigger\'s Production URL again — or use "Read and Wait", which needs no public URL. For local tests, point the Werk24 API credential at the sandbox',
			},
		);
	}
	return raw;
}

function isRealService(apiUrl: string): boolean {
	try {
		return new URL(apiUrl).hostname === new URL(DEFAULT_API_URL).hostname;
	} catch {
		// An API URL that does not parse is reported by the request itself, with the credential named.
		return false;
	}
}

async function readCallbackSecurity(this: IExecuteFunctions, itemIndex: number): Promise<CallbackSecurity> {
	const mode = this.getNodeParameter('callbackSecurity', itemIndex, 'werk24CallbackApi') as string;
	if (mode !== 'werk24CallbackApi') return { headers: {}, publicKey: null };
	if (!this.getNode().credentials?.werk24CallbackApi) {
		throw new NodeOperationError(this.getNode(), '"Callback Security" needs a Werk24 Callback Security credential', {
			itemIndex,
			description:
				'Select the Werk24 Callback Security credential your Werk24 Trigger uses (or create one: header name and a secret of 16 or more characters). Set "Callback Security" to None only if the Trigger\'s Authentication is None too',
		});
	}
	const credentials = await this.getCredentials('werk24CallbackApi', itemIndex);
	// The same rule and reasons as the credential's Test and the Werk24 Trigger's activation (core/callbackSecurity.ts).
	const security = validateCallbackSecurity({ headerName: credentials.headerName, secret: credentials.secret });
	if (!security.ok) {
		throw new NodeOperationError(this.getNode(), security.problems.map((problem) => problem.reason).join('; '), {
			itemIndex,
			description:
				'Change it in the Werk24 Callback Security credential (its Test runs the same check) and use the same credential in your Werk24 Trigger',
		});
	}
	const { headerName, secret } = security.value;
	const publicKey = String(credentials.publicKey ?? '').trim();
	return { headers: { [headerName]: secret }, publicKey: publicKey || null };
}

function readCallbackHeaders(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	security: CallbackSecurity,
): Record<string, string> | null {
	const entries = ((options.callbackHeaders as IDataObject | undefined)?.header ?? []) as Array<{ name?: string; value?: string }>;
	const extra: Record<string, string> = {};
	for (const entry of entries) {
		const name = String(entry.name ?? '').trim();
		const value = String(entry.value ?? '');
		// Dropping a filled-in value or overwriting a repeated name would lose what the user typed.
		if (!name && !value) continue;
		if (!name || Object.hasOwn(extra, name)) {
			throw new NodeOperationError(
				this.getNode(),
				name ? `"Extra Callback Headers" has "${name}" twice` : `"Extra Callback Headers" has a header without a name`,
				{
					itemIndex,
					description: name
						? 'Keep one entry per header name, or join the values into one'
						: 'Enter a name starting with "X-" (e.g. X-Order-ID) for every header with a value, or remove the empty entry',
				},
			);
		}
		extra[name] = value;
	}
	const problems = validateCallbackHeaders(extra);
	if (problems.length) {
		throw new NodeOperationError(this.getNode(), '"Extra Callback Headers" contains a header Werk24 would reject', {
			itemIndex,
			description: `${problems.map((problem) => problem.reason).join('; ')}. Header names must start with "X-" (or be "Authorization"), at most 128 characters; values at most 4096 characters`,
		});
	}
	const secretHeader = Object.keys(security.headers)[0]?.toLowerCase();
	if (secretHeader && Object.keys(extra).some((name) => name.toLowerCase() === secretHeader)) {
		throw new NodeOperationError(this.getNode(), `"Extra Callback Headers" repeats "${Object.keys(security.headers)[0]}"`, {
			itemIndex,
			description: 'That header carries the secret of the Werk24 Callback Security credential; remove it from "Extra Callback Headers"',
		});
	}
	const headers = { ...extra, ...security.headers };
	return Object.keys(headers).length ? headers : null;
}
