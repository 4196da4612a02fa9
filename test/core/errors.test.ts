import {
	Werk24BadRequestError,
	Werk24Error,
	Werk24NetworkError,
	Werk24NotFoundError,
	Werk24RateLimitError,
	Werk24ServiceError,
	Werk24TooLargeError,
	Werk24UnauthorizedError,
	Werk24UnsupportedTypeError,
	errorFromNetwork,
	errorFromResponse,
	redactText,
} from '../../core';

const DOCUMENTED_400 = {
	code: '400',
	message: 'Invalid ask type specified',
	details: { invalid_asks: ['INVALID_ASK'], valid_asks: ['VARIANT_MEASURES', 'VARIANT_GDTS', 'TITLE_BLOCK'] },
	request_id: '123e4567-e89b-12d3-a456-426614174000',
};

describe('errorFromResponse: the status table', () => {
	const table: Array<[number, string, abstract new (...args: never[]) => Werk24Error, RegExp, boolean]> = [
		[400, 'bad_request', Werk24BadRequestError, /^Werk24 rejected the request \(HTTP 400\)/, false],
		[401, 'unauthorized', Werk24UnauthorizedError, /^License token rejected — check the Werk24 API credential \(HTTP 401\)/, false],
		[402, 'unauthorized', Werk24UnauthorizedError, /^License token rejected — check the Werk24 API credential \(HTTP 402\)/, false],
		[403, 'unauthorized', Werk24UnauthorizedError, /^License token rejected — check the Werk24 API credential \(HTTP 403\)/, false],
		[404, 'not_found', Werk24NotFoundError, /^Werk24 endpoint not found \(HTTP 404\)$/, false],
		[413, 'too_large', Werk24TooLargeError, /^Drawing larger than 10 MB$/, false],
		[415, 'unsupported_type', Werk24UnsupportedTypeError, /^Unsupported file type$/, false],
		[422, 'bad_request', Werk24BadRequestError, /^Werk24 rejected the request \(HTTP 422\)/, false],
		[429, 'rate_limited', Werk24RateLimitError, /out of credits .* or rate-limited \(HTTP 429\)/, false],
		[500, 'service', Werk24ServiceError, /^Werk24 service error \(HTTP 500\)$/, false],
		[501, 'service', Werk24ServiceError, /^Werk24 service error \(HTTP 501\)$/, false],
		[502, 'service', Werk24ServiceError, /^Werk24 service error \(HTTP 502\)$/, true],
		[503, 'service', Werk24ServiceError, /^Werk24 service error \(HTTP 503\)$/, true],
		[504, 'service', Werk24ServiceError, /^Werk24 service error \(HTTP 504\)$/, true],
		[599, 'service', Werk24ServiceError, /^Werk24 service error \(HTTP 599\)$/, false],
		[301, 'service', Werk24ServiceError, /^Unexpected answer from Werk24 \(HTTP 301\)$/, false],
		[405, 'service', Werk24ServiceError, /^Unexpected answer from Werk24 \(HTTP 405\)$/, false],
		[418, 'service', Werk24ServiceError, /^Unexpected answer from Werk24 \(HTTP 418\)$/, false],
	];

	it.each(table)('maps %i to %s', (status, kind, errorClass, title, retryable) => {
		const error = errorFromResponse(status, undefined);
		expect(error).toBeInstanceOf(errorClass);
		expect(error).toBeInstanceOf(Werk24Error);
		expect(error).toBeInstanceOf(Error);
		expect([error.kind, error.status, error.retryable]).toEqual([kind, status, retryable]);
		expect(error.title).toMatch(title);
		expect(error.message).toBe(error.title);
		expect(error.hint.length).toBeGreaterThan(20);
	});

	it('tells the user to check the credential on 401/402/403, with the extra meaning of 402 and 403', () => {
		expect(errorFromResponse(401, undefined).hint).toMatch(/^Check the License Token in the Werk24 API credential/);
		expect(errorFromResponse(402, undefined).hint).toContain('no credits left');
		expect(errorFromResponse(403, undefined).hint).toContain('does not include this feature or priority');
	});

	it('points 404 at the API URL', () => {
		expect(errorFromResponse(404, { detail: 'Not Found' }).hint).toContain('API URL in the Werk24 API credential');
	});

	it('names the fix for 413 and 415', () => {
		expect(errorFromResponse(413, 'Request Entity Too Large').hint).toMatch(/up to 10 MB/);
		expect(errorFromResponse(415, undefined).hint).toMatch(/PDF, PNG, JPEG or TIFF/);
	});

	it.each([0, -1, 200, 204, 600, 404.5, Number.NaN])('turns the odd status %p into an error without throwing', (status) => {
		const error = errorFromResponse(status, { message: 'x' });
		expect(error.kind).toBe(status >= 200 && status < 300 && Number.isInteger(status) ? 'service' : 'protocol');
	});
});

