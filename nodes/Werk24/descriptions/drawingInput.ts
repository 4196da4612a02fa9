import type { INodeProperties } from 'n8n-workflow';

import { CLIENT_VERSION } from '../../../core';

/** The drawing and what to read from it: shared by "Submit" and "Read and Wait". */
export const drawingInputProperties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data',
		hint: 'Name of the binary field on the incoming item that holds the drawing (see the Binary tab of the previous node)',
	},
	{
		displayName: 'Asks',
		name: 'asks',
		type: 'multiOptions',
		// Alphabetical, as n8n lists options; the API sends them in the order of this list.
		options: [
			{ name: 'Balloons', value: 'BALLOONS', description: 'Balloon positions for each feature' },
			{ name: 'Custom', value: 'CUSTOM', description: 'An output configured for your account' },
			{ name: 'Features', value: 'FEATURES', description: 'Dimensions, bores, threads, chamfers, radii, roughnesses, GD&T' },
			{ name: 'Insights', value: 'INSIGHTS', description: 'Stock dimensions, manufacturing processes, volume estimate' },
			{ name: 'Meta Data', value: 'META_DATA', description: 'Title block: drawing number, designation, material, weight, tolerances' },
			{ name: 'Redaction', value: 'REDACTION', description: 'A copy of the drawing with logos, company and personal data blacked out' },
			{ name: 'Reference Positions', value: 'REFERENCE_POSITIONS', description: 'Where each recognised element sits on the sheet' },
			{ name: 'Sheet Images', value: 'SHEET_IMAGES', description: 'An image of each sheet (result file)' },
			{ name: 'View Images', value: 'VIEW_IMAGES', description: 'An image of each view on the sheet (result files)' },
		],
		default: ['META_DATA'],
		description: 'What Werk24 should read from the drawing; each ask produces its own result',
	},
	{
		displayName: 'Custom ID',
		name: 'customId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. my-output',
		description: 'The ID of the custom output Werk24 configured for your account',
		displayOptions: { show: { asks: ['CUSTOM'] } },
	},
	{
		displayName: 'Custom Ask Options',
		name: 'customOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { asks: ['CUSTOM'] } },
		options: [
			{
				displayName: 'Config (JSON)',
				name: 'config',
				type: 'json',
				default: '{}',
				description: 'Settings passed to the custom output as a JSON object',
			},
			{
				displayName: 'Postprocessor Slot',
				name: 'postprocessorSlot',
				type: 'options',
				options: [
					{ name: 'None', value: '' },
					{ name: 'Green', value: 'GREEN' },
					{ name: 'Blue', value: 'BLUE' },
				],
				default: '',
			},
		],
	},
	{
		displayName: 'Redaction Options',
		name: 'redactionOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { asks: ['REDACTION'] } },
		options: [
			{
				displayName: 'Fill Colour',
				name: 'fillColor',
				type: 'color',
				default: '#ffffff',
				description: 'Colour painted over redacted zones; leave empty to get only the zone outlines',
			},
			{
				displayName: 'Keywords',
				name: 'redactKeywords',
				type: 'string',
				default: '',
				placeholder: 'e.g. ACME, Project Falcon',
				description: 'Comma-separated words to black out wherever they appear',
			},
			{
				displayName: 'Output Format',
				name: 'outputFormat',
				type: 'options',
				options: [
					{ name: 'PDF', value: 'PDF' },
					{ name: 'PNG', value: 'PNG' },
				],
				default: 'PDF',
			},
			{
				displayName: 'Redact Company Data',
				name: 'redactCompanyData',
				type: 'boolean',
				default: true,
				description: 'Whether to black out company names, addresses and similar data',
			},
			{
				displayName: 'Redact Logos',
				name: 'redactLogos',
				type: 'boolean',
				default: true,
				description: 'Whether to black out logos',
			},
			{
				displayName: 'Redact Personal Data',
				name: 'redactPersonalData',
				type: 'boolean',
				default: true,
				description: 'Whether to black out names of people and similar personal data',
			},
		],
	},
];

/** Options both drawing operations share; each operation appends its own. */
export const drawingOptionProperties: INodeProperties[] = [
	{
		displayName: 'Additional Asks (JSON)',
		name: 'additionalAsks',
		type: 'json',
		default: '[]',
		description:
			'A JSON array of further asks sent as they are, e.g. [{"ask_type": "TITLE_BLOCK", "version": "v1"}] for v1 asks or asks newer than this node',
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. flange.pdf',
		description: 'Name sent with the drawing; by default the binary field\'s file name',
	},
	{
		displayName: 'Max Pages',
		name: 'maxPages',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 5,
		description: 'Read at most this many pages of each drawing',
	},
	{
		displayName: 'Priority',
		name: 'priority',
		type: 'options',
		options: [
			{ name: 'Account Default', value: '' },
			{ name: 'PRIO1 (Fastest)', value: 'PRIO1' },
			{ name: 'PRIO2', value: 'PRIO2' },
			{ name: 'PRIO3', value: 'PRIO3' },
		],
		default: '',
		description: 'Processing priority; your license decides which priorities you may use',
	},
	{
		displayName: 'Client Version',
		name: 'clientVersion',
		type: 'string',
		default: CLIENT_VERSION,
		description: 'Reported to Werk24 as client_version; the service enables features by it',
	},
];
