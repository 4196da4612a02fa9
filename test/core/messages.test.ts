import fc from 'fast-check';
import { EXCEPTION_TYPES, describeException, isSuccessful, parseMessage, parseMessageBody, simplifyMessage } from '../../core';
import type { TechreadMessage } from '../../core';
import { exampleMessages, loadExample } from '../fixtures/examples';

const REQUEST_ID = '3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d';
const valid = (): Record<string, unknown> => ({
	exceptions: [],
	request_id: REQUEST_ID,
	message_type: 'PROGRESS',
	message_subtype: 'STARTED',
	page_number: 0,
	payload_dict: null,
	payload_url: null,
});

function accepted(input: unknown): TechreadMessage {
	const result = parseMessage(input);
	if (!result.ok) throw new Error(`expected acceptance, got ${JSON.stringify(result.problems)}`);
	return result.value;
}

describe('parseMessage accepts the documented messages', () => {
	const examples = exampleMessages();

	it('finds all twelve example messages (02 ×5, 03, 04, 06, 05 ×4)', () => {
		expect(examples.map((example) => example.label)).toEqual([
			'02[0]', '02[1]', '02[2]', '02[3]', '02[4]', '03', '04', '06',
			'05.server_initialization_success', '05.server_ask_failed_low_resolution', '05.server_error_internal',
			'05.server_redaction_page_count_too_large',
		]);
	});

	it.each(exampleMessages().map((example) => [example.label, example.message]))('accepts %s unchanged', (_label, message) => {
		expect(accepted(message)).toEqual(message);
	});

	it('accepts the 02 sequence as one callback body, in order', () => {
		const sequence = loadExample<unknown[]>('02-callback-sequence-metadata-sheetimages-features.json');
		const result = parseMessageBody(sequence);
		expect(result.ok && result.value.map((message) => message.message_subtype)).toEqual([
			'STARTED', 'META_DATA', 'SHEET_IMAGES', 'FEATURES', 'COMPLETED',
		]);
	});

	it('does not take the 05 PRIORITY_TOO_HIGH error frame for a message', () => {
		const flow = loadExample<Record<string, unknown>>('05-websocket-flow-and-errors.json');
		const result = parseMessage(flow.server_error_frame_priority_too_high);
		expect(result.ok).toBe(false);
	});
});

describe('parseMessage defaults and tolerance', () => {
	it('fills page_number 0, payload_dict null, payload_url null and exceptions [] when absent', () => {
		expect(accepted({ request_id: REQUEST_ID, message_type: 'ERROR', message_subtype: 'INTERNAL' })).toEqual({
			request_id: REQUEST_ID,
			message_type: 'ERROR',
			message_subtype: 'INTERNAL',
			page_number: 0,
			payload_dict: null,
			payload_url: null,
			exceptions: [],
		});
	});

	it('keeps keys outside the envelope unchecked, after the envelope (Raw output stays as sent)', () => {
		const message = accepted({ trace: { id: 1 }, ...valid(), payload_bytes: null }) as unknown as Record<string, unknown>;
		expect(Object.keys(message)).toEqual([
			'request_id',
			'message_type',
			'message_subtype',
			'page_number',
			'payload_dict',
			'payload_url',
			'exceptions',
			'trace',
			'payload_bytes',
		]);
		expect(message.trace).toEqual({ id: 1 });
		expect(message.payload_bytes).toBeNull();
	});

	it.each(['VARIANT_MEASURES', 'TITLE_BLOCK', 'SURFACE_FINISH_V3', 'INITIALIZATION_SUCCESS'])('accepts subtype %s', (subtype) => {
		expect(accepted({ ...valid(), message_type: 'ASK', message_subtype: subtype }).message_subtype).toBe(subtype);
	});

	it('accepts exception types it does not know and both levels', () => {
		const message = accepted({
			...valid(),
			exceptions: [
				{ exception_level: 'INFO', exception_type: 'SOMETHING_NEW' },
				{ exception_level: 'ERROR', exception_type: 'DRAWING_RESOLUTION_TOO_LOW', extra: 1 },
			],
		});
		expect(message.exceptions).toEqual([
			{ exception_level: 'INFO', exception_type: 'SOMETHING_NEW' },
			{ exception_level: 'ERROR', exception_type: 'DRAWING_RESOLUTION_TOO_LOW' },
		]);
	});

	it('keeps any payload_dict content, including unknown fields and enum values', () => {
		const payload = { ask_version: 'v2', ask_type: 'META_DATA', page_type: 'NEW_PAGE_TYPE', shiny_new_field: [{ x: null }] };
		expect(accepted({ ...valid(), payload_dict: payload }).payload_dict).toEqual(payload);
	});

	it('accepts upper-case UUIDs, http URLs and a URL of exactly 2083 characters', () => {
		const url = 'http://h.example/' + 'a'.repeat(2083 - 'http://h.example/'.length);
		const message = accepted({ ...valid(), request_id: REQUEST_ID.toUpperCase(), payload_url: url });
		expect(message.payload_url).toHaveLength(2083);
	});
});

