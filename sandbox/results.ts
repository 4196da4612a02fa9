// Turns (drawing, asks, max_pages) into the ASK messages the service would send, with their artefacts.
// Shared by the callback flow and the streaming flow. payload_url is filled in by the caller, which stores
// (and, with a public key, encrypts) the artefact.
import type { Ask, TechreadException, TechreadMessage } from '../core';
import { ASK_TYPES } from '../core';
import { redactedFile, sheetImage, viewImage, type Artefact, type Box } from './artefacts';
import type { InspectedDrawing } from './drawing';
import { buildPageModel, type PageModel } from './pageModel';

export interface PlannedMessage {
	message: TechreadMessage;
	artefact: Artefact | null;
}

/** Whole-document asks answer once; every other ask once per page. */
const DOCUMENT_ASKS = new Set(['REDACTION']);

export function progressMessage(requestId: string, subtype: 'STARTED' | 'COMPLETED' | 'INITIALIZATION_SUCCESS', payload: Record<string, unknown> | null = null): TechreadMessage {
	return { request_id: requestId, message_type: 'PROGRESS', message_subtype: subtype, page_number: 0, payload_dict: payload, payload_url: null, exceptions: [] };
}

export function internalErrorMessage(requestId: string): TechreadMessage {
	return { request_id: requestId, message_type: 'ERROR', message_subtype: 'INTERNAL', page_number: 0, payload_dict: null, payload_url: null, exceptions: [] };
}

function askMessage(requestId: string, askType: string, page: number, payload: Record<string, unknown> | null, exceptions: TechreadException[] = []): TechreadMessage {
	return { request_id: requestId, message_type: 'ASK', message_subtype: askType, page_number: page, payload_dict: payload, payload_url: null, exceptions };
}

const errorOf = (type: string): TechreadException[] => [{ exception_level: 'ERROR', exception_type: type }];

function redactionZones(ask: Ask, model: PageModel, drawing: InspectedDrawing): Array<{ type: string; box: Box }> {
	const page = drawing.pageSizes[0] ?? { widthPt: 842, heightPt: 595 };
	const w = (page.widthPt * 200) / 72;
	const h = (page.heightPt * 200) / 72;
	// The fixtures draw their title block (logo, company, drawn-by) in these fractions of the page.
	const at = (x0: number, y0: number, x1: number, y1: number): Box => [Math.round(w * x0), Math.round(h * y0), Math.round(w * x1), Math.round(h * y1)];
	const zones: Array<{ type: string; box: Box }> = [];
	if (ask.redact_logos !== false) zones.push({ type: 'LOGO', box: at(0.62, 0.84, 0.714, 0.875) });
	if (ask.redact_company_data !== false) zones.push({ type: 'COMPANY_DATA', box: at(0.716, 0.84, 0.97, 0.875) });
	if (ask.redact_personal_data !== false) zones.push({ type: 'PERSONAL_DATA', box: at(0.72, 0.93, 0.85, 0.96) });
	const keywords = Array.isArray(ask.redact_keywords) ? ask.redact_keywords : [];
	keywords.forEach((_keyword, index) => {
		const position = model.positions[index % Math.max(1, model.positions.length)];
		if (position) zones.push({ type: 'KEYWORD', box: position.box });
	});
	return zones;
}

async function answerRedaction(requestId: string, ask: Ask, drawing: InspectedDrawing, maxPages: number): Promise<PlannedMessage> {
	if (drawing.pageCount > maxPages) {
		return { message: askMessage(requestId, 'REDACTION', 0, null, errorOf('DRAWING_PAGE_COUNT_TOO_LARGE')), artefact: null };
	}
	const zones = redactionZones(ask, buildPageModel(drawing, 0), drawing);
	const payload = {
		ask_version: 'v2',
		ask_type: 'REDACTION',
		redaction_zones: zones.map(({ type, box: [x0, y0, x1, y1] }) => ({
			redaction_zone_type: type,
			polygon: { coordinate_space: 'PIXEL_SPACE', coordinates: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] },
		})),
	};
	// fill_color null: "only the polygon outlines are returned" — no file.
	const fill = ask.fill_color === undefined ? '#ffffff' : ask.fill_color;
	if (fill === null || typeof fill !== 'string') return { message: askMessage(requestId, 'REDACTION', 0, payload), artefact: null };
	const format = ask.output_format === 'PNG' ? 'PNG' : 'PDF';
	const boxes = zones.map((zone) => zone.box);
	return { message: askMessage(requestId, 'REDACTION', 0, payload), artefact: await redactedFile(drawing, boxes, format, fill) };
}

