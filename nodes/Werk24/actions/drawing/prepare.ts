import { NodeOperationError, type IBinaryData, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import {
	ASK_TYPES,
	buildAsk,
	CLIENT_VERSION,
	MAX_DRAWING_BYTES,
	normalizePriority,
	parseAsks,
	type Ask,
	type AskType,
	type CustomParams,
	type DrawingType,
	type Priority,
	type RedactionParams,
	validateDrawing,
} from '../../../../core';

/** What both drawing operations read from an item before anything goes over the network. */
export interface PreparedDrawing {
	bytes: Buffer;
	fileName: string;
	drawingType: DrawingType;
	asks: Ask[];
	maxPages: number;
	priority: Priority | null;
	/** Options → Client Version, or the package's own when left empty. */
	clientVersion: string;
}

export async function prepareDrawing(this: IExecuteFunctions, itemIndex: number): Promise<PreparedDrawing> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const asks = readAsks.call(this, itemIndex, options);
	const maxPages = readMaxPages.call(this, itemIndex, options);
	const priority = readPriority.call(this, itemIndex, options);
	const { bytes, fileName, drawingType } = await readDrawing.call(this, itemIndex, options);
	const clientVersion = String(options.clientVersion ?? '').trim() || CLIENT_VERSION;
	return { bytes, fileName, drawingType, asks, maxPages, priority, clientVersion };
}

async function readDrawing(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Promise<{ bytes: Buffer; fileName: string; drawingType: DrawingType }> {
	const field = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	let metadata: IBinaryData;
	try {
		// n8n's own lookup, so both binary modes (separate and combined) work.
		metadata = this.helpers.assertBinaryData(itemIndex, field);
	} catch {
		const present = Object.keys(this.getInputData()[itemIndex]?.binary ?? {});
		throw new NodeOperationError(this.getNode(), `The item has no binary field "${field}"`, {
			itemIndex,
			description: present.length
				? `Set "Input Binary Field" to one of the fields this item has: ${present.map((name) => `"${name}"`).join(', ')}`
				: 'This item carries no binary data at all. Put a node that loads the drawing (e.g. "Read/Write Files from Disk", or "HTTP Request" with response format File) before this one',
		});
	}
	const bytes = await this.helpers.getBinaryDataBuffer(itemIndex, field);

	const checked = validateDrawing(bytes);
	if (!checked.ok) {
		const tooLarge = bytes.length > MAX_DRAWING_BYTES;
		const declared = metadata.mimeType ? ` Binary field "${field}" says ${metadata.mimeType}.` : '';
		throw new NodeOperationError(this.getNode(), checked.problems[0]?.reason ?? 'The drawing cannot be read', {
			itemIndex,
			description: tooLarge
				? 'Werk24 accepts drawings up to 10 MB. Export the drawing at a lower resolution, or send only the pages you need'
				: bytes.length === 0
					? `Binary field "${field}" is empty. Check the node that loads the drawing`
					: `Werk24 reads PDF, PNG, JPEG and TIFF drawings.${declared} Export the drawing to one of these formats first`,
		});
	}
	const drawingType = checked.value;
	const override = String(options.fileName ?? '').trim();
	const fileName = override || metadata.fileName || `drawing.${drawingType.extension}`;
	return { bytes, fileName, drawingType };
}

function readAsks(this: IExecuteFunctions, itemIndex: number, options: IDataObject): Ask[] {
	const selected = this.getNodeParameter('asks', itemIndex, []) as string[];
	const asks: Ask[] = [];
	for (const type of selected) {
		if (!(ASK_TYPES as readonly string[]).includes(type)) {
			throw new NodeOperationError(this.getNode(), `Ask "${type}" is not one this node knows`, {
				itemIndex,
				description: `Choose from the "Asks" list, or send it through "Additional Asks (JSON)" under Options`,
			});
		}
		asks.push(buildAsk(type as AskType, askParams.call(this, itemIndex, type as AskType)));
	}
	asks.push(...readAdditionalAsks.call(this, itemIndex, options.additionalAsks));
	if (asks.length === 0) {
		throw new NodeOperationError(this.getNode(), 'No ask selected', {
			itemIndex,
			description: 'Select at least one entry under "Asks" (e.g. Meta Data), or add one through "Additional Asks (JSON)"',
		});
	}
	return asks;
}

function askParams(this: IExecuteFunctions, itemIndex: number, type: AskType): RedactionParams | CustomParams | undefined {
	if (type === 'REDACTION') {
		const o = this.getNodeParameter('redactionOptions', itemIndex, {}) as IDataObject;
		const params: RedactionParams = {};
		if (o.redactLogos !== undefined) params.redact_logos = Boolean(o.redactLogos);
		if (o.redactCompanyData !== undefined) params.redact_company_data = Boolean(o.redactCompanyData);
		if (o.redactPersonalData !== undefined) params.redact_personal_data = Boolean(o.redactPersonalData);
		if (o.redactKeywords !== undefined) {
			params.redact_keywords = String(o.redactKeywords)
				.split(',')
				.map((keyword) => keyword.trim())
				.filter(Boolean);
		}
		if (o.outputFormat !== undefined) params.output_format = o.outputFormat === 'PNG' ? 'PNG' : 'PDF';
		// An emptied colour field means "outlines only", which the API spells null.
		if (o.fillColor !== undefined) params.fill_color = String(o.fillColor).trim() || null;
		return params;
	}
	if (type === 'CUSTOM') {
		const customId = String(this.getNodeParameter('customId', itemIndex, '')).trim();
		if (!customId) {
			throw new NodeOperationError(this.getNode(), '"Custom ID" is empty', {
				itemIndex,
				description: 'The Custom ask needs the ID of the custom output Werk24 set up for your account',
			});
		}
		const o = this.getNodeParameter('customOptions', itemIndex, {}) as IDataObject;
		const params: CustomParams = { custom_id: customId };
		if (o.config !== undefined) params.config = parseJsonObject.call(this, itemIndex, o.config, 'Config (JSON)');
		if (o.postprocessorSlot === 'GREEN' || o.postprocessorSlot === 'BLUE') params.postprocessor_slot = o.postprocessorSlot;
		return params;
	}
	return undefined;
}

function readAdditionalAsks(this: IExecuteFunctions, itemIndex: number, raw: unknown): Ask[] {
	if (raw === undefined || raw === null || raw === '') return [];
	let value = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), '"Additional Asks (JSON)" is not valid JSON', {
				itemIndex,
				description: `${(error as Error).message}. Enter a JSON array such as [{"ask_type": "TITLE_BLOCK"}]`,
			});
		}
	}
	const parsed = parseAsks(value);
	if (!parsed.ok) {
		throw new NodeOperationError(this.getNode(), '"Additional Asks (JSON)" contains an ask Werk24 would reject', {
			itemIndex,
			description: parsed.problems.map((problem) => `${problem.path}: ${problem.reason}`).join('; '),
		});
	}
	return parsed.value;
}

