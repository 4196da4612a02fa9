// `Authorization: Token <license token>`, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export type AuthOutcome = { ok: true } | { ok: false; reason: 'missing_token' | 'invalid_token' };

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function checkToken(header: string | string[] | undefined, expected: string): AuthOutcome {
	const value = Array.isArray(header) ? header[0] : header;
	const match = /^\s*Token\s+(\S+)\s*$/i.exec(value ?? '');
	if (!match) return { ok: false, reason: 'missing_token' };
	return timingSafeEqual(digest(match[1]), digest(expected)) ? { ok: true } : { ok: false, reason: 'invalid_token' };
}
