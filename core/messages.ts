import { EXCEPTION_LEVELS, MESSAGE_TYPES } from './types';
import type { ExceptionLevel, MessageType, Problem, Result, TechreadException, TechreadMessage } from './types';

export interface ReadableException {
	level: string;
	type: string;
	text: string;
}

/** The Trigger's "Simplified" output and the streaming "one item per drawing" building block. */
export interface SimplifiedMessage {
	request_id: string;
	message_type: string;
	message_subtype: string;
	ask_type: string | null;
	page_number: number;
	ok: boolean;
	errors: ReadableException[];
	payload: Record<string, unknown> | null;
	payload_url: string | null;
	drawing_number?: string;
	part_number?: string;
	designation?: string;
	material?: string;
	/** The standard the first material is named in, e.g. "EN 10088-3". */
	material_standard?: string;
	weight?: string;
	weight_unit?: string;
	general_tolerances?: string;
	projection_method?: string;
	languages?: string[];
	message: TechreadMessage;
}

/** pydantic's UUID4: version nibble 4, RFC 4122 variant. */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** Known subtypes and every ask type (v1, v2, newer) share this shape; new ones are accepted. */
const SUBTYPE = /^[A-Z][A-Z0-9_]*$/;
/** pydantic's HttpUrl limit. */
export const MAX_PAYLOAD_URL_LENGTH = 2083;

/** A JSON object: not a list, Date, Map, Buffer or class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

function has(source: Record<string, unknown>, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(source, key) && source[key] !== undefined;
}

function got(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
	return `${typeof value} ${String(value)}`;
}

function checkPayloadUrl(value: unknown, path: string, problems: Problem[]): string | null {
	if (value === null) return null;
	if (typeof value !== 'string') {
		problems.push({ path, reason: `must be an http(s) URL or null, got ${got(value)}` });
		return null;
	}
	if (value.length > MAX_PAYLOAD_URL_LENGTH) {
		problems.push({ path, reason: `must be at most ${MAX_PAYLOAD_URL_LENGTH} characters, got ${value.length}` });
		return null;
	}
	let parsed: URL;
	try {
		parsed = new URL(value);
	} catch {
		problems.push({ path, reason: 'must be an absolute http(s) URL' });
		return null;
	}
	if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
		problems.push({ path, reason: `must be an http(s) URL, got scheme "${parsed.protocol.replace(/:$/, '')}"` });
		return null;
	}
	return value;
}

function checkExceptions(value: unknown, path: string, problems: Problem[]): TechreadException[] {
	if (!Array.isArray(value)) {
		problems.push({ path, reason: `must be a list, got ${got(value)}` });
		return [];
	}
	const exceptions: TechreadException[] = [];
	value.forEach((item: unknown, index) => {
		const itemPath = `${path}[${index}]`;
		if (!isPlainObject(item)) {
			problems.push({ path: itemPath, reason: `must be an object with exception_level and exception_type, got ${got(item)}` });
			return;
		}
		const level = item.exception_level;
		const type = item.exception_type;
		let valid = true;
		if (!(EXCEPTION_LEVELS as readonly unknown[]).includes(level)) {
			problems.push({ path: `${itemPath}.exception_level`, reason: `must be "ERROR" or "INFO", got ${got(level)}` });
			valid = false;
		}
		if (typeof type !== 'string' || type === '') {
			problems.push({ path: `${itemPath}.exception_type`, reason: `must be a non-empty string, got ${got(type)}` });
			valid = false;
		}
		if (valid) exceptions.push({ exception_level: level as ExceptionLevel, exception_type: type as string });
	});
	return exceptions;
}

const ENVELOPE_KEYS = new Set([
	'request_id',
	'message_type',
	'message_subtype',
	'page_number',
	'payload_dict',
	'payload_url',
	'exceptions',
]);

function parseAt(input: unknown, root: string): Result<TechreadMessage> {
	if (!isPlainObject(input)) {
		return { ok: false, problems: [{ path: root, reason: `must be a JSON object (one TechreadMessage), got ${got(input)}` }] };
	}
	const problems: Problem[] = [];
	const at = (key: string) => `${root}.${key}`;

	const requestId = input.request_id;
	if (!has(input, 'request_id')) problems.push({ path: at('request_id'), reason: 'is required' });
	else if (typeof requestId !== 'string' || !UUID_V4.test(requestId)) {
		problems.push({ path: at('request_id'), reason: `must be a version 4 UUID, got ${got(requestId)}` });
	}

	const messageType = input.message_type;
	if (!has(input, 'message_type')) problems.push({ path: at('message_type'), reason: 'is required' });
	else if (!(MESSAGE_TYPES as readonly unknown[]).includes(messageType)) {
		problems.push({ path: at('message_type'), reason: `must be "ASK", "PROGRESS" or "ERROR", got ${got(messageType)}` });
	}

	const subtype = input.message_subtype;
	if (!has(input, 'message_subtype')) problems.push({ path: at('message_subtype'), reason: 'is required' });
	else if (typeof subtype !== 'string' || !SUBTYPE.test(subtype)) {
		problems.push({
			path: at('message_subtype'),
			reason: `must be an upper-case name such as "STARTED", "COMPLETED" or an ask type, got ${got(subtype)}`,
		});
	}

	let pageNumber = 0;
	if (has(input, 'page_number')) {
		const value = input.page_number;
		if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) pageNumber = value;
		else problems.push({ path: at('page_number'), reason: `must be a whole number ≥ 0, got ${got(value)}` });
	}

	let payloadDict: Record<string, unknown> | null = null;
	if (has(input, 'payload_dict')) {
		const value = input.payload_dict;
		if (value === null || isPlainObject(value)) payloadDict = value;
		else problems.push({ path: at('payload_dict'), reason: `must be an object or null, got ${got(value)}` });
	}

	const payloadUrl = has(input, 'payload_url') ? checkPayloadUrl(input.payload_url, at('payload_url'), problems) : null;
	const exceptions = has(input, 'exceptions') ? checkExceptions(input.exceptions, at('exceptions'), problems) : [];

	if (problems.length > 0) return { ok: false, problems };
	// Keys outside the envelope ride along untouched, so Raw output stays what Werk24 sent when it adds fields.
	const extras = Object.fromEntries(Object.entries(input).filter(([key]) => !ENVELOPE_KEYS.has(key)));
	return {
		ok: true,
		value: {
			request_id: requestId as string,
			message_type: messageType as MessageType,
			message_subtype: subtype as string,
			page_number: pageNumber,
			payload_dict: payloadDict,
			payload_url: payloadUrl,
			exceptions,
			...extras,
		},
	};
}

/**
 * Validates one message: strict on the envelope, lenient inside payload_dict (the service keeps
 * adding fields and enum values). Keys outside the envelope (e.g. payload_bytes: null) are kept
 * unchecked, after the envelope. Never throws; reports every problem with its JSON path.
 */