describe('parseMessage rejects malformed envelopes with the right path', () => {
	const cases: Array<[string, string, unknown]> = [
		['a string', '$', 'hello'],
		['null', '$', null],
		['a list', '$', [valid()]],
		['a number', '$', 42],
		['missing request_id', '$.request_id', { ...valid(), request_id: undefined }],
		['request_id not a UUID', '$.request_id', { ...valid(), request_id: 'abc' }],
		['request_id a UUIDv1', '$.request_id', { ...valid(), request_id: '3f2b8c1e-5d4a-1e7b-9c2d-8a1f0e6b7c3d' }],
		['request_id with a bad variant', '$.request_id', { ...valid(), request_id: '3f2b8c1e-5d4a-4e7b-7c2d-8a1f0e6b7c3d' }],
		['request_id a number', '$.request_id', { ...valid(), request_id: 12345 }],
		['missing message_type', '$.message_type', { ...valid(), message_type: undefined }],
		['message_type REJECTION (v1 only)', '$.message_type', { ...valid(), message_type: 'REJECTION' }],
		['message_type in lower case', '$.message_type', { ...valid(), message_type: 'progress' }],
		['missing message_subtype', '$.message_subtype', { ...valid(), message_subtype: undefined }],
		['empty message_subtype', '$.message_subtype', { ...valid(), message_subtype: '' }],
		['message_subtype in lower case', '$.message_subtype', { ...valid(), message_subtype: 'started' }],
		['message_subtype a number', '$.message_subtype', { ...valid(), message_subtype: 3 }],
		['negative page_number', '$.page_number', { ...valid(), page_number: -1 }],
		['fractional page_number', '$.page_number', { ...valid(), page_number: 1.5 }],
		['page_number as a string', '$.page_number', { ...valid(), page_number: '0' }],
		['page_number null', '$.page_number', { ...valid(), page_number: null }],
		['payload_dict a list', '$.payload_dict', { ...valid(), payload_dict: [] }],
		['payload_dict a string', '$.payload_dict', { ...valid(), payload_dict: '{}' }],
		['payload_url ftp', '$.payload_url', { ...valid(), payload_url: 'ftp://files.example.com/x.png' }],
		['payload_url relative', '$.payload_url', { ...valid(), payload_url: '/payloads/x.png' }],
		['payload_url too long', '$.payload_url', { ...valid(), payload_url: 'https://h.example/' + 'a'.repeat(2100) }],
		['payload_url an object', '$.payload_url', { ...valid(), payload_url: { href: 'https://h.example/' } }],
		['payload_url javascript:', '$.payload_url', { ...valid(), payload_url: 'javascript:alert(1)' }],
		['exceptions an object', '$.exceptions', { ...valid(), exceptions: {} }],
		['exceptions null', '$.exceptions', { ...valid(), exceptions: null }],
		['exception a string', '$.exceptions[0]', { ...valid(), exceptions: ['DRAWING_RESOLUTION_TOO_LOW'] }],
		['exception level WARNING (old docs only)', '$.exceptions[0].exception_level', { ...valid(), exceptions: [{ exception_level: 'WARNING', exception_type: 'X' }] }],
		['exception without type', '$.exceptions[1].exception_type', { ...valid(), exceptions: [{ exception_level: 'ERROR', exception_type: 'X' }, { exception_level: 'ERROR' }] }],
	];

	it('has more than twenty distinct cases', () => {
		expect(new Set(cases.map(([label]) => label)).size).toBe(cases.length);
		expect(cases.length).toBeGreaterThanOrEqual(20);
	});

	it.each(cases)('rejects %s at %s', (_label, path, input) => {
		const result = parseMessage(input);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.problems.map((problem) => problem.path)).toEqual([path]);
			expect(result.problems[0].reason).not.toBe('');
		}
	});

	it('reports every problem at once', () => {
		const result = parseMessage({ request_id: 'x', message_type: 'NOPE', page_number: -2, exceptions: [{ exception_level: 1 }] });
		expect(!result.ok && result.problems.map((problem) => problem.path)).toEqual([
			'$.request_id',
			'$.message_type',
			'$.message_subtype',
			'$.page_number',
			'$.exceptions[0].exception_level',
			'$.exceptions[0].exception_type',
		]);
	});
});

