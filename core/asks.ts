import { ASK_TYPES, V1_ASK_TYPES } from './types';
import type { Ask, AskType, AskV2, Problem, RawAsk, Result } from './types';

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

/** For error messages: "META_DATA, FEATURES, …, VIEW_IMAGES". */
export const VALID_ASK_TYPES_TEXT = ASK_TYPES.join(', ');

export const REDACTION_OUTPUT_FORMATS = ['PDF', 'PNG'] as const;
export const POSTPROCESSOR_SLOTS = ['GREEN', 'BLUE'] as const;

const V1_SET: ReadonlySet<string> = new Set(V1_ASK_TYPES);

export function isAskType(value: unknown): value is AskType {
	return typeof value === 'string' && (ASK_TYPES as readonly string[]).includes(value);
}

/** A JSON object: not a list, Date, Map, Buffer or class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

/** Own enumerable keys that are not in `known`, copied safely (a "__proto__" key stays a plain key). */
function extraEntries(source: Record<string, unknown>, known: readonly string[]): Array<[string, unknown]> {
	return Object.entries(source).filter(([key]) => !known.includes(key));
}

// Each v2 ask's parameters in werk24-python's field order, with its defaults and checks. A check
// returns a reason when the value is wrong, or undefined; `normalise` turns accepted input into wire form.
interface ParamSpec {
	name: string;
	required?: boolean;
	defaultValue?: () => unknown;
	check: (value: unknown, path: string) => Problem[];
	normalise?: (value: unknown) => unknown;
}

const mustBeBoolean = (value: unknown, path: string): Problem[] =>
	typeof value === 'boolean' ? [] : [{ path, reason: `must be true or false, got ${describeValue(value)}` }];

function mustBeOneOf(options: readonly string[], nullable: boolean) {
	return (value: unknown, path: string): Problem[] =>
		(nullable && value === null) || (typeof value === 'string' && options.includes(value))
			? []
			: [{ path, reason: `must be ${options.map((o) => `"${o}"`).join(' or ')}${nullable ? ' or null' : ''}, got ${describeValue(value)}` }];
}

function checkKeywords(value: unknown, path: string): Problem[] {
	if (!Array.isArray(value)) return [{ path, reason: `must be a list of {"keyword": "…"} objects, got ${describeValue(value)}` }];
	const problems: Problem[] = [];
	value.forEach((item, index) => {
		if (typeof item === 'string') return;
		if (!isPlainObject(item)) {
			problems.push({ path: `${path}[${index}]`, reason: `must be {"keyword": "…"} or a string, got ${describeValue(item)}` });
		} else if (typeof item.keyword !== 'string') {
			problems.push({ path: `${path}[${index}].keyword`, reason: `must be a string, got ${describeValue(item.keyword)}` });
		}
	});
	return problems;
}

const normaliseKeywords = (value: unknown): unknown =>
	(value as Array<string | { keyword: string }>).map((item) =>
		typeof item === 'string' ? { keyword: item } : { ...item, keyword: item.keyword },
	);

const PARAM_SPECS: Record<AskType, readonly ParamSpec[]> = {
	META_DATA: [],
	FEATURES: [],
	INSIGHTS: [],
	BALLOONS: [],
	REFERENCE_POSITIONS: [],
	SHEET_IMAGES: [],
	VIEW_IMAGES: [],
	CUSTOM: [
		{
			name: 'custom_id',
			required: true,
			check: (value, path) =>
				typeof value === 'string' && value.trim() !== ''
					? []
					: [{ path, reason: `must be a non-empty string (the ID of the custom output Werk24 set up for you), got ${describeValue(value)}` }],
		},
		{
			name: 'config',
			defaultValue: () => ({}),
			check: (value, path) => (isPlainObject(value) ? [] : [{ path, reason: `must be a JSON object, got ${describeValue(value)}` }]),
		},
		{ name: 'postprocessor_slot', defaultValue: () => null, check: mustBeOneOf(POSTPROCESSOR_SLOTS, true) },
	],
	REDACTION: [
		{ name: 'redact_logos', defaultValue: () => true, check: mustBeBoolean },
		{ name: 'redact_company_data', defaultValue: () => true, check: mustBeBoolean },
		{ name: 'redact_personal_data', defaultValue: () => true, check: mustBeBoolean },
		{ name: 'redact_keywords', defaultValue: () => [], check: checkKeywords, normalise: normaliseKeywords },
		{ name: 'output_format', defaultValue: () => 'PDF', check: mustBeOneOf(REDACTION_OUTPUT_FORMATS, false) },
		{
			name: 'fill_color',
			defaultValue: () => '#ffffff',
			check: (value, path) =>
				value === null || typeof value === 'string'
					? []
					: [{ path, reason: `must be a colour string such as "#ffffff", or null for outlines only, got ${describeValue(value)}` }],
		},
	],
};

