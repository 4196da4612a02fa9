import { parseMessage } from '../../core';
import { inspectDrawing } from '../../sandbox/drawing';
import { planAskMessages } from '../../sandbox/results';
import { loadDrawing } from '../fixtures/drawings';
import { loadExample } from '../fixtures/examples';
import { flangePdf, v2 } from './submit';

/**
 * Every key the documented example has at a place, the sandbox's result has there too (and no others), with
 * the same JSON type where both are non-null. Arrays: element by element, extra elements against the example's
 * last one (unions such as primary_process_options differ per element).
 */
function shapeProblems(example: unknown, actual: unknown, path = '$'): string[] {
	if (example === null || actual === null) return [];
	if (Array.isArray(example)) {
		if (!Array.isArray(actual)) return [`${path}: expected an array`];
		if (example.length === 0) return [];
		return actual.flatMap((item, index) => shapeProblems(example[Math.min(index, example.length - 1)], item, `${path}[${index}]`));
	}
	if (typeof example === 'object') {
		if (typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object`];
		const exampleKeys = Object.keys(example as object).sort();
		const actualKeys = Object.keys(actual as object).sort();
		if (JSON.stringify(exampleKeys) !== JSON.stringify(actualKeys)) return [`${path}: keys ${actualKeys.join(',')} ≠ ${exampleKeys.join(',')}`];
		return exampleKeys.flatMap((key) => shapeProblems((example as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${path}.${key}`));
	}
	return typeof example === typeof actual ? [] : [`${path}: ${typeof actual} ≠ ${typeof example}`];
}

type Message = Record<string, unknown> & { payload_dict: Record<string, unknown> };

describe('results have the shape of the documented examples', () => {
	const examples: Record<string, Message> = {
		META_DATA: loadExample<Message>('06-message-ask-meta-data.json'),
		FEATURES: loadExample<Message[]>('02-callback-sequence-metadata-sheetimages-features.json').find((m) => m.message_subtype === 'FEATURES')!,
		INSIGHTS: loadExample<Message>('03-message-ask-insights.json'),
		REDACTION: loadExample<Message>('04-message-ask-redaction.json'),
	};

	it.each(Object.keys(examples))('%s', async (askType) => {
		const drawing = await inspectDrawing(flangePdf());
		const [planned] = await planAskMessages('3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d', drawing, [v2(askType)], 1);
		expect(parseMessage(planned.message).ok).toBe(true);
		expect(shapeProblems(examples[askType], { ...planned.message, payload_url: askType === 'REDACTION' ? 'https://x/y' : null })).toEqual([]);
	});
});

describe('other drawing types', () => {
	it.each([['jpeg', 'JPEG'], ['tiffLittleEndian', 'TIFF'], ['tiffBigEndian', 'TIFF'], ['png', 'PNG'], ['pdf', 'PDF']] as const)(
		'%s: one page, every page-wise ask answered, images as PNG',
		async (fixture, kind) => {
			const drawing = await inspectDrawing(loadDrawing(fixture));
			expect(drawing.type?.kind).toBe(kind);
			expect(drawing.pageCount).toBe(1);
			const planned = await planAskMessages('3f2b8c1e-5d4a-4e7b-9c2d-8a1f0e6b7c3d', drawing, [v2('META_DATA'), v2('SHEET_IMAGES'), v2('REDACTION', { output_format: 'PDF' })], 5);
			expect(planned.map((p) => p.message.exceptions)).toEqual([[], [], []]);
			expect(planned[1].artefact?.bytes.subarray(1, 4).toString()).toBe('PNG');
			expect(planned[2].artefact?.bytes.subarray(0, 5).toString()).toBe('%PDF-');
		},
	);
});
