import type { Ask, AskType, AskV2, Result } from './types';

const TODO = (): never => {
	throw new Error('not implemented yet');
};

/** Parameters of the REDACTION ask; omitted ones take werk24-python's defaults. */
export interface RedactionParams {
	redact_logos?: boolean;
	redact_company_data?: boolean;
	redact_personal_data?: boolean;
	/** Plain strings are turned into `{ keyword }` objects. */
	redact_keywords?: Array<string | { keyword: string }>;
	output_format?: 'PDF' | 'PNG';
	fill_color?: string | null;
}

/** Parameters of the CUSTOM ask; `custom_id` is required. */
export interface CustomParams {
	custom_id: string;
	config?: Record<string, unknown>;
	postprocessor_slot?: 'GREEN' | 'BLUE' | null;
}

/** Builds a v2 ask exactly as werk24-python serialises it (key order and defaults). TypeError on misuse. */
export function buildAsk(type: AskType, params?: RedactionParams | CustomParams | Record<string, never>): AskV2 {
	return TODO() ?? { ask_version: 'v2', ask_type: type, ...params };
}

/** Validates asks given as data (JSON from a user or a request). v1 and unknown ask types pass through. */
export function parseAsks(input: unknown, options?: { acceptKindAlias?: boolean }): Result<Ask[]> {
	return TODO() ?? { ok: true, value: [input as Ask, options as never] };
}

export function isAskV2(ask: Ask): ask is AskV2 {
	return TODO() ?? ask.ask_version === 'v2';
}