describe('parseMessageBody', () => {
	it('wraps a single message in a list', () => {
		expect(parseMessageBody(valid())).toEqual({ ok: true, value: [accepted(valid())] });
	});

	it('prefixes problems with the array index', () => {
		const result = parseMessageBody([valid(), valid(), { ...valid(), request_id: 'nope' }, 'x']);
		expect(!result.ok && result.problems.map((problem) => problem.path)).toEqual(['$[2].request_id', '$[3]']);
	});

	it.each([[[]], [null], ['[]'], [7]])('rejects %p as a body', (input) => {
		const result = parseMessageBody(input);
		expect(!result.ok && result.problems[0].path).toBe('$');
	});
});

describe('parseMessage properties', () => {
	it('never throws on arbitrary values', () => {
		fc.assert(
			fc.property(fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withBigInt: true, withDate: true }), (input) => {
				parseMessage(input);
				parseMessageBody(input);
			}),
			{ numRuns: 2000 },
		);
	});

	it('never throws on envelope-shaped objects with arbitrary field values', () => {
		const field = fc.oneof(fc.jsonValue(), fc.uuid(), fc.webUrl(), fc.constantFrom('ASK', 'PROGRESS', 'ERROR', 'META_DATA'));
		fc.assert(
			fc.property(
				fc.record(
					{ request_id: field, message_type: field, message_subtype: field, page_number: field, payload_dict: field, payload_url: field, exceptions: field },
					{ requiredKeys: [] },
				),
				(input) => {
					const result = parseMessage(input);
					if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
				},
			),
			{ numRuns: 2000 },
		);
	});

	const validMessage = fc.record({
		request_id: fc.uuid({ version: 4 }),
		message_type: fc.constantFrom('ASK', 'PROGRESS', 'ERROR'),
		message_subtype: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,30}$/),
		page_number: fc.nat(),
		payload_dict: fc.option(fc.dictionary(fc.string(), fc.jsonValue())),
		payload_url: fc.option(fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((url) => url.length <= 2083)),
		exceptions: fc.array(fc.record({ exception_level: fc.constantFrom('ERROR', 'INFO'), exception_type: fc.string({ minLength: 1 }) })),
	});

	it('accepts generated valid messages, and what it accepts survives a JSON round trip', () => {
		fc.assert(
			fc.property(validMessage, (input) => {
				const wire = JSON.parse(JSON.stringify(input));
				const first = accepted(wire);
				expect(first).toEqual(wire);
				expect(accepted(JSON.parse(JSON.stringify(first)))).toEqual(first);
			}),
			{ numRuns: 1000 },
		);
	});

	it('anything it accepts from arbitrary JSON round-trips unchanged', () => {
		const mixed = fc.oneof(validMessage.map((m) => JSON.parse(JSON.stringify(m)) as unknown), fc.jsonValue());
		fc.assert(
			fc.property(mixed, (input) => {
				const result = parseMessage(input);
				if (result.ok) expect(accepted(JSON.parse(JSON.stringify(result.value)))).toEqual(result.value);
			}),
			{ numRuns: 2000 },
		);
	});
});

describe('isSuccessful and describeException', () => {
	it('is successful only without any exception, INFO included (as werk24-python v2)', () => {
		expect(isSuccessful(accepted(valid()))).toBe(true);
		expect(isSuccessful(accepted({ ...valid(), exceptions: [{ exception_level: 'INFO', exception_type: 'X' }] }))).toBe(false);
	});

	it.each([
		['DRAWING_FILE_FORMAT_UNSUPPORTED', /PDF, PNG, JPEG or TIFF/],
		['DRAWING_FILE_SIZE_TOO_LARGE', /10 MB/],
		['DRAWING_RESOLUTION_TOO_LOW', /200 DPI/],
		['DRAWING_CONTENT_NOT_UNDERSTOOD', /technical drawing/],
		['CONFIGURATION_INCORRECT', /ask parameters/],
		['DRAWING_PAPER_SIZE_TOO_LARGE', /A2/],
		['DRAWING_PAGE_COUNT_TOO_LARGE', /pages/],
	])('explains %s and what to do', (type, pattern) => {
		expect(describeException(type)).toMatch(pattern);
	});

	it('has a distinct text for each of the seven known types', () => {
		expect(new Set(EXCEPTION_TYPES.map(describeException)).size).toBe(7);
	});

	it('falls back to a readable text naming an unknown type', () => {
		expect(describeException('DRAWING_TOO_SHINY')).toMatch(/"DRAWING_TOO_SHINY".*does not describe/);
		expect(describeException('toString')).toMatch(/"toString"/);
	});
});

