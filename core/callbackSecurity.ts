// The one rule for the Werk24 Callback Security settings (header name + secret). The credential Test, Submit
// and the Trigger's activation all ask this function, so they accept and refuse exactly the same values with the
// same reasons. Pure; never throws; the secret is never echoed (only the position of a character it must lose).
import { MAX_CALLBACK_HEADER_NAME_LENGTH, MAX_CALLBACK_HEADER_VALUE_LENGTH } from './types';
import type { Problem, Result } from './types';

export const MIN_CALLBACK_SECRET_LENGTH = 16;

export interface CallbackSecurityInput {
	headerName?: unknown;
	secret?: unknown;
}

/** Settings that passed every rule: the header name trimmed (as sent), the secret exactly as entered. */
export interface CallbackSecuritySettings {
	headerName: string;
	secret: string;
}

/** RFC 9110 token characters: anything else cannot travel as an HTTP header name. */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN_CHARS_TEXT = "letters, digits and - _ . ! # $ % & ' * + ^ ` | ~";
const EXAMPLE = 'X-Werk24-Token';
/** Whatever JavaScript's trim() removes; HTTP drops spaces and tabs around a value, the rest never arrives intact either. */
const EDGE_SPACE = /\s/;
const MAX_LISTED = 3;

/** Werk24 forwards only `Authorization` and `X-…` headers to the callback (werk24-api.md §5.2). */
export function isForwardedHeaderName(name: string): boolean {
	const lower = name.toLowerCase();
	return lower === 'authorization' || lower.startsWith('x-');
}

/** Whether `name` is an HTTP token, i.e. can be a header name at all. */
export function isHeaderToken(name: string): boolean {
	return HEADER_TOKEN.test(name);
}

function asText(value: unknown, field: string, path: string, problems: Problem[]): string | undefined {
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) return '';
	problems.push({ path, reason: `${field} must be text, got ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}` });
	return undefined;
}