describe('errorFromResponse: the server details', () => {
	it('lists the invalid and the valid asks from the documented 400 body', () => {
		const error = errorFromResponse(400, DOCUMENTED_400);
		expect(error.title).toBe('Werk24 rejected the request (HTTP 400): Invalid ask type specified');
		expect(error.hint).toBe(
			'Invalid asks: INVALID_ASK. Valid asks: VARIANT_MEASURES, VARIANT_GDTS, TITLE_BLOCK. Change the asks and submit again. ' +
				'Werk24 request ID: 123e4567-e89b-12d3-a456-426614174000.',
		);
		expect(error.details).toEqual(DOCUMENTED_400);
	});

	it.each([
		['a JSON string', JSON.stringify(DOCUMENTED_400)],
		['a Buffer', Buffer.from(JSON.stringify(DOCUMENTED_400))],
		['a Uint8Array', new TextEncoder().encode(JSON.stringify(DOCUMENTED_400))],
		['an ArrayBuffer', new TextEncoder().encode(JSON.stringify(DOCUMENTED_400)).buffer],
	])('reads the same body given as %s', (_label, body) => {
		const error = errorFromResponse(400, body);
		expect(error.title).toBe('Werk24 rejected the request (HTTP 400): Invalid ask type specified');
		expect(error.hint).toContain('Invalid asks: INVALID_ASK.');
	});

	it('shows a plain-text body and survives broken JSON', () => {
		expect(errorFromResponse(500, 'upstream exploded').title).toBe('Werk24 service error (HTTP 500): upstream exploded');
		expect(errorFromResponse(400, '{"message": ').title).toBe('Werk24 rejected the request (HTTP 400): {"message":');
		expect(errorFromResponse(400, '').title).toBe('Werk24 rejected the request (HTTP 400)');
		expect(errorFromResponse(400, null).title).toBe('Werk24 rejected the request (HTTP 400)');
		expect(errorFromResponse(400, 42).title).toBe('Werk24 rejected the request (HTTP 400): 42');
		expect(errorFromResponse(400, [1, 2]).title).toBe('Werk24 rejected the request (HTTP 400): [1,2]');
	});

	it('makes a FastAPI validation detail readable', () => {
		const body = { detail: [{ loc: ['body', 'asks'], msg: 'field required', type: 'missing' }, { loc: ['body', 'max_pages'], msg: 'must be ≥ 1' }] };
		expect(errorFromResponse(422, body).title).toBe('Werk24 rejected the request (HTTP 422): asks: field required; max_pages: must be ≥ 1');
	});

	it('adds the reason of the documented 401 body', () => {
		const error = errorFromResponse(401, { code: '401', message: 'Authentication failed', details: { reason: 'token_expired' } });
		expect(error.title).toBe('License token rejected — check the Werk24 API credential (HTTP 401: token_expired)');
	});

	it('shortens very long messages', () => {
		const error = errorFromResponse(500, 'x'.repeat(5000));
		expect(error.title.length).toBeLessThan(360);
		expect(error.title.endsWith('…')).toBe(true);
	});
});

describe('errorFromResponse: 429 and Retry-After', () => {
	it('reads Retry-After seconds from the header, in any case', () => {
		const error = errorFromResponse(429, undefined, { 'retry-after': '30' });
		expect(error.retryAfterSeconds).toBe(30);
		expect(error.hint).toMatch(/^Werk24 asks to wait 30 seconds/);
		expect(errorFromResponse(429, undefined, { 'Retry-After': ['7'] }).retryAfterSeconds).toBe(7);
	});

	it('reads an HTTP-date Retry-After relative to the given time', () => {
		const now = Date.parse('2026-07-16T10:00:00Z');
		const error = errorFromResponse(429, undefined, { 'Retry-After': 'Thu, 16 Jul 2026 10:01:30 GMT' }, { now });
		expect(error.retryAfterSeconds).toBe(90);
	});

	it('falls back to retry_after in the body (the documented rate-limit answer)', () => {
		expect(errorFromResponse(429, { code: '429', message: 'Rate limit exceeded', retry_after: 12 }).retryAfterSeconds).toBe(12);
		expect(errorFromResponse(429, { details: { retry_after: '2.5' } }).retryAfterSeconds).toBe(3);
	});

	it('prefers the header over the body and ignores nonsense', () => {
		expect(errorFromResponse(429, { retry_after: 99 }, { 'retry-after': '5' }).retryAfterSeconds).toBe(5);
		expect(errorFromResponse(429, { retry_after: -3 }, { 'retry-after': 'soon' }).retryAfterSeconds).toBeUndefined();
	});

	it('says both possible meanings when no Retry-After is given', () => {
		const error = errorFromResponse(429, undefined);
		expect(error.hint).toMatch(/^Wait a moment.*credit balance/);
		expect(error.retryable).toBe(false);
	});

	it('carries Retry-After on a 503 too', () => {
		const error = errorFromResponse(503, undefined, { 'retry-after': '4' });
		expect([error.retryable, error.retryAfterSeconds]).toEqual([true, 4]);
	});
});

