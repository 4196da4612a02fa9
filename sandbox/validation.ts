// Server-side checks of request fields. Protocol rules come from core (asks, header names, priority, keys);
// this file only decides which HTTP answer a failed rule gets and what the details say.
import {
	ASK_TYPES,
	V1_ASK_TYPES,
	checkPublicKey,
	normalizePriority,
	parseAsks,
	validateCallbackHeaders,
	type Ask,
	type Priority,
	type Problem,
} from '../core';

export interface FieldError {
	status: 400;
	message: string;
	details: Record<string, unknown>;
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: FieldError };

const fail = (message: string, details: Record<string, unknown>): { ok: false; error: FieldError } => ({
	ok: false,
	error: { status: 400, message, details },
});

/** Older clients send strings raw; werk24-python sends every field JSON-encoded. Accept both. */
export function decodeField(raw: string): unknown {
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}

// v1 asks are accepted, so they are valid too (the documented error example lists v1 names).
const VALID_ASKS: readonly string[] = [...ASK_TYPES, ...V1_ASK_TYPES];
const KNOWN_ASK_TYPES = new Set<string>(VALID_ASKS);

/** As werk24-python's validate_asks: a non-empty list whose ask types the service knows. */
export function checkAsks(value: unknown): Checked<Ask[]> {
	if (value === undefined || value === null) return fail('Missing field "asks"', { missing: ['asks'], valid_asks: VALID_ASKS });
	const parsed = parseAsks(value, { acceptKindAlias: true });
	if (!parsed.ok) {
		const invalid = invalidAskNames(value);
		// Known ask types with a wrong shape or parameter: the problem, not "invalid ask type", says what to fix.
		const message = invalid.length > 0 ? 'Invalid ask type specified' : `Invalid asks: ${parsed.problems.map((p) => `${p.path} ${p.reason}`).join('; ')}`;
		return fail(message, { invalid_asks: invalid, valid_asks: VALID_ASKS, problems: parsed.problems });
	}
	if (parsed.value.length === 0) return fail('At least one ask is required', { valid_asks: VALID_ASKS });
	const unknown = parsed.value.filter((ask) => !KNOWN_ASK_TYPES.has(ask.ask_type)).map((ask) => ask.ask_type);
	if (unknown.length > 0) return fail('Invalid ask type specified', { invalid_asks: unknown, valid_asks: VALID_ASKS });
	return { ok: true, value: parsed.value };
}

function invalidAskNames(value: unknown): unknown[] {
	// Not a list at all: no ask type is at fault, the shape is.
	if (!Array.isArray(value)) return [];
	return value
		.map((item: unknown) => {
			if (!item || typeof item !== 'object') return item;
			const record = item as Record<string, unknown>;
			return record.ask_type ?? record.kind ?? item;
		})
		.filter((name) => typeof name !== 'string' || !KNOWN_ASK_TYPES.has(name.toUpperCase()));
}

export function checkCallbackUrl(value: unknown): Checked<string> {
	if (value === undefined || value === null || value === '') return fail('Missing field "callback_url"', { missing: ['callback_url'] });
	if (typeof value !== 'string') return fail('Invalid callback_url: must be a string', { callback_url: value });
	try {
		const url = new URL(value);
		if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('scheme');
		return { ok: true, value: url.href };
	} catch {
		return fail('Invalid callback_url: must be an http(s) URL', { callback_url: value });
	}
}

export function checkCallbackHeaders(value: unknown): Checked<Record<string, string> | null> {
	if (value === undefined || value === null || value === '') return { ok: true, value: null };
	if (typeof value !== 'object' || Array.isArray(value)) return fail('Invalid callback_headers: must be an object', { callback_headers: typeof value });
	const entries = Object.entries(value as Record<string, unknown>);
	const notStrings = entries.filter(([, v]) => typeof v !== 'string').map(([name]) => name);
	if (notStrings.length > 0) return fail('Invalid callback_headers: values must be strings', { invalid_headers: notStrings });
	const headers = value as Record<string, string>;
	const problems: Problem[] = validateCallbackHeaders(headers);
	if (problems.length > 0) {
		const invalid = Object.keys(headers).filter((name) => problems.some((p) => p.path.includes(name) || p.reason.includes(name)));
		return fail(`Invalid callback header${invalid.length === 1 ? '' : 's'}: ${(invalid.length ? invalid : problems.map((p) => p.path)).join(', ')}`, {
			invalid_headers: invalid,
			problems,
			rule: 'name must be "Authorization" or start with "X-"; name ≤ 128 characters; value ≤ 4096 characters',
		});
	}
	return { ok: true, value: headers };
}

export function checkMaxPages(value: unknown): Checked<number> {
	if (value === undefined || value === null || value === '') return { ok: true, value: 5 };
	const number = typeof value === 'string' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
		return fail('Invalid max_pages: must be an integer ≥ 1', { max_pages: value });
	}
	return { ok: true, value: number };
}

export function checkPriority(value: unknown): Checked<Priority | null> {
	const result = normalizePriority(value);
	if (!result.ok) return fail('Invalid priority', { priority: value, valid_priorities: ['PRIO1', 'PRIO2', 'PRIO3'], problems: result.problems });
	return result;
}

export function checkPublicKeyField(value: unknown): Checked<string | null> {
	if (value === undefined || value === null || value === '') return { ok: true, value: null };
	if (typeof value !== 'string') return fail('Invalid public_key: must be a PEM string', {});
	const problems = checkPublicKey(value);
	if (problems.length > 0) return fail('Invalid public_key', { problems });
	return { ok: true, value };
}

export function checkClientVersion(value: unknown): Checked<string | null> {
	if (value === undefined || value === null) return { ok: true, value: null };
	if (typeof value !== 'string' && typeof value !== 'number') return fail('Invalid client_version: must be a string', {});
	return { ok: true, value: String(value) };
}