function answerPageAsk(requestId: string, ask: Ask, drawing: InspectedDrawing, page: number, model: PageModel): PlannedMessage {
	const type = ask.ask_type;
	const ok = (payload: Record<string, unknown> | null, artefact: Artefact | null = null): PlannedMessage => ({
		message: askMessage(requestId, type, page, payload),
		artefact,
	});
	switch (type) {
		case 'META_DATA':
			return ok(model.meta);
		case 'FEATURES':
			return ok(model.features);
		case 'INSIGHTS':
			return ok(model.insights);
		case 'BALLOONS':
			return ok({
				ask_version: 'v2',
				ask_type: 'BALLOONS',
				balloons: model.positions
					.filter((p) => model.featureIds.includes(p.reference_id))
					// Up and left of the feature, but never off the sheet (small images would put it at negative pixels).
					.map((p) => ({ reference_id: p.reference_id, center: [Math.max(0, p.box[0] - 40), Math.max(0, p.box[1] - 40)] })),
			});
		case 'REFERENCE_POSITIONS':
			return ok({
				ask_version: 'v2',
				ask_type: 'REFERENCE_POSITIONS',
				reference_positions: model.positions.map(({ reference_id, box: [x0, y0, x1, y1] }) => ({
					reference_id,
					polygon: { coordinate_space: 'PIXEL_SPACE', coordinates: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] },
				})),
			});
		case 'CUSTOM': {
			const identifiers = (model.meta.identifiers as Array<{ identifier_type: string; value: string }>) ?? [];
			return ok({
				ask_version: 'v2',
				ask_type: 'CUSTOM',
				custom_id: typeof ask.custom_id === 'string' ? ask.custom_id : '',
				output: {
					sandbox: true,
					config: ask.config ?? {},
					postprocessor_slot: ask.postprocessor_slot ?? null,
					drawing_number: identifiers.find((i) => i.identifier_type === 'DRAWING_NUMBER')?.value ?? null,
				},
			});
		}
		case 'SHEET_IMAGES':
			return ok(null, sheetImage(drawing, page));
		case 'VIEW_IMAGES':
			return ok(null, viewImage(drawing, page));
		default:
			// v1 and unknown ask types: the sandbox simulates only v2 asks and says so with the service's exception.
			return { message: askMessage(requestId, type, page, null, errorOf('CONFIGURATION_INCORRECT')), artefact: null };
	}
}

/** The ASK messages for one request, in ask order (page-wise asks page by page). */
export async function planAskMessages(requestId: string, drawing: InspectedDrawing, asks: Ask[], maxPages: number): Promise<PlannedMessage[]> {
	if (drawing.unreadable) {
		const reason = drawing.unreadable;
		return asks.map((ask) => ({ message: askMessage(requestId, ask.ask_type, 0, null, errorOf(reason)), artefact: null }));
	}
	const pages = Math.min(drawing.pageCount, maxPages);
	const models = Array.from({ length: pages }, (_, page) => buildPageModel(drawing, page));
	const planned: PlannedMessage[] = [];
	for (const ask of asks) {
		if (DOCUMENT_ASKS.has(ask.ask_type)) {
			planned.push(await answerRedaction(requestId, ask, drawing, maxPages));
			continue;
		}
		for (let page = 0; page < pages; page++) planned.push(answerPageAsk(requestId, ask, drawing, page, models[page]));
	}
	return planned;
}

export const SIMULATED_ASK_TYPES: readonly string[] = ASK_TYPES;
