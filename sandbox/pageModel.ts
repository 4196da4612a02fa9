// A deterministic, plausible "reading" of one page: title-block values and features, seeded by the drawing's
// SHA-256 and the page index, so the same drawing always yields the same results and every ask agrees with
// every other (BALLOONS and REFERENCE_POSITIONS point at the reference_ids META_DATA/FEATURES use).
import { SeededRandom } from './faults';
import type { InspectedDrawing } from './drawing';

type Json = Record<string, unknown>;

interface MaterialEntry {
	raw_ocr: string;
	standard: string | null;
	designation: string;
	material_category: [string | null, string | null, string | null];
}

// Category names beyond the documented 1.4404 example are left null rather than guessed.
const MATERIALS: MaterialEntry[] = [
	{ raw_ocr: '1.4404', standard: 'EN 10088-3', designation: 'X2CrNiMo17-12-2', material_category: ['FERROUS_ALLOY', 'STEEL', 'STAINLESS_STEEL'] },
	{ raw_ocr: '1.4301', standard: 'EN 10088-3', designation: 'X5CrNi18-10', material_category: ['FERROUS_ALLOY', 'STEEL', 'STAINLESS_STEEL'] },
	{ raw_ocr: '1.0503', standard: 'EN 10083-2', designation: 'C45', material_category: ['FERROUS_ALLOY', 'STEEL', null] },
	{ raw_ocr: 'EN AW-6082 T6', standard: 'EN 573-3', designation: 'AlSi1MgMn', material_category: ['NONFERROUS_ALLOY', null, null] },
];

const DESIGNATIONS: Array<[string, string]> = [
	['FLANGE', 'FLANSCH'],
	['SHAFT', 'WELLE'],
	['BEARING BUSHING', 'LAGERBUCHSE'],
	['COVER PLATE', 'DECKEL'],
	['MOUNTING BRACKET', 'HALTEWINKEL'],
];

// ISO 261 coarse pitches.
const METRIC_THREADS: Array<[number, string]> = [[4, '0.7'], [5, '0.8'], [6, '1'], [8, '1.25'], [10, '1.5'], [12, '1.75']];

export interface Position {
	reference_id: number;
	/** Rectangle in PIXEL_SPACE at 200 dpi: [x0, y0, x1, y1]. */
	box: [number, number, number, number];
}

export interface PageModel {
	meta: Json;
	features: Json;
	insights: Json;
	positions: Position[];
	/** Reference ids of features (what a balloon would mark). */
	featureIds: number[];
}

const size = (value: string, unit: string, sizeType: string, tolerance: Json | null = null): Json => ({
	value,
	unit,
	size_type: sizeType,
	tolerance,
});

const tolerance = (lower: string | null, upper: string | null, extra: Json = {}): Json => ({
	tolerance_grade: null,
	deviation_lower: lower,
	deviation_upper: upper,
	fit: null,
	is_theoretically_exact: false,
	is_reference: false,
	is_general_tolerance: false,
	is_approximation: false,
	...extra,
});

const confidence = (random: SeededRandom): Json => ({ score: (0.8 + random.int(0, 19) / 100).toFixed(2) });

const roughness = (referenceId: number, label: string, value: string, random: SeededRandom | null): Json => ({
	reference_id: referenceId,
	label,
	confidence: random ? confidence(random) : null,
	standard: 'ISO 1302:2002',
	machining_allowance: null,
	material_removal_type: 'REQUIRED',
	applies_all_around: false,
	direction_of_lay: null,
	manufacturing_process: null,
	conditions: [
		{
			condition_type: null, filter_type: null, lambda_s: null, lambda_c: null, parameter: 'Ra', evaluation_length: null,
			acceptance_criterion: null, value: size(value, 'micrometer', 'LINEAR'), roughness_grade: null,
		},
	],
	waviness: null,
});

export function materialFor(rawOcr: string | undefined, random: SeededRandom): MaterialEntry {
	const known = MATERIALS.find((m) => m.raw_ocr === rawOcr);
	if (known) return known;
	if (rawOcr) return { raw_ocr: rawOcr, standard: null, designation: rawOcr, material_category: [null, null, null] };
	return random.pick(MATERIALS);
}

