// One table of Callback Security settings with the verdict core/callbackSecurity.ts gives: used by its own test
// and by the consistency test that runs the same table through the credential Test, Submit and the Trigger.
import type { Problem } from '../../core';

export interface CallbackSecurityCase {
	label: string;
	headerName: string;
	secret: string;
	/** Empty = accepted. */
	problems: Problem[];
}

export const GOOD_HEADER = 'X-Werk24-Token';
export const GOOD_SECRET = 'callback-secret-for-tests-0123';

const ok = (label: string, headerName: string, secret: string): CallbackSecurityCase => ({ label, headerName, secret, problems: [] });
const bad = (label: string, headerName: string, secret: string, ...problems: Problem[]): CallbackSecurityCase => ({
	label,
	headerName,
	secret,
	problems,
});
const header = (reason: string): Problem => ({ path: 'headerName', reason });
const secret = (reason: string): Problem => ({ path: 'secret', reason });

const TOKEN_CHARS = "use only letters, digits and - _ . ! # $ % & ' * + ^ ` | ~ (e.g. X-Werk24-Token)";
const AROUND = 'HTTP drops spaces around a header value, so every callback would be refused with 401';
const CARRY = 'which an HTTP header cannot carry, so every callback would be refused with 401 — use letters, digits, punctuation and spaces only';

export const ACCEPTED: CallbackSecurityCase[] = [
	ok('the defaults', GOOD_HEADER, GOOD_SECRET),
	ok('Authorization as header name', 'Authorization', GOOD_SECRET),
	ok('a lower-case x- name', 'x-werk24-token', GOOD_SECRET),
	ok('a header name with spaces around it (trimmed like every field)', `  ${GOOD_HEADER} `, GOOD_SECRET),
	ok('a header name of exactly 128 characters', `X-${'a'.repeat(126)}`, GOOD_SECRET),
	ok('every token character in the name', "X-!#$%&'*+.^_`|~09azAZ", GOOD_SECRET),
	ok('a secret of exactly 16 characters', GOOD_HEADER, '0123456789abcdef'),
	ok('a secret of exactly 4096 characters', GOOD_HEADER, 's'.repeat(4096)),
	ok('inner spaces in the secret', GOOD_HEADER, 'inner spaces are kept by HTTP'),
	ok('visible ASCII punctuation in the secret', GOOD_HEADER, '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'),
	ok('Latin-1 letters in the secret', GOOD_HEADER, 'geheimes-Passwort-für-Rückrufe-ß'),
];

