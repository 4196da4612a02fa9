import fc from 'fast-check';
import {
	MAX_CALLBACK_HEADER_VALUE_LENGTH,
	MIN_CALLBACK_SECRET_LENGTH,
	validateCallbackHeaders,
	validateCallbackSecurity,
} from '../../core';
import { ACCEPTED, GOOD_HEADER, GOOD_SECRET, REFUSED } from './callbackSecurityCases';

describe('validateCallbackSecurity: the one rule for the Callback Security header name and secret', () => {
	it.each(ACCEPTED.map((c) => [c.label, c] as const))('accepts %s', (_label, c) => {
		expect(validateCallbackSecurity({ headerName: c.headerName, secret: c.secret })).toEqual({
			ok: true,
			value: { headerName: c.headerName.trim(), secret: c.secret },
		});
	});

	it.each(REFUSED.map((c) => [c.label, c] as const))('refuses %s, saying what to change', (_label, c) => {
		expect(validateCallbackSecurity({ headerName: c.headerName, secret: c.secret })).toEqual({ ok: false, problems: c.problems });
	});

	it('never echoes the secret', () => {
		for (const c of REFUSED.filter((entry) => entry.secret.length >= 5)) {
			const result = validateCallbackSecurity({ headerName: c.headerName, secret: c.secret });
			expect(JSON.stringify(result)).not.toContain(JSON.stringify(c.secret).slice(1, -1));
		}
	});

	it('treats missing fields as empty and other types as a problem, never throws', () => {
		expect(validateCallbackSecurity({})).toEqual({
			ok: false,
			problems: [
				{ path: 'headerName', reason: expect.stringMatching(/^Header Name is empty/) },
				{ path: 'secret', reason: expect.stringMatching(/^Secret is empty/) },
			],
		});
		expect(validateCallbackSecurity({ headerName: 42, secret: ['a'] })).toEqual({
			ok: false,
			problems: [
				{ path: 'headerName', reason: 'Header Name must be text, got a number' },
				{ path: 'secret', reason: 'Secret must be text, got a list' },
			],
		});
		expect(validateCallbackSecurity(null as never).ok).toBe(false);
	});

	it('agrees with the callback header rule of the request preflight on every header name', () => {
		// Submit sends the credential's header through validateCallbackHeaders too: no name may pass one and fail the other.
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.constantFrom('X-', 'x-', 'Authorization')).chain((prefix) => fc.string().map((rest) => prefix + rest)), (name) => {
				const trimmed = name.trim();
				const security = validateCallbackSecurity({ headerName: name, secret: GOOD_SECRET });
				const headers = trimmed === '' ? [{}] : validateCallbackHeaders({ [trimmed]: GOOD_SECRET });
				return security.ok === (trimmed !== '' && (headers as unknown[]).length === 0);
			}),
			{ numRuns: 2000 },
		);
	});

	it('accepts every secret of visible ASCII and Latin-1 letters with inner spaces, within the lengths', () => {
		const char = fc.constantFrom(...' !~azAZ09ßäöüÿ\u00a1\u00bf'.split(''));
		fc.assert(
			fc.property(fc.array(char, { minLength: MIN_CALLBACK_SECRET_LENGTH, maxLength: 64 }), (chars) => {
				const value = `a${chars.join('')}z`;
				return validateCallbackSecurity({ headerName: GOOD_HEADER, secret: value }).ok;
			}),
		);
		expect(validateCallbackSecurity({ headerName: GOOD_HEADER, secret: 'x'.repeat(MAX_CALLBACK_HEADER_VALUE_LENGTH) }).ok).toBe(true);
	});
});
