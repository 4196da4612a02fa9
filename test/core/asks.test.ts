import { ASK_TYPES, V1_ASK_TYPES, VALID_ASK_TYPES_TEXT, buildAsk, isAskV2, parseAsks } from '../../core';
import type { AskType } from '../../core';
import { loadExample } from '../fixtures/examples';

/** Python's json.dumps writes ", " and ": "; JSON.stringify writes neither. Safe here: no string holds them. */
const fromPythonJson = (text: string): string => text.replace(/, /g, ',').replace(/: /g, ':');

// The model_dump(mode="json") output of werk24-python 2.6 for each v2 ask with its defaults (werk24-api.md §3.2).
const PYTHON_DEFAULTS: Record<AskType, string> = {
	META_DATA: '{"ask_version":"v2","ask_type":"META_DATA"}',
	FEATURES: '{"ask_version":"v2","ask_type":"FEATURES"}',
	INSIGHTS: '{"ask_version":"v2","ask_type":"INSIGHTS"}',
	BALLOONS: '{"ask_version":"v2","ask_type":"BALLOONS"}',
	REFERENCE_POSITIONS: '{"ask_version":"v2","ask_type":"REFERENCE_POSITIONS"}',
	CUSTOM: '{"ask_version":"v2","ask_type":"CUSTOM","custom_id":"my-output","config":{},"postprocessor_slot":null}',
	REDACTION:
		'{"ask_version":"v2","ask_type":"REDACTION","redact_logos":true,"redact_company_data":true,"redact_personal_data":true,"redact_keywords":[],"output_format":"PDF","fill_color":"#ffffff"}',
	SHEET_IMAGES: '{"ask_version":"v2","ask_type":"SHEET_IMAGES"}',
	VIEW_IMAGES: '{"ask_version":"v2","ask_type":"VIEW_IMAGES"}',
};

interface HttpExample {
	request: { multipart_parts: Array<{ name: string; body: string }>; decoded_fields: { asks: Array<{ ask_type: AskType }> } };
}

describe('buildAsk', () => {
	it.each(ASK_TYPES.map((type) => [type]))('serialises %s exactly as werk24-python does', (type) => {
		const params = type === 'CUSTOM' ? { custom_id: 'my-output' } : undefined;
		expect(JSON.stringify(buildAsk(type, params))).toBe(PYTHON_DEFAULTS[type]);
	});

	it('reproduces the asks part of the documented read-with-callback request byte for byte', () => {
		const example = loadExample<HttpExample>('01-http-read-with-callback.json');
		const wire = example.request.multipart_parts.find((part) => part.name === 'asks')?.body ?? '';
		const built = example.request.decoded_fields.asks.map((ask) => buildAsk(ask.ask_type));
		expect(JSON.stringify(built)).toBe(fromPythonJson(wire));
		expect(wire).toContain('", "'); // the normaliser really had something to do
	});

	it('reproduces the asks of the documented WebSocket INITIALIZE command', () => {
		const flow = loadExample<{ client_initialize_command: { message: { asks: unknown[] } } }>('05-websocket-flow-and-errors.json');
		const asks = flow.client_initialize_command.message.asks;
		expect(JSON.stringify([buildAsk('META_DATA')])).toBe(JSON.stringify(asks));
	});

	it('turns plain keyword strings into {keyword} objects and keeps the key order', () => {
		const ask = buildAsk('REDACTION', {
			fill_color: null,
			output_format: 'PNG',
			redact_keywords: ['ACME', { keyword: 'Secret' }],
			redact_logos: false,
		});
		expect(JSON.stringify(ask)).toBe(
			'{"ask_version":"v2","ask_type":"REDACTION","redact_logos":false,"redact_company_data":true,"redact_personal_data":true,' +
				'"redact_keywords":[{"keyword":"ACME"},{"keyword":"Secret"}],"output_format":"PNG","fill_color":null}',
		);
	});

	it('keeps a CUSTOM config and slot', () => {
		const ask = buildAsk('CUSTOM', { custom_id: 'x', config: { a: [1] }, postprocessor_slot: 'BLUE' });
		expect(JSON.stringify(ask)).toBe('{"ask_version":"v2","ask_type":"CUSTOM","custom_id":"x","config":{"a":[1]},"postprocessor_slot":"BLUE"}');
	});

	it('returns a fresh default object each time', () => {
		const first = buildAsk('REDACTION');
		(first.redact_keywords as unknown[]).push({ keyword: 'leak' });
		expect(buildAsk('REDACTION').redact_keywords).toEqual([]);
	});

	it.each([
		['an unknown type', () => buildAsk('TITLE_BLOCK' as AskType), /Unknown ask type "TITLE_BLOCK"; valid: META_DATA/],
		['parameters on a parameterless ask', () => buildAsk('META_DATA', { custom_id: 'x' } as never), /META_DATA takes no parameters, not custom_id/],
		['a misspelt parameter', () => buildAsk('REDACTION', { redact_logo: true } as never), /not redact_logo/],
		['CUSTOM without custom_id', () => buildAsk('CUSTOM', {} as never), /CUSTOM\.custom_id is required/],
		['an empty custom_id', () => buildAsk('CUSTOM', { custom_id: '  ' }), /custom_id must be a non-empty string/],
		['a bad output format', () => buildAsk('REDACTION', { output_format: 'TIFF' as never }), /output_format must be "PDF" or "PNG", got "TIFF"/],
		['a bad slot', () => buildAsk('CUSTOM', { custom_id: 'x', postprocessor_slot: 'RED' as never }), /"GREEN" or "BLUE" or null/],
		['a non-boolean flag', () => buildAsk('REDACTION', { redact_logos: 'yes' as never }), /redact_logos must be true or false/],
		['params that are not an object', () => buildAsk('META_DATA', 'x' as never), /params must be an object/],
	])('throws a TypeError for %s', (_label, call, message) => {
		expect(call).toThrow(TypeError);
		expect(call).toThrow(message);
	});
});