export function buildPageModel(drawing: InspectedDrawing, pageIndex: number): PageModel {
	const random = new SeededRandom(`${drawing.sha256}:${pageIndex}`);
	const hints = drawing.hints;
	const page = drawing.pageSizes[pageIndex] ?? { widthPt: 842, heightPt: 595 };
	const widthPx = Math.round((page.widthPt * 200) / 72);
	const heightPx = Math.round((page.heightPt * 200) / 72);
	const positions: Position[] = [];
	let nextId = 0;
	// Every reference gets a position: title-block values in the title block, features spread over the canvas.
	const reference = (area: 'title' | 'canvas'): number => {
		const id = nextId++;
		const [fx, fy, fw, fh] = area === 'title' ? [0.62, 0.84, 0.35, 0.12] : [0.05, 0.08, 0.5, 0.6];
		const x0 = Math.round(widthPx * (fx + random.next() * fw * 0.8));
		const y0 = Math.round(heightPx * (fy + random.next() * fh * 0.8));
		positions.push({ reference_id: id, box: [x0, y0, x0 + Math.round(widthPx * 0.06), y0 + Math.round(heightPx * 0.025)] });
		return id;
	};

	const drawingNumber = hints.drawing_number ?? `W24-${random.int(1000, 9999)}-${String.fromCharCode(65 + random.int(0, 5))}`;
	const partNumber = hints.part_number ?? `${random.int(100, 999)}-${random.int(1000, 9999)}`;
	const [designationEn, designationDe] = hints.designation ? [hints.designation, null] : random.pick(DESIGNATIONS);
	const material = materialFor(hints.material, random);
	const weight = hints.weight_kg ?? (random.int(5, 250) / 100).toFixed(2);
	const toleranceClass = random.pick(['f', 'm', 'm', 'c']);

	const meta: Json = {
		ask_version: 'v2',
		ask_type: 'META_DATA',
		page_type: 'COMPONENT_DRAWING',
		bill_of_material: null,
		certifications: [],
		designation: [
			{ reference_id: reference('title'), language: 'ENG', value: designationEn },
			...(designationDe ? [{ reference_id: reference('title'), language: 'DEU', value: designationDe }] : []),
		],
		identifiers: [
			{ reference_id: reference('title'), language: null, value: drawingNumber, identifier_type: 'DRAWING_NUMBER', stakeholder: 'OWNER', period: 'CURRENT' },
			{ reference_id: reference('title'), language: null, value: partNumber, identifier_type: 'PART_NUMBER', stakeholder: null, period: null },
		],
		general_roughness: roughness(reference('title'), '√ Ra 3.2', '3.2', null),
		general_tolerances: { reference_id: reference('title'), tolerance_standard: 'ISO 2768', tolerance_class: toleranceClass, principle: 'INDEPENDENCE' },
		languages: designationDe ? ['ENG', 'DEU'] : ['ENG'],
		material_options: [{ reference_id: reference('title'), material_combination: [material] }],
		notes: [{ reference_id: reference('canvas'), label: 'Break all sharp edges 0.2 x 45°', confidence: confidence(random), note_type: 'CANVAS_NOTE' }],
		projection_method: { reference_id: reference('title'), projection_method: random.next() < 0.85 ? 'FIRST_ANGLE' : 'THIRD_ANGLE' },
		unit_systems: [{ reference_id: reference('title'), unit_system_type: 'METRIC' }],
		weight: { reference_id: reference('title'), value: weight, unit: 'kilogram' },
	};

	const featureIds: number[] = [];
	const featureRef = (): number => {
		const id = reference('canvas');
		featureIds.push(id);
		return id;
	};
	const outerDiameter = random.int(3, 12) * 5;
	const length = random.int(4, 16) * 5;
	const [threadSize, pitch] = random.pick(METRIC_THREADS);
	const threadCount = random.pick([1, 2, 4, 6]);
	const boreDiameter = (threadSize + 0.6).toFixed(1);
	// Drawn once and used for both label and size, so the label says what the value is.
	const shortLength = random.int(2, 9) * 2;
	const dimensions: Json[] = [
		{
			reference_id: featureRef(), label: `⌀${outerDiameter} h7`, confidence: confidence(random), quantity: 1,
			size: size(String(outerDiameter), 'millimeter', 'DIAMETER', tolerance(outerDiameter > 30 ? '-0.025' : '-0.021', '0', { tolerance_grade: 'IT7', fit: 'h7' })),
		},
		{
			reference_id: featureRef(), label: `${length} ±0.1`, confidence: confidence(random), quantity: 1,
			size: size(String(length), 'millimeter', 'LINEAR', tolerance('-0.1', '0.1')),
		},
		{
			reference_id: featureRef(), label: `${shortLength}`, confidence: confidence(random), quantity: 1,
			size: size(String(shortLength), 'millimeter', 'LINEAR', tolerance('-0.2', '0.2', { is_general_tolerance: true })),
		},
	];
	const radius = random.int(1, 5);
	const features: Json = {
		ask_version: 'v2',
		ask_type: 'FEATURES',
		page_type: 'COMPONENT_DRAWING',
		bores: [
			{
				reference_id: featureRef(), label: `${threadCount}x ⌀${boreDiameter} THRU`, confidence: confidence(random), quantity: threadCount,
				counterbore: null, countersink: null, counterdrill: null, diameter: size(boreDiameter, 'millimeter', 'DIAMETER'),
				depth: { depth_type: 'THROUGH', size: null }, thread: null,
			},
		],
		chamfers: [
			{
				reference_id: featureRef(), label: '1 x 45°', confidence: confidence(random), quantity: 1,
				size: size('1', 'millimeter', 'LINEAR'), angle: size('45', 'degree', 'ANGULAR'),
			},
		],
		dimensions,
		gdnts: [
			{
				reference_id: featureRef(), label: '[⌖|⌀0.1|A|B]', confidence: confidence(random), characteristic: '⌖',
				zone: { value: size('0.1', 'millimeter', 'DIAMETER'), extend: null, combination: null, offset: null, constraint: null },
				feature: null, reference: null, material_condition: null, state: null, datums: [{ label: 'A' }, { label: 'B' }],
			},
		],
		radii: [
			{ reference_id: featureRef(), label: `R${radius}`, confidence: confidence(random), quantity: 1, curvature_type: null, size: size(String(radius), 'millimeter', 'LINEAR') },
		],
		roughnesses: [roughness(featureRef(), '√Ra 1.6', '1.6', random)],
		threads: [
			{
				reference_id: featureRef(), label: `${threadCount}x M${threadSize}-6H ↧${threadSize * 2}`, confidence: confidence(random),
				quantity: String(threadCount), diameter: size(String(threadSize), 'millimeter', 'DIAMETER'),
				spacing: { pitch_in_mm: pitch, threads_per_inch: (25.4 / Number(pitch)).toFixed(2) }, handedness: 'RIGHT',
				depth: { depth_type: 'SIZE', size: size(String(threadSize * 2), 'millimeter', 'LINEAR') },
				thread_type: 'ISO_METRIC', female_major_diameter_tolerance: null,
				female_pitch_diameter_tolerance: tolerance(null, null, { fit: '6H' }),
				male_major_diameter_tolerance: null, male_pitch_diameter_tolerance: null,
			},
		],
	};

	const cylinder = (diameter: number, depth: number): Json => ({
		enclosing_cuboid: null,
		enclosing_cylinder: {
			geometry_type: 'CYLINDER',
			diameter: size(String(diameter), 'millimeter', 'DIAMETER'),
			depth: size(String(depth), 'millimeter', 'LINEAR'),
		},
	});
	const insights: Json = {
		ask_version: 'v2',
		ask_type: 'INSIGHTS',
		page_type: 'COMPONENT_DRAWING',
		dimensions_before_processing: cylinder(outerDiameter + 5, length + 5),
		dimensions_after_processing: cylinder(outerDiameter, length),
		primary_process_options: [
			{ primary_process: 'TURNING', requires_secondary_milling: true },
			{ primary_process: 'MILLING', axis_count: 3 },
		],
		// Stainless parts are usually passivated (the documented INSIGHTS example says so too).
		secondary_processes: material.material_category[2] === 'STAINLESS_STEEL'
			? [{ reference_id: featureRef(), label: 'passivated', confidence: confidence(random), process_category: ['COATING', 'PASSIVATING'] }]
			: [],
		volume_estimate: {
			value: String(Math.round(Math.PI * ((outerDiameter + 5) / 2) ** 2 * (length + 5))),
			unit: 'millimeter ** 3',
			volume_estimate_type: 'UPPER_BOUND_IGNORING_CAVITIES',
		},
	};
	return { meta, features, insights, positions, featureIds };
}