export const REFUSED: CallbackSecurityCase[] = [
	bad('an empty header name', '', GOOD_SECRET, header('Header Name is empty — enter X-Werk24-Token, or another name starting with "X-", or Authorization')),
	bad('a header name of spaces only', '   ', GOOD_SECRET, header('Header Name is empty — enter X-Werk24-Token, or another name starting with "X-", or Authorization')),
	bad(
		'a header name Werk24 does not forward',
		'Werk24-Token',
		GOOD_SECRET,
		header('Header Name "Werk24-Token" is not forwarded by Werk24 — use a name starting with "X-" (e.g. X-Werk24-Token) or Authorization'),
	),
	bad(
		'"Authorization-X", which only looks like Authorization',
		'Authorization-X',
		GOOD_SECRET,
		header('Header Name "Authorization-X" is not forwarded by Werk24 — use a name starting with "X-" (e.g. X-Werk24-Token) or Authorization'),
	),
	// The bug: the Trigger accepted this name, the credential Test and Submit refused it.
	bad(
		'a space inside the header name',
		'X-Werk24 Token',
		GOOD_SECRET,
		header(`Header Name "X-Werk24 Token" holds a space, which a header name cannot carry — ${TOKEN_CHARS}`),
	),
	bad(
		'a colon, an umlaut and a tab in the header name',
		'X-Wërk24:\tToken',
		GOOD_SECRET,
		header(`Header Name "X-Wërk24:\\tToken" holds "ë" (U+00EB), ":" (U+003A) and a tab, which a header name cannot carry — ${TOKEN_CHARS}`),
	),
	bad(
		'a header name of 129 characters',
		`X-${'a'.repeat(127)}`,
		GOOD_SECRET,
		header('Header Name has 129 characters — use at most 128 (e.g. X-Werk24-Token)'),
	),
	bad(
		'a header name that breaks two rules',
		'Werk24 Token',
		GOOD_SECRET,
		header('Header Name "Werk24 Token" is not forwarded by Werk24 — use a name starting with "X-" (e.g. X-Werk24-Token) or Authorization'),
		header(`Header Name "Werk24 Token" holds a space, which a header name cannot carry — ${TOKEN_CHARS}`),
	),
	bad('an empty secret', GOOD_HEADER, '', secret('Secret is empty — enter a random secret of 16 to 4096 characters')),
	bad('a secret of 15 characters', GOOD_HEADER, '123456789012345', secret('Secret has 15 characters — use at least 16')),
	// The bug: the credential Test accepted the following secrets, the Trigger refused them at activation.
	bad(
		'a secret of 4097 characters',
		GOOD_HEADER,
		's'.repeat(4097),
		secret('Secret has 4097 characters — use at most 4096, the longest header value Werk24 forwards'),
	),
	bad('a leading space in the secret', GOOD_HEADER, ' leading-space-secret-0123', secret(`Secret starts with a space — remove it: ${AROUND}`)),
	bad('a trailing space in the secret', GOOD_HEADER, 'trailing-space-secret-0123 ', secret(`Secret ends with a space — remove it: ${AROUND}`)),
	bad(
		'spaces on both ends of the secret',
		GOOD_HEADER,
		'  both-ends-secret-0123\n',
		secret(`Secret starts with 2 spaces and ends with a line break — remove them: ${AROUND}`),
	),
	bad(
		'a trailing non-breaking space in the secret',
		GOOD_HEADER,
		'nbsp-secret-0123456789\u00a0',
		secret(`Secret ends with a non-breaking space — remove it: ${AROUND}`),
	),
	bad('a tab inside the secret', GOOD_HEADER, 'tab\tinside-the-secret-0123', secret(`Secret holds a tab at character 4, ${CARRY}`)),
	bad('a line break inside the secret', GOOD_HEADER, 'line\nbreak-in-the-secret', secret(`Secret holds a line break at character 5, ${CARRY}`)),
	bad(
		'DEL and a C1 control character inside the secret',
		GOOD_HEADER,
		'del\u007f-and-nel\u0085-secret',
		secret(`Secret holds a control character (U+007F) at character 4 and a control character (U+0085) at character 13, ${CARRY}`),
	),
	bad('a euro sign in the secret', GOOD_HEADER, 'euro-sign-secret-0123-\u20ac', secret(`Secret holds "€" (U+20AC) at character 23, ${CARRY}`)),
	bad(
		'an emoji in the secret',
		GOOD_HEADER,
		'emoji-\u{1F511}-secret-0123',
		secret(`Secret holds "\u{1F511}" (U+1F511) at character 7, ${CARRY}`),
	),
	bad(
		'four characters a header cannot carry',
		GOOD_HEADER,
		'a\u0001b\u0002c\u0003d\u0004-secret-0123',
		secret(
			'Secret holds a control character (U+0001) at character 2, a control character (U+0002) at character 4, ' +
				`a control character (U+0003) at character 6 and 1 more, ${CARRY}`,
		),
	),
	bad(
		'a short secret with a space at the end',
		GOOD_HEADER,
		'short ',
		secret('Secret has 6 characters — use at least 16'),
		secret(`Secret ends with a space — remove it: ${AROUND}`),
	),
	bad(
		'a bad header name and a bad secret together',
		'Token',
		'short',
		header('Header Name "Token" is not forwarded by Werk24 — use a name starting with "X-" (e.g. X-Werk24-Token) or Authorization'),
		secret('Secret has 5 characters — use at least 16'),
	),
];

export const CASES: CallbackSecurityCase[] = [...ACCEPTED, ...REFUSED];