function quoted(name: string): string {
	return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

function codePoint(char: string): string {
	return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function listed(items: string[]): string {
	const shown = items.slice(0, MAX_LISTED);
	const more = items.length - shown.length;
	if (more > 0) return `${shown.join(', ')} and ${more} more`;
	return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown[0];
}

/** A character as the user can find it: "a space", "a tab", "a line break", "a control character (U+0007)", `"ä" (U+00E4)`. */
function describe(char: string): string {
	if (char === ' ') return 'a space';
	if (char === '\t') return 'a tab';
	if (char === '\n' || char === '\r') return 'a line break';
	if (char === '\u00a0') return 'a non-breaking space';
	if (/\p{Cc}/u.test(char)) return `a control character (${codePoint(char)})`;
	if (EDGE_SPACE.test(char)) return `a ${codePoint(char)} space`;
	return `${JSON.stringify(char)} (${codePoint(char)})`;
}

function headerNameProblems(name: string): Problem[] {
	const path = 'headerName';
	if (name === '') {
		return [{ path, reason: `Header Name is empty — enter ${EXAMPLE}, or another name starting with "X-", or Authorization` }];
	}
	const problems: Problem[] = [];
	if (!isForwardedHeaderName(name)) {
		problems.push({
			path,
			reason: `Header Name ${quoted(name)} is not forwarded by Werk24 — use a name starting with "X-" (e.g. ${EXAMPLE}) or Authorization`,
		});
	}
	if (!isHeaderToken(name)) {
		const bad = [...new Set([...name].filter((char) => !HEADER_TOKEN_CHAR.test(char)))].map(describe);
		problems.push({
			path,
			reason: `Header Name ${quoted(name)} holds ${listed(bad)}, which a header name cannot carry — use only ${TOKEN_CHARS_TEXT} (e.g. ${EXAMPLE})`,
		});
	}
	if (name.length > MAX_CALLBACK_HEADER_NAME_LENGTH) {
		problems.push({
			path,
			reason: `Header Name has ${name.length} characters — use at most ${MAX_CALLBACK_HEADER_NAME_LENGTH} (e.g. ${EXAMPLE})`,
		});
	}
	return problems;
}

/** How many characters of `chars` (from the start) are whitespace. */
function edgeRun(chars: string[]): number {
	let count = 0;
	while (count < chars.length && EDGE_SPACE.test(chars[count])) count++;
	return count;
}

function describeRun(run: string[]): string {
	if (run.length === 1) return describe(run[0]);
	if (run.every((char) => char === ' ')) return `${run.length} spaces`;
	return `${run.length} whitespace characters`;
}

/** A header value can carry visible ASCII, inner spaces and Latin-1 letters; control characters and anything beyond Latin-1 cannot. */
function isSendable(char: string): boolean {
	const code = char.codePointAt(0) ?? 0;
	return code <= 0xff && !/\p{Cc}/u.test(char);
}

function secretProblems(secret: string): Problem[] {
	const path = 'secret';
	if (secret === '') {
		return [{ path, reason: `Secret is empty — enter a random secret of ${MIN_CALLBACK_SECRET_LENGTH} to ${MAX_CALLBACK_HEADER_VALUE_LENGTH} characters` }];
	}
	const problems: Problem[] = [];
	if (secret.length < MIN_CALLBACK_SECRET_LENGTH) {
		problems.push({ path, reason: `Secret has ${secret.length} characters — use at least ${MIN_CALLBACK_SECRET_LENGTH}` });
	}
	if (secret.length > MAX_CALLBACK_HEADER_VALUE_LENGTH) {
		problems.push({
			path,
			reason: `Secret has ${secret.length} characters — use at most ${MAX_CALLBACK_HEADER_VALUE_LENGTH}, the longest header value Werk24 forwards`,
		});
	}

	const chars = [...secret];
	const leading = edgeRun(chars);
	const trailing = leading === chars.length ? 0 : edgeRun([...chars].reverse());
	if (leading > 0 || trailing > 0) {
		const ends = [
			leading > 0 ? `starts with ${describeRun(chars.slice(0, leading))}` : '',
			trailing > 0 ? `ends with ${describeRun(chars.slice(chars.length - trailing))}` : '',
		].filter(Boolean);
		problems.push({
			path,
			reason:
				`Secret ${ends.join(' and ')} — remove ${leading + trailing > 1 ? 'them' : 'it'}: ` +
				'HTTP drops spaces around a header value, so every callback would be refused with 401',
		});
	}
	const unsendable: string[] = [];
	for (let index = leading; index < chars.length - trailing; index++) {
		if (!isSendable(chars[index])) unsendable.push(`${describe(chars[index])} at character ${index + 1}`);
	}
	if (unsendable.length > 0) {
		problems.push({
			path,
			reason:
				`Secret holds ${listed(unsendable)}, which an HTTP header cannot carry, so every callback would be refused with 401 — ` +
				'use letters, digits, punctuation and spaces only',
		});
	}
	return problems;
}

/**
 * The Werk24 Callback Security settings: Header Name `Authorization` or `X-…`, an HTTP token, at most 128
 * characters (trimmed, as every caller sends it); Secret 16 to 4096 characters, nothing HTTP would strip or
 * could not carry. Every problem says what to change; all are collected.
 */
export function validateCallbackSecurity(input: CallbackSecurityInput): Result<CallbackSecuritySettings> {
	const problems: Problem[] = [];
	const source = input !== null && typeof input === 'object' ? input : {};
	const headerName = asText(source.headerName, 'Header Name', 'headerName', problems)?.trim();
	const secret = asText(source.secret, 'Secret', 'secret', problems);
	if (headerName !== undefined) problems.push(...headerNameProblems(headerName));
	if (secret !== undefined) problems.push(...secretProblems(secret));
	if (problems.length > 0 || headerName === undefined || secret === undefined) return { ok: false, problems };
	return { ok: true, value: { headerName, secret } };
}
