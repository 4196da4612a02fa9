import { PDFDocument } from 'pdf-lib';
import { parseMessage, type RawAsk } from '../../core';
import { HINTS_KEY, inspectDrawing, type InspectedDrawing } from '../../sandbox/drawing';
import { planAskMessages, type PlannedMessage } from '../../sandbox/results';
import { loadDrawing } from '../fixtures/drawings';
import { exampleMessages, loadExample } from '../fixtures/examples';
import { artefactKind, askMessageProblems, messageProblems, V2_ASK_TYPES } from './resultShapes';
import { bushingPng, flangePdf, v2 } from './submit';

const REQUEST_ID = '3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d';
type Json = Record<string, unknown>;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Every v2 ask, and the parameter variants that change the answer's shape. */
const ALL_ASKS: RawAsk[] = [
	v2('META_DATA'),
	v2('FEATURES'),
	v2('INSIGHTS'),
	v2('BALLOONS'),
	v2('REFERENCE_POSITIONS'),
	v2('CUSTOM', { custom_id: 'erp-export', config: { fields: ['material'] }, postprocessor_slot: 'GREEN' }),
	v2('CUSTOM', { custom_id: 'plain' }),
	v2('SHEET_IMAGES'),
	v2('VIEW_IMAGES'),
	v2('REDACTION'),
	v2('REDACTION', { output_format: 'PNG', redact_keywords: [{ keyword: 'W24' }, { keyword: 'Doe' }] }),
	v2('REDACTION', { fill_color: null, redact_logos: false }),
];

/** planAskMessages plus what context.ts does with artefacts (a payload_url per stored file). */
async function answer(drawing: InspectedDrawing, asks: RawAsk[] = ALL_ASKS, maxPages = 5): Promise<PlannedMessage[]> {
	const planned = await planAskMessages(REQUEST_ID, drawing, asks as Parameters<typeof planAskMessages>[2], maxPages);
	planned.forEach(({ message, artefact }, index) => {
		if (artefact) message.payload_url = `https://sandbox.example.com/payloads/${index}`;
	});
	return planned;
}

/** PDFs that differ only in their bytes, so the seeded page model takes its other branches too. */
async function variedPdfs(count: number): Promise<Array<[string, Buffer]>> {
	const out: Array<[string, Buffer]> = [];
	for (let index = 0; index < count; index++) {
		const pdf = await PDFDocument.create();
		pdf.setTitle(`shape seed ${index}`);
		for (let page = 0; page <= index % 3; page++) pdf.addPage(index % 2 ? [595, 842] : [1191, 842]);
		out.push([`generated-${index}.pdf`, Buffer.from(await pdf.save({ useObjectStreams: false }))]);
	}
	return out;
}

async function pdfWithHints(hints: Json): Promise<Buffer> {
	const pdf = await PDFDocument.create();
	pdf.addPage([842, 595]);
	pdf.setSubject(JSON.stringify(hints));
	pdf.setKeywords([HINTS_KEY]);
	return Buffer.from(await pdf.save());
}

describe('the shape validators accept the documented examples', () => {
	it.each(exampleMessages().map(({ label, message }) => [label, message] as const))('%s', (_label, message) => {
		expect(messageProblems(message)).toEqual([]);
	});
});