describe('errorFromResponse never keeps secrets', () => {
	it('blanks secret-looking keys at any depth and auth values in text', () => {
		const body = {
			message: 'Header was Authorization: Token abc123secret',
			token: 'abc123secret',
			details: { Authorization: 'Token abc123secret', nested: [{ api_key: 'k' }], url: 'https://x.example/p?X-Amz-Signature=zzz' },
		};
		const error = errorFromResponse(401, body);
		const everything = JSON.stringify({ title: error.title, hint: error.hint, details: error.details, message: error.message });
		expect(everything).not.toContain('abc123secret');
		expect(everything).not.toContain('zzz');
		expect(everything).not.toContain('"k"');
		expect(error.details).toMatchObject({ token: '[redacted]', details: { Authorization: '[redacted]', url: 'https://x.example/p?[redacted]' } });
	});

	it('redacts text bodies too', () => {
		const error = errorFromResponse(500, 'failed for Bearer eyJhbGciOi.payload.sig at https://h.example/a?token=1');
		expect(error.title).toBe('Werk24 service error (HTTP 500): failed for Bearer [redacted] at https://h.example/a?[redacted]');
	});

	it('redactText leaves ordinary text alone', () => {
		expect(redactText('Invalid ask type specified')).toBe('Invalid ask type specified');
	});
});

describe('errorFromNetwork', () => {
	const withCode = (code: string, message = `connect ${code} 10.0.0.1:443`) => Object.assign(new Error(message), { code });

	it.each([
		['ECONNREFUSED', 'network', /^Could not reach Werk24: the connection was refused \(ECONNREFUSED\)$/],
		['ENOTFOUND', 'network', /host name could not be resolved \(ENOTFOUND\)/],
		['ECONNRESET', 'network', /connection was interrupted/],
		['ETIMEDOUT', 'timeout', /^Werk24 did not answer in time \(ETIMEDOUT\)$/],
		['UND_ERR_CONNECT_TIMEOUT', 'timeout', /did not answer in time/],
	])('maps %s as a retryable %s error with status 0', (code, kind, title) => {
		const error = errorFromNetwork(withCode(code));
		expect(error).toBeInstanceOf(Werk24NetworkError);
		expect([error.kind, error.status, error.retryable]).toEqual([kind, 0, true]);
		expect(error.title).toMatch(title);
		expect(error.details).toMatchObject({ code });
	});

	it('reads the code fetch hides in `cause`', () => {
		const fetchError = new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') });
		expect(errorFromNetwork(fetchError).title).toContain('ECONNREFUSED');
	});

	it('treats an aborted or timed-out request as a timeout', () => {
		const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
		expect(errorFromNetwork(abort).kind).toBe('timeout');
		expect(errorFromNetwork(new DOMException('timed out', 'TimeoutError')).kind).toBe('timeout');
	});

	it('blames certificate interception for TLS failures and does not retry them', () => {
		const error = errorFromNetwork(withCode('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'));
		expect([error.kind, error.retryable]).toEqual(['network', false]);
		expect(error.hint).toMatch(/inspects HTTPS traffic/);
	});

	it('handles causes that are not errors', () => {
		expect(errorFromNetwork('socket hang up').title).toBe('Could not reach Werk24: socket hang up');
		expect(errorFromNetwork(undefined).title).toBe('Could not reach Werk24');
		expect(errorFromNetwork({ code: 42 }).retryable).toBe(true);
	});

	it('returns a Werk24Error unchanged', () => {
		const original = errorFromResponse(503, undefined);
		expect(errorFromNetwork(original)).toBe(original);
	});

	it('keeps secrets out of the message', () => {
		const error = errorFromNetwork(new Error('request to https://api.example/x?token=abc failed, Authorization: Token s3cr3t'));
		expect(JSON.stringify([error.title, error.details])).not.toMatch(/abc|s3cr3t/);
	});
});