export function parseMessage(input: unknown): Result<TechreadMessage> {
	return parseAt(input, '$');
}

/** A callback body: one message object or a non-empty array of them. */
export function parseMessageBody(input: unknown): Result<TechreadMessage[]> {
	if (!Array.isArray(input)) {
		const single = parseAt(input, '$');
		return single.ok ? { ok: true, value: [single.value] } : single;
	}
	if (input.length === 0) return { ok: false, problems: [{ path: '$', reason: 'must hold at least one message, got an empty list' }] };
	const messages: TechreadMessage[] = [];
	const problems: Problem[] = [];
	input.forEach((item: unknown, index) => {
		const result = parseAt(item, `$[${index}]`);
		if (result.ok) messages.push(result.value);
		else problems.push(...result.problems);
	});
	return problems.length > 0 ? { ok: false, problems } : { ok: true, value: messages };
}

/** As werk24-python v2: successful when the message carries no exception at all (INFO counts too). */
export function isSuccessful(message: TechreadMessage): boolean {
	return message.exceptions.length === 0;
}

// What each v2 exception means and what the user can do (limits from the Werk24 documentation).
const EXCEPTION_TEXT: Record<string, string> = {
	DRAWING_FILE_FORMAT_UNSUPPORTED:
		'Werk24 could not open the drawing file. Send a PDF, PNG, JPEG or TIFF file; encrypted or password-protected PDFs cannot be read.',
	DRAWING_FILE_SIZE_TOO_LARGE:
		'The drawing file is larger than 10 MB. Reduce the file size (lower the scan resolution, compress the images or send fewer pages) and submit it again.',
	DRAWING_RESOLUTION_TOO_LOW:
		'The drawing resolution is too low to read. Scan or export the drawing at 200 DPI or more.',
	DRAWING_CONTENT_NOT_UNDERSTOOD:
		'Werk24 could not interpret the drawing content. Check that the file is a legible technical drawing (not a photo, model or blank page).',
	CONFIGURATION_INCORRECT:
		'The ask configuration is not valid for this drawing or account (e.g. an unknown custom_id or a parameter value). Check the ask parameters, or ask Werk24 support which outputs your license includes.',
	DRAWING_PAPER_SIZE_TOO_LARGE:
		'The drawing sheet is larger than A2 (420 × 594 mm). Send sheets of A2 or smaller, e.g. by splitting the sheet.',
	DRAWING_PAGE_COUNT_TOO_LARGE:
		'The document has more pages than Werk24 processes for this output (whole-document outputs such as redaction need the document within the page limit, 5 pages by default). Split the document or send fewer pages.',
};