describe('the shape validators reject what the spec rules out', () => {
	const meta = (): Json => loadExample<Json>('06-message-ask-meta-data.json');
	const features = (): Json => clone(loadExample<Json[]>('02-callback-sequence-metadata-sheetimages-features.json').find((m) => m.message_subtype === 'FEATURES')!);
	const sheet = (): Json => clone(loadExample<Json[]>('02-callback-sequence-metadata-sheetimages-features.json').find((m) => m.message_subtype === 'SHEET_IMAGES')!);
	const payload = (message: Json): Json => message.payload_dict as Json;
	const cases: Array<[string, () => Json, RegExp]> = [
		['a missing key', () => { const m = meta(); delete payload(m).weight; return m; }, /weight: missing/],
		['an extra key', () => { const m = meta(); payload(m).drawing_number = 'W24-1'; return m; }, /drawing_number: not in the documented model/],
		['a number for a Decimal', () => { const m = meta(); (payload(m).weight as Json).value = 0.42; return m; }, /weight\.value: must be a Decimal/],
		['an unknown unit system', () => { const m = meta(); (payload(m).unit_systems as Json[])[0].unit_system_type = 'SI'; return m; }, /unit_system_type: must be one of/],
		['an unknown projection method', () => { const m = meta(); (payload(m).projection_method as Json).projection_method = 'SECOND_ANGLE'; return m; }, /projection_method: must be one of/],
		['an unknown identifier type', () => { const m = meta(); (payload(m).identifiers as Json[])[0].identifier_type = 'SERIAL'; return m; }, /identifier_type: must be one of/],
		['a lower-case language', () => { const m = meta(); payload(m).languages = ['en']; return m; }, /languages\[0\]: must be an ISO 639-2\/B code/],
		['a two-element material category', () => { const m = meta(); ((payload(m).material_options as Json[])[0].material_combination as Json[])[0].material_category = ['STEEL', null]; return m; }, /material_category: must be a list of 3/],
		['an unknown thread type', () => { const m = features(); (payload(m).threads as Json[])[0].thread_type = 'BSP'; return m; }, /thread_type: must be one of ISO_METRIC, SM, UTS/],
		['a metric thread without its tolerance fields', () => { const m = features(); delete (payload(m).threads as Json[])[0].male_pitch_diameter_tolerance; return m; }, /male_pitch_diameter_tolerance: missing/],
		['a negative chamfer count', () => { const m = features(); (payload(m).chamfers as Json[])[0].quantity = 0; return m; }, /quantity: must be ≥ 1/],
		['an unknown GD&T characteristic', () => { const m = features(); (payload(m).gdnts as Json[])[0].characteristic = 'POSITION'; return m; }, /characteristic: must be one of/],
		['an exception level the v2 client rejects', () => ({ ...meta(), payload_dict: null, exceptions: [{ exception_level: 'WARNING', exception_type: 'DRAWING_RESOLUTION_TOO_LOW' }] }), /exception_level: must be one of "ERROR", "INFO"/],
		['a v1-only exception type', () => ({ ...meta(), payload_dict: null, exceptions: [{ exception_level: 'ERROR', exception_type: 'DRAWING_NOISE_TOO_HIGH' }] }), /exception_type: must be one of/],
		['a payload next to an ERROR', () => ({ ...meta(), exceptions: [{ exception_level: 'ERROR', exception_type: 'DRAWING_RESOLUTION_TOO_LOW' }] }), /payload_dict: must be null with an ERROR-level exception/],
		['a sheet image without a payload_url', () => ({ ...sheet(), payload_url: null }), /payload_url: SHEET_IMAGES delivers its file/],
		['a sheet image with a payload_dict', () => ({ ...sheet(), payload_dict: { ask_version: 'v2' } }), /payload_dict: must be null for SHEET_IMAGES/],
		['a meta-data message with a payload_url', () => ({ ...meta(), payload_url: 'https://x.example.com/y' }), /payload_url: must be null for META_DATA/],
		['payload_bytes on the wire', () => ({ ...meta(), payload_bytes: null }), /payload_bytes: not a TechreadMessage field/],
		[
			'a balloon centre with three coordinates',
			() => ({ ...meta(), message_subtype: 'BALLOONS', payload_dict: { ask_version: 'v2', ask_type: 'BALLOONS', balloons: [{ reference_id: 1, center: [1, 2, 3] }] } }),
			/center: must be a list of 2/,
		],
		[
			'an unknown redaction zone type',
			() => { const m = clone(loadExample<Json>('04-message-ask-redaction.json')); (payload(m).redaction_zones as Json[])[0].redaction_zone_type = 'SIGNATURE'; return m; },
			/redaction_zone_type: must be one of/,
		],
		[
			'fractional polygon coordinates',
			() => { const m = clone(loadExample<Json>('04-message-ask-redaction.json')); ((payload(m).redaction_zones as Json[])[0].polygon as Json).coordinates = [[0.5, 1]]; return m; },
			/coordinates\[0\]\[0\]: must be an integer/,
		],
		['a custom answer without custom_id', () => ({ ...meta(), message_subtype: 'CUSTOM', payload_dict: { ask_version: 'v2', ask_type: 'CUSTOM', output: {} } }), /custom_id: missing/],
		['an ask_type that is not the subtype', () => ({ ...meta(), message_subtype: 'FEATURES' }), /ask_type: must be one of "FEATURES"/],
	];
	it.each(cases)('%s', (_name, make, problem) => {
		expect(messageProblems(make()).join('\n')).toMatch(problem);
	});
});

