import {
	NodeConnectionTypes,
	type IDataObject,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { handleCallback, mapPool, simplifyMessage, type CallbackRequest, type TechreadMessage } from '../../core';
import { API_CREDENTIAL, BINARY_PROPERTY, CALLBACK_CREDENTIAL, properties } from './description';
import { downloadPayload } from './download';
import { readSettings, validateSettings, type TriggerSettings } from './settings';

const DOWNLOAD_CONCURRENCY = 4;

async function toItem(
	context: IWebhookFunctions,
	message: TechreadMessage,
	settings: TriggerSettings,
): Promise<INodeExecutionData> {
	const json = (settings.output === 'raw' ? { ...message } : simplifyMessage(message)) as unknown as IDataObject;
	const item: INodeExecutionData = { json };
	if (settings.downloadFiles && message.payload_url) {
		const stem = `${message.message_subtype.toLowerCase()}-page-${message.page_number}`;
		const outcome = await downloadPayload(context, message.payload_url, stem, {
			apiUrl: settings.apiUrl,
			allowedHosts: settings.allowedHosts,
			privateKey: settings.config.privateKey,
		});
		if (outcome.ok) item.binary = { [BINARY_PROPERTY]: outcome.binary };
		else json.download_error = outcome.error;
	}
	return item;
}

export class Werk24Trigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Werk24 Trigger',
		name: 'werk24Trigger',
		icon: { light: 'file:werk24Trigger.svg', dark: 'file:werk24Trigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Messages: " + ($parameter["messageTypes"] || []).join(", ")}}',
		description: 'Receives the results Werk24 posts for each drawing you submit',
		defaults: { name: 'Werk24 Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: CALLBACK_CREDENTIAL,
				required: true,
				displayOptions: { show: { authentication: [CALLBACK_CREDENTIAL] } },
			},
			{
				// Optional: only its API URL is read, so result files on that host (e.g. the local sandbox) may be downloaded.
				name: API_CREDENTIAL,
				required: false,
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Without it n8n answers the literal string "firstEntryJson" instead of our webhookResponse.
				responseData: '',
				path: 'callback',
			},
		],
		properties,
	};

	// Werk24 has no webhook registration: the callback URL travels with each drawing. These only check the settings.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await validateSettings(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const settings = await readSettings(this);
		const callbackRequest: CallbackRequest = {
			headers: request.headers,
			rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined,
			body: request.body as unknown,
		};
		const verdict = handleCallback(callbackRequest, settings.config);

		// 401, 400 and "everything filtered out" are answered here and start no execution.
		if (verdict.status !== 200 || verdict.messages.length === 0) {
			this.getResponseObject().status(verdict.status).json(verdict.body);
			return { noWebhookResponse: true };
		}
		const items = await mapPool(verdict.messages, DOWNLOAD_CONCURRENCY, async (message) => await toItem(this, message, settings));
		return { workflowData: [items], webhookResponse: verdict.body };
	}
}