/** Readable text for an exception type, with a fallback for types this package does not know. */
export function describeException(exceptionType: string): string {
	if (typeof exceptionType === 'string' && Object.prototype.hasOwnProperty.call(EXCEPTION_TEXT, exceptionType)) {
		return EXCEPTION_TEXT[exceptionType];
	}
	return `Werk24 reported "${String(exceptionType)}", which this version of the package does not describe yet. See the error handling page of the Werk24 documentation, or contact Werk24 support with the request_id.`;
}

const asObject = (value: unknown): Record<string, unknown> | undefined => (isPlainObject(value) ? value : undefined);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asText = (value: unknown): string | undefined =>
	typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;

/** The value of the first identifier of a type, preferring the current one over previous/future ones. */
function identifier(payload: Record<string, unknown>, type: string): string | undefined {
	const matches = asList(payload.identifiers)
		.map(asObject)
		.filter((entry): entry is Record<string, unknown> => entry?.identifier_type === type && asText(entry.value) !== undefined);
	const current = matches.find((entry) => entry.period === 'CURRENT' || entry.period === null || entry.period === undefined);
	return asText((current ?? matches[0])?.value);
}

/** Flat title-block fields from a META_DATA payload; only those present. Never throws on odd payloads. */
function metaDataFields(payload: Record<string, unknown>): Partial<SimplifiedMessage> {
	const fields: Partial<SimplifiedMessage> = {};
	const set = <K extends keyof SimplifiedMessage>(key: K, value: SimplifiedMessage[K] | undefined) => {
		if (value !== undefined) fields[key] = value;
	};
	set('drawing_number', identifier(payload, 'DRAWING_NUMBER'));
	set('part_number', identifier(payload, 'PART_NUMBER'));
	set('designation', asList(payload.designation).map((entry) => asText(asObject(entry)?.value)).find(Boolean));

	const firstMaterial = asList(payload.material_options)
		.flatMap((option) => asList(asObject(option)?.material_combination))
		.map(asObject)
		.find((material) => asText(material?.designation) !== undefined);
	set('material', asText(firstMaterial?.designation));
	set('material_standard', asText(firstMaterial?.standard));

	const weight = asObject(payload.weight);
	set('weight', asText(weight?.value));
	set('weight_unit', asText(weight?.unit));

	const tolerances = asObject(payload.general_tolerances);
	const toleranceText = [asText(tolerances?.tolerance_standard), asText(tolerances?.tolerance_class)].filter(Boolean).join(' ');
	set('general_tolerances', toleranceText || undefined);

	set('projection_method', asText(asObject(payload.projection_method)?.projection_method));
	const languages = asList(payload.languages).filter((language): language is string => typeof language === 'string');
	set('languages', languages.length > 0 ? languages : undefined);
	return fields;
}

/** One flat, readable object per message: ok + readable errors, and for META_DATA the title-block fields. */
export function simplifyMessage(message: TechreadMessage): SimplifiedMessage {
	const isAsk = message.message_type === 'ASK';
	const payload = message.payload_dict;
	const isMetaData = isAsk && message.message_subtype === 'META_DATA' && payload !== null && isPlainObject(payload);
	return {
		request_id: message.request_id,
		message_type: message.message_type,
		message_subtype: message.message_subtype,
		ask_type: isAsk ? message.message_subtype : null,
		page_number: message.page_number,
		ok: isSuccessful(message),
		errors: message.exceptions.map((exception) => ({
			level: exception.exception_level,
			type: exception.exception_type,
			text: describeException(exception.exception_type),
		})),
		payload,
		payload_url: message.payload_url,
		...(isMetaData ? metaDataFields(payload) : {}),
		message,
	};
}