describe('sandbox results have the documented shapes', () => {
	/** Every drawing answered for ALL_ASKS once; the tests below read these. */
	const answered: Array<{ name: string; drawing: InspectedDrawing; planned: PlannedMessage[] }> = [];
	beforeAll(async () => {
		const drawings: Array<[string, Buffer]> = [
			['sandbox/fixtures/flange-2-pages.pdf', flangePdf()],
			['sandbox/fixtures/bushing.png', bushingPng()],
			['test/fixtures/drawings/drawing.pdf', loadDrawing('pdf')],
			['test/fixtures/drawings/drawing.png', loadDrawing('png')],
			['test/fixtures/drawings/drawing.jpg', loadDrawing('jpeg')],
			['test/fixtures/drawings/drawing-le.tif', loadDrawing('tiffLittleEndian')],
			['test/fixtures/drawings/drawing-be.tif', loadDrawing('tiffBigEndian')],
			['hints: unknown material, non-numeric weight', await pdfWithHints({ drawing_number: 'X-1', material: 'PA6 GF30', weight_kg: 'about 2 kg' })],
			...(await variedPdfs(24)),
		];
		for (const [name, bytes] of drawings) {
			const drawing = await inspectDrawing(bytes);
			answered.push({ name, drawing, planned: await answer(drawing) });
		}
	});

	it('every ASK message for every drawing and ask', async () => {
		const problems: string[] = [];
		let checked = 0;
		for (const { name, drawing, planned } of answered) {
			expect([name, drawing.unreadable]).toEqual([name, null]);
			for (const { message } of planned) {
				checked++;
				expect(parseMessage(message).ok).toBe(true);
				const found = askMessageProblems(message);
				problems.push(...found.map((problem) => `${name} ${message.message_subtype}/${message.page_number} ${problem}`));
			}
		}
		expect(checked).toBeGreaterThan(answered.length * ALL_ASKS.length);
		expect(problems).toEqual([]);
	});

	it('covers every v2 ask and the enum branches the page model takes', async () => {
		const seen = new Set<string>();
		for (const { planned } of answered) {
			for (const { message } of planned) {
				seen.add(message.message_subtype);
				const payload = message.payload_dict as Json | null;
				if (message.message_subtype === 'META_DATA') seen.add(String((payload?.projection_method as Json).projection_method));
				if (message.message_subtype === 'INSIGHTS') seen.add(`secondary:${(payload?.secondary_processes as unknown[]).length > 0}`);
			}
		}
		for (const askType of V2_ASK_TYPES) expect(seen).toContain(askType);
		for (const branch of ['FIRST_ANGLE', 'THIRD_ANGLE', 'secondary:true', 'secondary:false']) expect(seen).toContain(branch);
	});

	it('files behind payload_url: images for SHEET/VIEW_IMAGES, the redacted drawing in its output_format', async () => {
		const redactions = ALL_ASKS.filter((ask) => ask.ask_type === 'REDACTION');
		for (const { name, drawing, planned } of answered.slice(0, 7)) {
			for (const { message, artefact } of planned.filter((p) => p.message.message_subtype.endsWith('_IMAGES'))) {
				expect([name, message.message_subtype, artefact ? artefactKind(artefact.bytes) : null]).toEqual([name, message.message_subtype, 'PNG']);
			}
			for (const ask of redactions) {
				const [{ message, artefact }] = await answer(drawing, [ask]);
				const expected = ask.fill_color === null ? null : ask.output_format === 'PNG' ? 'PNG' : 'PDF';
				expect([name, ask, artefact ? artefactKind(artefact.bytes) : null]).toEqual([name, ask, expected]);
				expect(message.payload_url === null).toBe(expected === null);
			}
		}
	});

	// Not a documented rule but a plausibility one: PIXEL_SPACE points lie on the sheet (200 dpi, as the sandbox
	// reads pages), so a flow that crops or draws at them works on real results too.
	it('PIXEL_SPACE coordinates and balloon centres lie on the page', async () => {
		const problems: string[] = [];
		for (const { name, drawing, planned } of answered) {
			for (const { message } of planned) {
				const page = drawing.pageSizes[message.page_number];
				const [w, h] = [Math.round((page.widthPt * 200) / 72), Math.round((page.heightPt * 200) / 72)];
				const payload = (message.payload_dict ?? {}) as Json;
				const points: Array<[number, number]> = [
					...((payload.balloons as Array<{ center: [number, number] }> | undefined) ?? []).map((b) => b.center),
					...[...((payload.reference_positions as Json[] | undefined) ?? []), ...((payload.redaction_zones as Json[] | undefined) ?? [])].flatMap(
						(item) => ((item.polygon as { coordinates: Array<[number, number]> } | null)?.coordinates ?? []),
					),
				];
				for (const [x, y] of points) if (x < 0 || y < 0 || x > w || y > h) problems.push(`${name} ${message.message_subtype}: (${x}, ${y}) outside ${w}×${h}`);
			}
		}
		expect(problems).toEqual([]);
	});

	// Plausibility again: a label says what its value is ("R3" is a 3 mm radius), as on a real reading.
	it('dimension and radius labels agree with their sizes', () => {
		const problems: string[] = [];
		for (const { name, planned } of answered) {
			for (const { message } of planned.filter((p) => p.message.message_subtype === 'FEATURES')) {
				const payload = message.payload_dict as Record<string, Array<{ label: string; size: { value: string } }>>;
				for (const feature of [...payload.dimensions, ...payload.radii]) {
					const number = /\d+(\.\d+)?/.exec(feature.label)?.[0];
					if (Number(number) !== Number(feature.size.value)) problems.push(`${name}/${message.page_number}: "${feature.label}" with value ${feature.size.value}`);
				}
			}
		}
		expect(problems).toEqual([]);
	});

	it('exception messages (unreadable drawing, too many pages, v1 asks) have the documented shape', async () => {
		const unreadable = await inspectDrawing(Buffer.from('%PDF-1.7\nnot really a pdf'));
		const messages = [
			...(await answer(unreadable)),
			...(await answer(await inspectDrawing(flangePdf()), [v2('REDACTION')], 1)),
			...(await answer(await inspectDrawing(flangePdf()), [{ version: 'v1', ask_type: 'TITLE_BLOCK', is_training: false } as unknown as RawAsk])),
		];
		expect(messages.map(({ message }) => message.exceptions[0]?.exception_type)).toEqual([
			...ALL_ASKS.map(() => 'DRAWING_CONTENT_NOT_UNDERSTOOD'),
			'DRAWING_PAGE_COUNT_TOO_LARGE',
			'CONFIGURATION_INCORRECT',
			'CONFIGURATION_INCORRECT',
		]);
		for (const { message } of messages) expect(askMessageProblems(message)).toEqual([]);
	});

	it('ignores a fixture weight hint that is not a Decimal instead of sending it as weight.value', async () => {
		const drawing = await inspectDrawing(await pdfWithHints({ weight_kg: 'about 2 kg' }));
		const [{ message }] = await answer(drawing, [v2('META_DATA')]);
		expect((message.payload_dict?.weight as Json).value).toMatch(/^\d+\.\d+$/);
		const exact = await inspectDrawing(await pdfWithHints({ weight_kg: '1.25' }));
		expect(((await answer(exact, [v2('META_DATA')]))[0].message.payload_dict?.weight as Json).value).toBe('1.25');
	});
});

