import type { INodeProperties } from 'n8n-workflow';
import { ASK_TYPES, MESSAGE_TYPES } from '../../core';

export const CALLBACK_CREDENTIAL = 'werk24CallbackApi';
export const API_CREDENTIAL = 'werk24Api';
export const BINARY_PROPERTY = 'file';

const label = (value: string): string =>
	value
		.toLowerCase()
		.split('_')
		.map((word) => word.charAt(0).toUpperCase() + word.slice(1))
		.join(' ');

/** The trigger's parameters; the class-level fields (name, webhooks, credentials) live in Werk24Trigger.node.ts. */
export const properties: INodeProperties[] = [
	{
		displayName:
			"Copy the Production URL above into the Werk24 node's 'Callback URL' and publish this workflow. Werk24 must be able to reach that URL.",
		name: 'callbackUrlNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Werk24 Callback Security', value: CALLBACK_CREDENTIAL },
			{ name: 'None', value: 'none' },
		],
		default: CALLBACK_CREDENTIAL,
	},
	{
		displayName:
			'Anyone who knows the URL can start this workflow with made-up results. Use the Werk24 Callback Security credential in production.',
		name: 'noAuthenticationNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { authentication: ['none'] } },
	},
	{
		displayName: 'Message Types',
		name: 'messageTypes',
		type: 'multiOptions',
		options: [
			{ name: 'Ask', value: 'ASK', description: 'A result for one ask (and page)' },
			{ name: 'Error', value: 'ERROR', description: 'Werk24 could not process the drawing' },
			{ name: 'Progress', value: 'PROGRESS', description: 'The reading started or completed' },
		],
		default: [...MESSAGE_TYPES],
		description: 'Which messages start the workflow; the others are acknowledged and dropped',
	},
	{
		displayName: 'Ask Types',
		name: 'askTypes',
		type: 'multiOptions',
		options: [...ASK_TYPES].sort().map((askType) => ({ name: label(askType), value: askType })),
		default: [...ASK_TYPES],
		description: 'Which asks start the workflow (applies to Ask messages). Results of v1 or newer asks sent via Additional Asks always pass.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Allowed Download Hosts',
				name: 'allowedDownloadHosts',
				type: 'string',
				default: '',
				placeholder: 'e.g. files.intranet.example, 10.0.0.5:8443',
				description:
					'Comma-separated hosts (optionally host:port) that result files may be downloaded from even though they are local or private addresses',
			},
			{
				displayName: 'Download Result Files',
				name: 'downloadFiles',
				type: 'boolean',
				default: false,
				description:
					'Whether to download each payload_url into the binary field "file" (decrypted with the private key of the credential when there is one)',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{
						name: 'Simplified',
						value: 'simplified',
						description: 'Flat fields (ok, errors, payload, metadata), the original message under "message"',
					},
					{ name: 'Raw', value: 'raw', description: 'The message exactly as Werk24 sent it' },
				],
				default: 'simplified',
			},
		],
	},
];