function readMaxPages(this: IExecuteFunctions, itemIndex: number, options: IDataObject): number {
	const maxPages = options.maxPages === undefined ? 5 : Number(options.maxPages);
	if (!Number.isInteger(maxPages) || maxPages < 1) {
		throw new NodeOperationError(this.getNode(), `"Max Pages" is ${String(options.maxPages)}; it must be a whole number of 1 or more`, {
			itemIndex,
			description: 'Set "Max Pages" under Options to 1 or more (Werk24 reads up to 5 pages by default)',
		});
	}
	return maxPages;
}

function readPriority(this: IExecuteFunctions, itemIndex: number, options: IDataObject): Priority | null {
	const result = normalizePriority(options.priority ?? '');
	if (!result.ok) {
		throw new NodeOperationError(this.getNode(), `"Priority" is "${String(options.priority)}"; use PRIO1, PRIO2 or PRIO3`, {
			itemIndex,
			description: 'Leave "Priority" on Account Default unless your license includes a higher priority',
		});
	}
	return result.value;
}

function parseJsonObject(this: IExecuteFunctions, itemIndex: number, raw: unknown, label: string): Record<string, unknown> {
	let value = raw;
	if (typeof raw === 'string') {
		try {
			value = raw.trim() ? JSON.parse(raw) : {};
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `"${label}" is not valid JSON`, {
				itemIndex,
				description: `${(error as Error).message}. Enter a JSON object such as {"unit": "mm"}`,
			});
		}
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be a JSON object`, {
			itemIndex,
			description: 'Enter a JSON object in braces, such as {"unit": "mm"}',
		});
	}
	return value as Record<string, unknown>;
}