describe('other drawing types', () => {
	it.each([['jpeg', 'JPEG'], ['tiffLittleEndian', 'TIFF'], ['tiffBigEndian', 'TIFF'], ['png', 'PNG'], ['pdf', 'PDF']] as const)(
		'%s: one page, every page-wise ask answered, images as PNG',
		async (fixture, kind) => {
			const drawing = await inspectDrawing(loadDrawing(fixture));
			expect(drawing.type?.kind).toBe(kind);
			expect(drawing.pageCount).toBe(1);
			const planned = await planAskMessages(REQUEST_ID, drawing, [v2('META_DATA'), v2('SHEET_IMAGES'), v2('REDACTION', { output_format: 'PDF' })], 5);
			expect(planned.map((p) => p.message.exceptions)).toEqual([[], [], []]);
			expect(planned[1].artefact?.bytes.subarray(1, 4).toString()).toBe('PNG');
			expect(planned[2].artefact?.bytes.subarray(0, 5).toString()).toBe('%PDF-');
		},
	);
});

describe('JPEG and TIFF need a plausible structure, not just the magic bytes', () => {
	const jpeg = loadDrawing('jpeg');
	const tiffLe = loadDrawing('tiffLittleEndian');
	const tiffBe = loadDrawing('tiffBigEndian');
	const garbage = Buffer.from('garbage after the magic bytes '.repeat(20), 'latin1');
	/** The fixture with bytes at `offset` replaced. */
	const patched = (source: Buffer, offset: number, bytes: number[]): Buffer => {
		const copy = Buffer.from(source);
		Buffer.from(bytes).copy(copy, offset);
		return copy;
	};
	// drawing.jpg: SOI, APP0 @2, DQT @20, SOF2 @89 (height @94, width @96), DHT @102, SOS @124, 134 bytes.
	// drawing-*.tif: IFD @8 with 8 entries (ImageWidth first, ImageLength second), one 1-byte strip @110, 111 bytes.
	const tiffEntry = (index: number): number => 8 + 2 + index * 12;

	const unreadable: Array<[string, Buffer]> = [
		['JPEG magic + text', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), garbage])],
		['JPEG magic + zeros', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(500)])],
		['JPEG cut inside APP0', jpeg.subarray(0, 12)],
		['JPEG cut inside the quantisation table', jpeg.subarray(0, 60)],
		['JPEG cut inside SOF', jpeg.subarray(0, 95)],
		['JPEG cut before SOS', jpeg.subarray(0, 124)],
		['JPEG cut inside the SOS header', jpeg.subarray(0, 130)],
		['JPEG without SOF', Buffer.concat([jpeg.subarray(0, 89), jpeg.subarray(102)])],
		['JPEG with width 0', patched(jpeg, 96, [0, 0])],
		['JPEG with height 0', patched(jpeg, 94, [0, 0])],
		['JPEG with a segment length past the end', patched(jpeg, 22, [0xff, 0xf0])],
		['JPEG with a segment not starting with 0xFF', patched(jpeg, 20, [0x12])],
		['JPEG with a second SOI', patched(jpeg, 20, [0xff, 0xd8])],
		['TIFF LE magic + text', Buffer.concat([Buffer.from('II*\0', 'latin1'), garbage])],
		['TIFF BE magic + text', Buffer.concat([Buffer.from('MM\0*', 'latin1'), garbage])],
		['TIFF LE header only', tiffLe.subarray(0, 8)],
		['TIFF BE cut inside the IFD', tiffBe.subarray(0, 60)],
		['TIFF LE cut before the strip', tiffLe.subarray(0, 110)],
		['TIFF LE IFD offset past the end', patched(tiffLe, 4, [0xff, 0xff, 0, 0])],
		['TIFF BE IFD offset into the header', patched(tiffBe, 4, [0, 0, 0, 2])],
		['TIFF LE IFD with no entries', patched(tiffLe, 8, [0, 0])],
		['TIFF LE without ImageWidth', patched(tiffLe, tiffEntry(0), [0xfe, 0x00])],
		['TIFF BE without ImageLength', patched(tiffBe, tiffEntry(1), [0x01, 0xfe])],
		['TIFF LE with width 0', patched(tiffLe, tiffEntry(0) + 8, [0, 0])],
		['TIFF BE with a strip offset past the end', patched(tiffBe, tiffEntry(5) + 8, [0, 0, 0x10, 0])],
	];
	it.each(unreadable)('%s: DRAWING_CONTENT_NOT_UNDERSTOOD for every ask', async (_name, bytes) => {
		const drawing = await inspectDrawing(bytes);
		expect(drawing.type?.kind).toMatch(/^(JPEG|TIFF)$/);
		expect(drawing.unreadable).toBe('DRAWING_CONTENT_NOT_UNDERSTOOD');
		const planned = await planAskMessages(REQUEST_ID, drawing, [v2('META_DATA'), v2('SHEET_IMAGES'), v2('REDACTION')], 5);
		for (const { message, artefact } of planned) {
			expect(message.exceptions).toEqual([{ exception_level: 'ERROR', exception_type: 'DRAWING_CONTENT_NOT_UNDERSTOOD' }]);
			expect(message.payload_dict).toBeNull();
			expect(artefact).toBeNull();
		}
	});

	const readable: Array<[string, Buffer]> = [
		['the JPEG fixture', jpeg],
		['the JPEG fixture as baseline (SOF0)', patched(jpeg, 90, [0xc0])],
		['the JPEG fixture with fill bytes before a marker', Buffer.concat([jpeg.subarray(0, 20), Buffer.from([0xff, 0xff]), jpeg.subarray(20)])],
		['the JPEG fixture with its EOI and entropy data', Buffer.concat([jpeg, Buffer.from([0x00, 0x3f, 0xff, 0xd9])])],
		['the little-endian TIFF fixture', tiffLe],
		['the big-endian TIFF fixture', tiffBe],
		['the little-endian TIFF with a LONG ImageWidth', patched(tiffLe, tiffEntry(0) + 2, [4, 0, 1, 0, 0, 0, 1, 0, 0, 0])],
	];
	it.each(readable)('%s still gets results', async (_name, bytes) => {
		const drawing = await inspectDrawing(bytes);
		expect(drawing.unreadable).toBeNull();
		expect(drawing.pageCount).toBe(1);
		const planned = await planAskMessages(REQUEST_ID, drawing, [v2('META_DATA'), v2('SHEET_IMAGES')], 5);
		expect(planned.map((p) => p.message.exceptions)).toEqual([[], []]);
		expect(planned.map((p) => askMessageProblems({ ...p.message, payload_url: p.artefact ? 'https://x.example.com/1' : null }))).toEqual([[], []]);
	});
});