describe('parseAsks', () => {
	it('normalises v2 asks to the wire form, filling defaults', () => {
		const result = parseAsks([{ ask_type: 'META_DATA' }, { ask_type: 'REDACTION', output_format: 'PNG' }]);
		expect(result.ok && JSON.stringify(result.value)).toBe(
			JSON.stringify([buildAsk('META_DATA'), buildAsk('REDACTION', { output_format: 'PNG' })]),
		);
	});

	it('accepts every ask buildAsk builds, unchanged', () => {
		const built = ASK_TYPES.map((type) => buildAsk(type, type === 'CUSTOM' ? { custom_id: 'c' } : undefined));
		const result = parseAsks(JSON.parse(JSON.stringify(built)));
		expect(result).toEqual({ ok: true, value: built });
	});

	it('passes v1 asks through untouched', () => {
		const v1 = { version: 'v1', ask_type: 'VARIANT_MEASURES', is_training: false, confidence_min: 0.2 };
		const result = parseAsks([v1]);
		expect(result).toEqual({ ok: true, value: [v1] });
		expect(result.ok && result.value[0]).not.toBe(v1);
	});

	it('passes unknown (newer) ask types and other ask versions through', () => {
		const newer = { ask_type: 'SURFACE_TREATMENTS', depth: 2 };
		const v3 = { ask_version: 'v3', ask_type: 'META_DATA', extra: true };
		expect(parseAsks([newer, v3])).toEqual({ ok: true, value: [newer, v3] });
		expect(parseAsks([{ ask_type: 'TITLE_BLOCK' }])).toEqual({ ok: true, value: [{ ask_type: 'TITLE_BLOCK' }] });
	});

	it('keeps parameters it does not know after the known ones (the service adds parameters)', () => {
		const result = parseAsks([{ future_flag: 1, ask_type: 'META_DATA', ask_version: 'v2' }]);
		expect(result.ok && JSON.stringify(result.value)).toBe('[{"ask_version":"v2","ask_type":"META_DATA","future_flag":1}]');
	});

	it('maps {kind} to the v2 ask only when asked to', () => {
		expect(parseAsks([{ kind: 'meta_data' }], { acceptKindAlias: true })).toEqual({ ok: true, value: [buildAsk('META_DATA')] });
		const strict = parseAsks([{ kind: 'meta_data' }]);
		expect(!strict.ok && strict.problems).toEqual([{ path: 'asks[0].ask_type', reason: expect.stringContaining('must be a non-empty string') }]);
		const unknownKind = parseAsks([{ kind: 'title' }], { acceptKindAlias: true });
		expect(!unknownKind.ok && unknownKind.problems[0].path).toBe('asks[0].kind');
	});

	it.each([
		['not a list', { ask_type: 'META_DATA' }, 'asks', /must be a list of asks/],
		['a JSON string', '[{"ask_type":"META_DATA"}]', 'asks', /must be a list of asks/],
		['empty', [], 'asks', /at least one ask; valid: META_DATA, FEATURES/],
		['null', null, 'asks', /got null/],
	])('rejects %s', (_label, input, path, reason) => {
		const result = parseAsks(input);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.problems).toHaveLength(1);
			expect(result.problems[0].path).toBe(path);
			expect(result.problems[0].reason).toMatch(reason);
		}
	});

	it('reports every problem with its path', () => {
		const result = parseAsks([
			{ ask_type: 'META_DATA' },
			{ ask_type: 'REDACTION', output_format: 'GIF', redact_keywords: ['ok', { keyword: 3 }, 7] },
			'META_DATA',
			{ ask_type: 'CUSTOM', config: [], postprocessor_slot: 'green' },
			{ ask_type: 'meta_data' },
			{ ask_version: 'v2', ask_type: 'TITLE_BLOCK' },
			{ ask_type: '' },
			{ ask_type: 'REDACTION', fill_color: 16777215, redact_keywords: 'ACME' },
		]);
		expect(result.ok).toBe(false);
		const paths = result.ok ? [] : result.problems.map((problem) => problem.path);
		expect(paths).toEqual([
			'asks[1].redact_keywords[1].keyword',
			'asks[1].redact_keywords[2]',
			'asks[1].output_format',
			'asks[2]',
			'asks[3].custom_id',
			'asks[3].config',
			'asks[3].postprocessor_slot',
			'asks[4].ask_type',
			'asks[5].ask_type',
			'asks[6].ask_type',
			'asks[7].redact_keywords',
			'asks[7].fill_color',
		]);
		const reasons = result.ok ? [] : result.problems.map((problem) => problem.reason);
		expect(reasons[7]).toBe('ask types are upper case: use "META_DATA"');
		expect(reasons[8]).toContain('"TITLE_BLOCK" is not a v2 ask type; valid: ' + VALID_ASK_TYPES_TEXT);
	});

	it('uses the given path prefix', () => {
		const result = parseAsks([{}], { path: 'Asks (JSON)' });
		expect(!result.ok && result.problems[0].path).toBe('Asks (JSON)[0].ask_type');
	});

	it('treats a "__proto__" key as plain data', () => {
		const input = JSON.parse('[{"ask_type":"META_DATA","__proto__":{"polluted":true}}]');
		const result = parseAsks(input);
		expect(result.ok).toBe(true);
		if (result.ok) {
			expect(Object.getPrototypeOf(result.value[0])).toBe(Object.prototype);
			expect(({} as Record<string, unknown>).polluted).toBeUndefined();
			expect(JSON.stringify(result.value[0])).toBe('{"ask_version":"v2","ask_type":"META_DATA","__proto__":{"polluted":true}}');
		}
	});
});

describe('isAskV2 and the type lists', () => {
	it('tells v2 asks from raw ones', () => {
		expect(isAskV2(buildAsk('FEATURES'))).toBe(true);
		expect(isAskV2({ version: 'v1', ask_type: 'TITLE_BLOCK' })).toBe(false);
		expect(isAskV2({ ask_version: 'v2', ask_type: 'NEWER' })).toBe(false);
	});

	it('lists the nine v2 types readably, none of them a v1 type', () => {
		expect(VALID_ASK_TYPES_TEXT.split(', ')).toEqual([...ASK_TYPES]);
		expect(ASK_TYPES.filter((type) => (V1_ASK_TYPES as readonly string[]).includes(type))).toEqual([]);
	});
});
