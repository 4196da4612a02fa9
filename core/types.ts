// The TechRead protocol's vocabulary (werk24-python 2.6 models/v2). Pure data: no I/O, no framework.

/** The nine v2 asks, in the order the API documentation lists them. */
export const ASK_TYPES = [
	'META_DATA',
	'FEATURES',
	'INSIGHTS',
	'BALLOONS',
	'REFERENCE_POSITIONS',
	'CUSTOM',
	'REDACTION',
	'SHEET_IMAGES',
	'VIEW_IMAGES',
] as const;
export type AskType = (typeof ASK_TYPES)[number];

/** v1 ask types the 2.x client still accepts; passed through untouched. */
export const V1_ASK_TYPES = [
	'CANVAS_THUMBNAIL', 'NOTES', 'PAGE_THUMBNAIL', 'PART_FAMILY_CHARACTERIZATION', 'PRODUCT_PMI_EXTRACT',
	'REVISION_TABLE', 'SECTIONAL_THUMBNAIL', 'SHEET_THUMBNAIL', 'SHEET_ANONYMIZATION', 'SHEET_REBRANDING',
	'TITLE_BLOCK', 'TRAIN', 'VARIANT_ANGLES', 'VARIANT_CAD', 'VARIANT_GDTS', 'VARIANT_LEADERS',
	'VARIANT_MATERIAL', 'VARIANT_MEASURES', 'VARIANT_RADII', 'VARIANT_ROUGHNESSES',
	'VARIANT_EXTERNAL_DIMENSIONS', 'VARIANT_THREAD_ELEMENTS', 'VARIANT_TOLERANCE_ELEMENTS',
	'VARIANT_PROCESSES', 'INTERNAL_SCREENING', 'DEBUG', 'EXCEL_SUMMARY', 'CANVAS_TABLES',
] as const;

export const MESSAGE_TYPES = ['ASK', 'PROGRESS', 'ERROR'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const PROGRESS_SUBTYPES = ['STARTED', 'COMPLETED', 'INITIALIZATION_SUCCESS'] as const;
export const ERROR_SUBTYPES = ['INTERNAL'] as const;

export const EXCEPTION_LEVELS = ['ERROR', 'INFO'] as const;
export type ExceptionLevel = (typeof EXCEPTION_LEVELS)[number];

/** The seven v2 exception types. The parser also accepts types it does not know (the service adds them). */
export const EXCEPTION_TYPES = [
	'DRAWING_FILE_FORMAT_UNSUPPORTED',
	'DRAWING_FILE_SIZE_TOO_LARGE',
	'DRAWING_RESOLUTION_TOO_LOW',
	'DRAWING_CONTENT_NOT_UNDERSTOOD',
	'CONFIGURATION_INCORRECT',
	'DRAWING_PAPER_SIZE_TOO_LARGE',
	'DRAWING_PAGE_COUNT_TOO_LARGE',
] as const;
export type ExceptionType = (typeof EXCEPTION_TYPES)[number];

export const PRIORITIES = ['PRIO1', 'PRIO2', 'PRIO3'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface TechreadException {
	exception_level: ExceptionLevel;
	/** One of EXCEPTION_TYPES, or a newer type this package does not know yet. */
	exception_type: string;
}

/** One message of the TechRead protocol, as POSTed to a callback URL or sent over the WebSocket. */
export interface TechreadMessage {
	request_id: string;
	message_type: MessageType;
	/** STARTED | COMPLETED | INITIALIZATION_SUCCESS | INTERNAL | an ask type (v2, v1 or newer). */
	message_subtype: string;
	page_number: number;
	payload_dict: Record<string, unknown> | null;
	payload_url: string | null;
	exceptions: TechreadException[];
}

/** A v2 ask as the API receives it: `{"ask_version":"v2","ask_type":…, …params}`. */
export interface AskV2 {
	ask_version: 'v2';
	ask_type: AskType;
	[param: string]: unknown;
}

/** Any ask the service may accept (v1, or one newer than this package): a plain object with `ask_type`. */
export interface RawAsk {
	ask_type: string;
	[key: string]: unknown;
}

export type Ask = AskV2 | RawAsk;

/** Where a problem sits (JSON path like `$.exceptions[0].exception_level`, or a field name) and why. */
export interface Problem {
	path: string;
	reason: string;
}

/** Expected failures are values, not exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export const DRAWING_TYPES = ['PDF', 'PNG', 'JPEG', 'TIFF'] as const;
export type DrawingKind = (typeof DRAWING_TYPES)[number];

export interface DrawingType {
	kind: DrawingKind;
	mimeType: string;
	extension: string;
}

/** Limits the service documents. */
export const MAX_DRAWING_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_PAGES = 5;
export const MAX_CALLBACK_HEADER_NAME_LENGTH = 128;
export const MAX_CALLBACK_HEADER_VALUE_LENGTH = 4096;
export const DEFAULT_API_URL = 'https://api.w24.co';
export const DEFAULT_STREAMING_URL = 'wss://ws-api.w24.co/v2';