function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${String(value)}`;
}

/**
 * Checks and normalises a v2 ask's parameters. Known parameters come first in werk24-python's order,
 * with defaults filled in; parameters this package does not know are kept after them, unchanged,
 * because the service adds parameters over time.
 */
function normaliseV2(type: AskType, source: Record<string, unknown>, path: string): Result<AskV2> {
	const specs = PARAM_SPECS[type];
	const problems: Problem[] = [];
	const entries: Array<[string, unknown]> = [
		['ask_version', 'v2'],
		['ask_type', type],
	];
	for (const spec of specs) {
		const present = Object.prototype.hasOwnProperty.call(source, spec.name) && source[spec.name] !== undefined;
		if (!present) {
			if (spec.required) problems.push({ path: `${path}.${spec.name}`, reason: `is required for ${type} asks` });
			else entries.push([spec.name, spec.defaultValue?.()]);
			continue;
		}
		const value = source[spec.name];
		const found = spec.check(value, `${path}.${spec.name}`);
		problems.push(...found);
		if (found.length === 0) entries.push([spec.name, spec.normalise ? spec.normalise(value) : value]);
	}
	entries.push(...extraEntries(source, ['ask_version', 'ask_type', ...specs.map((spec) => spec.name)]));
	if (problems.length > 0) return { ok: false, problems };
	return { ok: true, value: Object.fromEntries(entries) as AskV2 };
}

/** Builds a v2 ask exactly as werk24-python serialises it (key order and defaults). TypeError on misuse. */
export function buildAsk(type: AskType, params?: RedactionParams | CustomParams | Record<string, never>): AskV2 {
	if (!isAskType(type)) throw new TypeError(`Unknown ask type ${describeValue(type)}; valid: ${VALID_ASK_TYPES_TEXT}`);
	if (params !== undefined && !isPlainObject(params)) throw new TypeError('buildAsk: params must be an object');
	const source = (params ?? {}) as Record<string, unknown>;
	const known = PARAM_SPECS[type].map((spec) => spec.name);
	const unknown = Object.keys(source).filter((key) => !known.includes(key));
	if (unknown.length > 0) {
		throw new TypeError(`buildAsk: ${type} takes ${known.length ? known.join(', ') : 'no parameters'}, not ${unknown.join(', ')}`);
	}
	const result = normaliseV2(type, source, type);
	if (!result.ok) throw new TypeError(`buildAsk: ${result.problems.map((p) => `${p.path} ${p.reason}`).join('; ')}`);
	return result.value;
}

export interface ParseAsksOptions {
	/** Accept `{"kind":"meta_data"}` (the form in Werk24's Node.js webhook example) as the v2 ask. */
	acceptKindAlias?: boolean;
	/** Prefix for problem paths; default "asks". */
	path?: string;
}

function parseOneAsk(item: unknown, path: string, options: ParseAsksOptions): Result<Ask> {
	if (!isPlainObject(item)) {
		return { ok: false, problems: [{ path, reason: `must be an object like {"ask_type": "META_DATA"}, got ${describeValue(item)}` }] };
	}
	if (options.acceptKindAlias && item.ask_type === undefined && typeof item.kind === 'string') {
		const aliased = item.kind.trim().toUpperCase();
		if (!isAskType(aliased)) {
			return { ok: false, problems: [{ path: `${path}.kind`, reason: `is not an ask type; valid: ${VALID_ASK_TYPES_TEXT}` }] };
		}
		const rest = Object.fromEntries(extraEntries(item, ['kind']));
		return normaliseV2(aliased, rest, path);
	}
	const askType = item.ask_type;
	if (typeof askType !== 'string' || askType.trim() === '') {
		return {
			ok: false,
			problems: [{ path: `${path}.ask_type`, reason: `must be a non-empty string such as "META_DATA", got ${describeValue(askType)}; valid: ${VALID_ASK_TYPES_TEXT}` }],
		};
	}
	// v1 asks ({"version":"v1",…}) and asks of other versions are the service's business: passed through.
	const isOtherVersion = item.version !== undefined || (item.ask_version !== undefined && item.ask_version !== 'v2');
	if (isOtherVersion) return { ok: true, value: { ...item } as RawAsk };
	if (isAskType(askType)) return normaliseV2(askType, item, path);
	const upper = askType.toUpperCase();
	if (upper !== askType && (isAskType(upper) || V1_SET.has(upper))) {
		return { ok: false, problems: [{ path: `${path}.ask_type`, reason: `ask types are upper case: use "${upper}"` }] };
	}
	if (item.ask_version === 'v2') {
		return { ok: false, problems: [{ path: `${path}.ask_type`, reason: `"${askType}" is not a v2 ask type; valid: ${VALID_ASK_TYPES_TEXT}` }] };
	}
	// A v1 type without "version", or a type newer than this package: the service decides.
	return { ok: true, value: { ...item } as RawAsk };
}

/** Validates asks given as data (JSON from a user or a request). v1 and unknown ask types pass through. */
export function parseAsks(input: unknown, options?: ParseAsksOptions): Result<Ask[]> {
	const opts = options ?? {};
	const path = opts.path ?? 'asks';
	if (!Array.isArray(input)) {
		return { ok: false, problems: [{ path, reason: `must be a list of asks, e.g. [{"ask_type": "META_DATA"}], got ${describeValue(input)}` }] };
	}
	if (input.length === 0) {
		return { ok: false, problems: [{ path, reason: `must contain at least one ask; valid: ${VALID_ASK_TYPES_TEXT}` }] };
	}
	const asks: Ask[] = [];
	const problems: Problem[] = [];
	input.forEach((item, index) => {
		const result = parseOneAsk(item, `${path}[${index}]`, opts);
		if (result.ok) asks.push(result.value);
		else problems.push(...result.problems);
	});
	return problems.length > 0 ? { ok: false, problems } : { ok: true, value: asks };
}

export function isAskV2(ask: Ask): ask is AskV2 {
	return isPlainObject(ask) && ask.ask_version === 'v2' && isAskType(ask.ask_type);
}