describe('simplifyMessage', () => {
	it('flattens the documented META_DATA message', () => {
		const message = accepted(loadExample('06-message-ask-meta-data.json'));
		const simple = simplifyMessage(message);
		expect(simple).toEqual({
			request_id: REQUEST_ID,
			message_type: 'ASK',
			message_subtype: 'META_DATA',
			ask_type: 'META_DATA',
			page_number: 0,
			ok: true,
			errors: [],
			payload: message.payload_dict,
			payload_url: null,
			drawing_number: 'W24-4711-A',
			part_number: '100-2233',
			designation: 'FLANGE',
			material: 'X2CrNiMo17-12-2',
			material_standard: 'EN 10088-3',
			weight: '0.42',
			weight_unit: 'kilogram',
			general_tolerances: 'ISO 2768 m',
			projection_method: 'FIRST_ANGLE',
			languages: ['ENG', 'DEU'],
			message,
		});
	});

	it('gives readable errors and no title-block fields for a failed ask', () => {
		const flow = loadExample<Record<string, unknown>>('05-websocket-flow-and-errors.json');
		const simple = simplifyMessage(accepted(flow.server_ask_failed_low_resolution));
		expect(simple.ok).toBe(false);
		expect(simple.errors).toEqual([
			{ level: 'ERROR', type: 'DRAWING_RESOLUTION_TOO_LOW', text: describeException('DRAWING_RESOLUTION_TOO_LOW') },
		]);
		expect(simple).not.toHaveProperty('drawing_number');
	});

	it('sets ask_type only for ASK messages and passes payload_url through', () => {
		const sequence = loadExample<unknown[]>('02-callback-sequence-metadata-sheetimages-features.json').map(accepted);
		expect(sequence.map((message) => simplifyMessage(message).ask_type)).toEqual([null, 'META_DATA', 'SHEET_IMAGES', 'FEATURES', null]);
		expect(simplifyMessage(sequence[2]).payload_url).toBe(sequence[2].payload_url);
		expect(simplifyMessage(sequence[3])).not.toHaveProperty('material');
	});

	it('prefers the current drawing number and leaves out what is missing', () => {
		const simple = simplifyMessage(
			accepted({
				...valid(),
				message_type: 'ASK',
				message_subtype: 'META_DATA',
				payload_dict: {
					identifiers: [
						{ identifier_type: 'DRAWING_NUMBER', value: 'OLD-1', period: 'PREVIOUS' },
						{ identifier_type: 'DRAWING_NUMBER', value: 'NEW-2', period: 'CURRENT' },
					],
					general_tolerances: { tolerance_standard: 'TOLERANCE_NOTE', tolerance_class: null },
					weight: null,
				},
			}),
		);
		expect(simple.drawing_number).toBe('NEW-2');
		expect(simple.general_tolerances).toBe('TOLERANCE_NOTE');
		for (const key of ['part_number', 'designation', 'material', 'weight', 'weight_unit', 'projection_method', 'languages']) {
			expect(simple).not.toHaveProperty(key);
		}
	});

	it('never throws on odd META_DATA payloads', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.constantFrom('identifiers', 'designation', 'material_options', 'weight', 'general_tolerances', 'projection_method', 'languages', 'x'), fc.jsonValue()), (payload) => {
				const simple = simplifyMessage(accepted({ ...valid(), message_type: 'ASK', message_subtype: 'META_DATA', payload_dict: payload }));
				for (const key of ['drawing_number', 'part_number', 'designation', 'material', 'weight', 'weight_unit', 'general_tolerances', 'projection_method'] as const) {
					if (key in simple) expect(typeof simple[key]).toBe('string');
				}
			}),
			{ numRuns: 1000 },
		);
	});
});

describe('parseMessage with values JSON cannot produce', () => {
	it.each([
		['a Date', new Date(0)],
		['a Map', new Map([['a', 1]])],
		['a Uint8Array', new Uint8Array([1])],
	])('rejects %s as payload_dict', (_label, payload) => {
		const result = parseMessage({ ...valid(), payload_dict: payload });
		expect(!result.ok && result.problems.map((problem) => problem.path)).toEqual(['$.payload_dict']);
	});

	it('accepts an object without prototype', () => {
		const input = Object.assign(Object.create(null) as Record<string, unknown>, valid());
		expect(parseMessage(input).ok).toBe(true);
	});
});
