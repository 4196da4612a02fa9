// Shape validators for TechreadMessages and the payload_dict of every v2 ask, written from the research spec
// (the Werk24 API reference, §3.2–§3.3, §4.1): werk24-python 2.6.0's pydantic models as dumped
// with model_dump(mode="json"). They are strict where the spec is definite, so the sandbox cannot drift into a
// shape the real service never sends, and tolerant (with a note) where the spec marks a fact unknown.
//
// Conventions, from how pydantic dumps:
// * every field of a model is present (nullable ones as null), and no others: a missing key means the sandbox
//   differs from model_dump; an extra key is one a flow could come to rely on that Werk24 never sends;
// * Decimal fields are JSON strings ("0.42"), ints are JSON integers, tuples are arrays.

import {
	any,
	bool,
	checkShape,
	decimal,
	int,
	isObject,
	list,
	nullable,
	obj,
	oneOf,
	record,
	shown,
	str,
	tagged,
	tuple,
	url,
	type Fields,
	type Shape,
} from './shapeCheck';

export { checkShape, type Shape } from './shapeCheck';

/** An upper-case enum name; for enums whose full value list the spec does not give. */
const UPPER_NAME = /^[A-Z][A-Z0-9_]*$/;

// ---- enums (§3.3, §4.1) ----------------------------------------------------------------------------------
// Written out from the reference on purpose, not imported from core/: the sandbox builds its messages with core,
// so core's lists would let a wrong value check itself.

export const V2_ASK_TYPES = ['BALLOONS', 'CUSTOM', 'FEATURES', 'INSIGHTS', 'META_DATA', 'REDACTION', 'REFERENCE_POSITIONS', 'SHEET_IMAGES', 'VIEW_IMAGES'] as const;
export const EXCEPTION_LEVELS = ['ERROR', 'INFO'] as const;
export const EXCEPTION_TYPES = [
	'DRAWING_FILE_FORMAT_UNSUPPORTED',
	'DRAWING_FILE_SIZE_TOO_LARGE',
	'DRAWING_RESOLUTION_TOO_LOW',
	'DRAWING_CONTENT_NOT_UNDERSTOOD',
	'CONFIGURATION_INCORRECT',
	'DRAWING_PAPER_SIZE_TOO_LARGE',
	'DRAWING_PAGE_COUNT_TOO_LARGE',
] as const;
const PAGE_TYPE = oneOf('COMPONENT_DRAWING', 'MISCELLANEOUS');
const IDENTIFIER_TYPE = oneOf(
	'ASSEMBLY_NAME', 'ASSEMBLY_NUMBER', 'CAGE_CODE', 'CONTRACT_NUMBER', 'CUSTOMER_NAME', 'CUSTOMER_NUMBER', 'DOCUMENT_NUMBER',
	'DRAWING_NUMBER', 'EQUIPMENT_NUMBER', 'ERP_NUMBER', 'IDENTIFICATION_NUMBER', 'ITEM_NUMBER', 'MANUFACTURER_NAME',
	'MANUFACTURER_NUMBER', 'MATERIAL_NUMBER', 'MATERIAL_WAREHOUSE_NUMBER', 'MISCELLANEOUS', 'NUMBER', 'ORDER_NAME', 'ORDER_NUMBER',
	'ORIGIN_DRAWING_NUMBER', 'PART_NUMBER', 'PRODUCT_GROUP', 'PRODUCT_ID', 'PROJECT_NAME', 'REFERENCE_DRAWING_NUMBER', 'REPLACED_BY',
	'REPLACEMENT_FOR',
);
// Tolerant: the spec names only some of the 51 ISO 639-2/B codes ("ALB … DEU, ENG, FRA … ZUL").
const LANGUAGE = str('an ISO 639-2/B code such as "ENG"', /^[A-Z]{3}$/);
const CERTIFICATION_TYPE = oneOf(
	'AS9100', 'CMRT', 'COC', 'EAR', 'EN_9100', 'FINISHING_CERT', 'HARDWARE_CERT', 'IATF_16949', 'ISO_13485', 'ISO_14001', 'ISO_9001',
	'ITAR', 'JCP', 'MATERIAL_CERT_DFARS', 'MATERIAL_CERT_STANDARD', 'MATERIAL_TRACEABILITY', 'NADCAP', 'NIST_800_171', 'REACH', 'ROHS',
);
const SIZE_TYPE = oneOf('ANGULAR', 'LINEAR', 'DIAMETER', 'SPHERICAL_DIAMETER', 'WIDTH_ACROSS_FLATS', 'SQUARE');
const ROUGHNESS_STANDARD = oneOf(
	'ISO 1302:1978', 'ISO 1302:1992', 'ISO 1302:2002', 'ISO 21920-1:2021', 'ASME Y14.36-1978', 'ASME Y14.36M-1996', 'ASME Y14.36-2018', 'VARIABLE',
);
const ROUGHNESS_PARAMETER = oneOf(
	'AA', 'CLA', 'PVA', 'RMS', 'Pa', 'PC', 'Pku', 'Pp', 'Pq', 'Psk', 'Pt', 'Pv', 'Py', 'Pz', 'Ra', 'Rc', 'Rku', 'Rp', 'Rq', 'Rsk', 'Rt', 'Rv',
	'Ry', 'Rz', 'Wa', 'Wc', 'Wku', 'Wp', 'Wq', 'Wsk', 'Wt', 'Wv', 'Wy', 'Wz', 'N',
);
const GDNT_CHARACTERISTIC = oneOf('∠', '↗', '○', '◎', '⌭', '[DATUM]', '⏥', '∥', '⟂', '⌖', '⌒', '⌓', '⏤', '⌯', '⌰');
export const THREAD_TYPES = ['ISO_METRIC', 'SM', 'UTS', 'ACME', 'NPT', 'WHITWORTH', 'KNUCKLE'] as const;
export const REDACTION_OUTPUT_FORMATS = ['PDF', 'PNG'] as const;

// ---- building blocks (§3.3) ------------------------------------------------------------------------------

// Tolerant: units are in "pint spelling" (millimeter, degree, kilogram, micrometer, "millimeter ** 3"), but no
// list of units is given, so only the style is checked: lower-case names joined by " ** ", " * " or " / ".
const UNIT = str('a pint unit such as "millimeter"', /^[a-z_]+( (\*\*|\*|\/) [a-z0-9_]+)*$/);
const REFERENCE: Fields = { reference_id: int(0) };
const CONFIDENCE = obj({ score: decimal });
const FEATURE: Fields = { ...REFERENCE, label: str(), confidence: nullable(CONFIDENCE) };
const QUANTITY_FIELDS: Fields = { value: decimal, unit: UNIT };
const QUANTITY = obj(QUANTITY_FIELDS);
const TOLERANCE = obj({
	// Tolerant: tolerance_grade's and fit's types are not given; the examples use strings ("IT7", "h7").
	tolerance_grade: nullable(str()),
	deviation_lower: nullable(decimal),
	deviation_upper: nullable(decimal),
	fit: nullable(str()),
	is_theoretically_exact: bool,
	is_reference: bool,
	is_general_tolerance: bool,
	is_approximation: bool,
});
const SIZE_FIELDS: Fields = { ...QUANTITY_FIELDS, size_type: SIZE_TYPE, tolerance: nullable(TOLERANCE) };
const SIZE = obj(SIZE_FIELDS);
const DEPTH = obj({ depth_type: oneOf('SIZE', 'THROUGH', 'THROUGH_ALL', 'BLIND'), size: nullable(SIZE) });
const POLYGON = obj({ coordinate_space: oneOf('PIXEL_SPACE', 'WORLD_SPACE'), coordinates: list(tuple(int(), int())) });

const ENTRY: Fields = { ...REFERENCE, language: nullable(LANGUAGE), value: str() };
const IDENTIFIER = obj({
	...ENTRY,
	identifier_type: IDENTIFIER_TYPE,
	stakeholder: nullable(oneOf('SUPPLIER', 'OWNER', 'CUSTOMER')),
	period: nullable(oneOf('PREVIOUS', 'CURRENT', 'FUTURE')),
});
const GENERAL_TOLERANCES = obj({
	...REFERENCE,
	tolerance_standard: oneOf('DIN 7168', 'ISO 2768', 'ISO 4759-1', 'TOLERANCE_NOTE'),
	tolerance_class: nullable(str()),
	principle: nullable(oneOf('INDEPENDENCE', 'ENVELOPE')),
});
const ROUGHNESS_CONDITION = obj({
	condition_type: nullable(oneOf('UPPER', 'LOWER', 'AVERAGE')),
	// The literal value is `"2RC"` with the quotes, as the spec gives it.
	filter_type: nullable(oneOf('G', 'RG', 'S', '"2RC"')),
	lambda_s: nullable(SIZE),
	lambda_c: nullable(SIZE),
	parameter: nullable(ROUGHNESS_PARAMETER),
	evaluation_length: nullable(QUANTITY),
	acceptance_criterion: nullable(oneOf('16%', 'max', 'mean')),
	value: nullable(SIZE),
	roughness_grade: nullable(str()),
});
const ROUGHNESS = obj({
	...FEATURE,
	standard: ROUGHNESS_STANDARD,
	machining_allowance: nullable(SIZE),
	material_removal_type: oneOf('UNSPECIFIED', 'PROHIBITED', 'REQUIRED'),
	applies_all_around: bool,
	direction_of_lay: nullable(oneOf('=', '⟂', 'X', 'M', 'C', 'R', 'P')),
	manufacturing_process: nullable(str()),
	conditions: list(ROUGHNESS_CONDITION),
	waviness: nullable(obj({ height: SIZE, width: SIZE })),
});
// Tolerant: categories 2 and 3 are "long lists in enums.py" the spec does not reproduce.
const MATERIAL = obj({
	raw_ocr: str(),
	standard: nullable(str()),
	designation: str(),
	material_category: tuple(
		nullable(oneOf('FERROUS_ALLOY', 'NONFERROUS_ALLOY', 'POLYMER', 'CERAMIC', 'COMPOSITE', 'ORGANIC')),
		nullable(str('an upper-case category name', UPPER_NAME)),
		nullable(str('an upper-case category name', UPPER_NAME)),
	),
});
const MATERIAL_COMBINATION = obj({ ...REFERENCE, material_combination: list(MATERIAL) });
const BILL_OF_MATERIAL = obj({
	...REFERENCE,
	rows: list(
		obj({
			// Tolerant: the types of position, part_number and designation are not given.
			position: any,
			part_number: any,
			designation: any,
			material_options: list(MATERIAL_COMBINATION),
			quantity: nullable(QUANTITY),
			unit_weight: nullable(QUANTITY),
		}),
	),
});

const DIMENSION = obj({ ...FEATURE, quantity: int(0), size: SIZE });
const CHAMFER = obj({ ...FEATURE, quantity: int(1), size: SIZE, angle: SIZE });
const BORE = obj({
	...FEATURE,
	quantity: int(1),
	counterbore: nullable(obj({ diameter: SIZE, depth: DEPTH })),
	countersink: nullable(obj({ diameter: SIZE, angle: SIZE })),
	// [inferred] counterdrill's member types: the spec lists only "{diameter, depth, angle?}".
	counterdrill: nullable(obj({ diameter: SIZE, depth: DEPTH, angle: nullable(SIZE) })),
	diameter: SIZE,
	depth: nullable(DEPTH),
	thread: nullable(obj({ reference_id: int(0) })),
});
const RADIUS = obj({ ...FEATURE, quantity: int(0), curvature_type: nullable(oneOf('CONCAVE', 'CONVEX', 'PLANE')), size: SIZE });
const THREAD_BASE: Fields = {
	...FEATURE,
	quantity: decimal,
	diameter: SIZE,
	spacing: nullable(obj({ pitch_in_mm: decimal, threads_per_inch: decimal })),
	handedness: oneOf('LEFT', 'RIGHT'),
	depth: nullable(DEPTH),
};
// Tolerant: the types of the per-standard size/series/class fields are not given. The ISO_METRIC tolerance
// fields are Tolerance objects as in the FEATURES example.
const THREAD = tagged('thread_type', {
	ISO_METRIC: {
		...THREAD_BASE,
		female_major_diameter_tolerance: nullable(TOLERANCE),
		female_pitch_diameter_tolerance: nullable(TOLERANCE),
		male_major_diameter_tolerance: nullable(TOLERANCE),
		male_pitch_diameter_tolerance: nullable(TOLERANCE),
	},
	SM: { ...THREAD_BASE, sm_size: any },
	UTS: { ...THREAD_BASE, uts_size: any, uts_series: any, uts_tolerance_class: any },
	ACME: { ...THREAD_BASE, acme_size: any, acme_series: any },
	NPT: { ...THREAD_BASE, npt_size: any, npt_series: any },
	WHITWORTH: { ...THREAD_BASE, whitworth_size: any, whitworth_tolerance_class: any },
	KNUCKLE: { ...THREAD_BASE, knuckle_size: any, knuckle_series: any, knuckle_profile: any },
});
const GDNT = obj({
	...FEATURE,
	characteristic: GDNT_CHARACTERISTIC,
	zone: nullable(
		obj({
			value: SIZE,
			extend: nullable(obj({ ...SIZE_FIELDS, quantity: int(), angle: nullable(decimal) })),
			combination: nullable(str()),
			offset: nullable(str()),
			constraint: nullable(str()),
		}),
	),
	feature: nullable(
		obj({ filter: nullable(str()), associated_feature: nullable(oneOf('Ⓒ', 'Ⓖ', 'Ⓝ', 'Ⓧ', 'Ⓣ')), derived_feature: nullable(oneOf('Ⓟ', 'Ⓐ')) }),
	),
	reference: nullable(obj({ association: nullable(oneOf('C', 'CE', 'CI', 'G', 'GE', 'GI', 'N', 'X')), parameter: nullable(oneOf('P', 'V', 'T', 'Q')) })),
	material_condition: nullable(oneOf('Ⓜ', 'Ⓛ', 'Ⓡ')),
	state: nullable(oneOf('Ⓕ')),
	datums: list(obj({ label: str() })),
});
const BOUNDING_DIMENSIONS = obj({
	enclosing_cuboid: nullable(obj({ geometry_type: oneOf('CUBOID'), width: SIZE, height: SIZE, depth: SIZE })),
	enclosing_cylinder: nullable(obj({ geometry_type: oneOf('CYLINDER'), diameter: SIZE, depth: SIZE })),
});

// ---- responses (§3.3) ------------------------------------------------------------------------------------

const head = (askType: string, componentDrawing: boolean): Fields => ({
	ask_version: oneOf('v2'),
	ask_type: oneOf(askType),
	...(componentDrawing ? { page_type: PAGE_TYPE } : {}),
});

/** payload_dict per v2 ask; null for the image asks, which have no response model (their result is the file). */
export const PAYLOAD_SHAPES: Record<(typeof V2_ASK_TYPES)[number], Shape | null> = {
	META_DATA: obj({
		...head('META_DATA', true),
		bill_of_material: nullable(BILL_OF_MATERIAL),
		certifications: list(obj({ certification_type: CERTIFICATION_TYPE, raw_ocr: nullable(str()) })),
		designation: list(obj(ENTRY)),
		identifiers: list(IDENTIFIER),
		general_roughness: nullable(ROUGHNESS),
		general_tolerances: nullable(GENERAL_TOLERANCES),
		languages: list(LANGUAGE),
		material_options: list(MATERIAL_COMBINATION),
		notes: list(obj({ ...FEATURE, note_type: oneOf('CANVAS_NOTE', 'VIEW_NOTE') })),
		projection_method: nullable(obj({ ...REFERENCE, projection_method: oneOf('FIRST_ANGLE', 'THIRD_ANGLE') })),
		unit_systems: list(obj({ ...REFERENCE, unit_system_type: oneOf('METRIC', 'IMPERIAL') })),
		weight: nullable(obj({ ...QUANTITY_FIELDS, ...REFERENCE })),
	}),
	FEATURES: obj({
		...head('FEATURES', true),
		bores: list(BORE),
		chamfers: list(CHAMFER),
		dimensions: list(DIMENSION),
		gdnts: list(GDNT),
		radii: list(RADIUS),
		roughnesses: list(ROUGHNESS),
		threads: list(THREAD),
	}),
	INSIGHTS: obj({
		...head('INSIGHTS', true),
		dimensions_before_processing: nullable(BOUNDING_DIMENSIONS),
		dimensions_after_processing: nullable(BOUNDING_DIMENSIONS),
		primary_process_options: list(
			tagged('primary_process', {
				CUTTING: { requires_bending: nullable(bool) },
				TURNING: { requires_secondary_milling: bool },
				MILLING: { axis_count: nullable(int(0)) },
			}),
		),
		// Tolerant: process_category is a DIN 8580 path of names the spec does not list.
		secondary_processes: list(obj({ ...FEATURE, process_category: list(str('an upper-case process name', UPPER_NAME)) })),
		volume_estimate: nullable(obj({ ...QUANTITY_FIELDS, volume_estimate_type: oneOf('UPPER_BOUND_IGNORING_CAVITIES') })),
	}),
	BALLOONS: obj({ ...head('BALLOONS', false), balloons: list(obj({ reference_id: int(0), center: tuple(int(), int()) })) }),
	REFERENCE_POSITIONS: obj({ ...head('REFERENCE_POSITIONS', false), reference_positions: list(obj({ reference_id: int(0), polygon: nullable(POLYGON) })) }),
	REDACTION: obj({
		...head('REDACTION', false),
		redaction_zones: list(obj({ redaction_zone_type: oneOf('LOGO', 'PERSONAL_DATA', 'COMPANY_DATA', 'KEYWORD'), polygon: POLYGON })),
	}),
	CUSTOM: obj({ ...head('CUSTOM', false), custom_id: str(), output: any }),
	SHEET_IMAGES: null,
	VIEW_IMAGES: null,
};

/**
 * Where a successful ASK carries a payload_url: always for the image asks; for REDACTION the redacted file is
 * [inferred] to come that way (and not with fill_color null), so either is accepted; never for the others.
 */
const PAYLOAD_URL: Record<(typeof V2_ASK_TYPES)[number], 'required' | 'optional' | 'none'> = {
	META_DATA: 'none',
	FEATURES: 'none',
	INSIGHTS: 'none',
	BALLOONS: 'none',
	REFERENCE_POSITIONS: 'none',
	CUSTOM: 'none',
	REDACTION: 'optional',
	SHEET_IMAGES: 'required',
	VIEW_IMAGES: 'required',
};

const EXCEPTION = obj({ exception_level: oneOf(...EXCEPTION_LEVELS), exception_type: oneOf(...EXCEPTION_TYPES) });
const PRESIGNED_POST = obj({ url, fields: record(str()) });
/**
 * TechreadInitResponse, the payload_dict of PROGRESS/INITIALIZATION_SUCCESS (§2.2). Tolerant: whether
 * drawing_presigned_post may be null when `exceptions` is non-empty is [unknown]; the client checks exceptions first.
 */
const INIT_RESPONSE = obj({
	exceptions: list(EXCEPTION),
	drawing_presigned_post: nullable(PRESIGNED_POST),
	model_presigned_post: nullable(PRESIGNED_POST),
	public_key: nullable(str()),
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const ENVELOPE = ['request_id', 'message_type', 'message_subtype', 'page_number', 'payload_dict', 'payload_url', 'exceptions'];

function envelopeProblems(message: Record<string, unknown>): string[] {
	const problems: string[] = [];
	// payload_bytes is client-side only (§3.5): the server never sends it.
	for (const key of Object.keys(message)) if (!ENVELOPE.includes(key)) problems.push(`$.${key}: not a TechreadMessage field`);
	for (const key of ENVELOPE) if (!(key in message)) problems.push(`$.${key}: missing`);
	if (typeof message.request_id !== 'string' || !UUID_V4.test(message.request_id)) problems.push(`$.request_id: must be a version 4 UUID, got ${shown(message.request_id)}`);
	problems.push(...checkShape(int(0), message.page_number, '$.page_number'));
	problems.push(...checkShape(list(EXCEPTION), message.exceptions, '$.exceptions'));
	problems.push(...checkShape(nullable(url), message.payload_url, '$.payload_url'));
	return problems;
}

/**
 * Every way one ASK message departs from the spec: the envelope, the exceptions, and for a successful one the
 * payload_dict of its ask type and whether it has a payload_url. An ERROR-level exception means an empty
 * payload (§4.1). Messages for non-v2 ask types only get the envelope checked.
 */
export function askMessageProblems(message: unknown): string[] {
	if (!isObject(message)) return [`$: must be an object, got ${shown(message)}`];
	const problems = envelopeProblems(message);
	if (message.message_type !== 'ASK') problems.push(`$.message_type: must be "ASK", got ${shown(message.message_type)}`);
	const askType = message.message_subtype;
	if (typeof askType !== 'string' || !UPPER_NAME.test(askType)) return [...problems, `$.message_subtype: must be an ask type, got ${shown(askType)}`];
	const exceptions = Array.isArray(message.exceptions) ? (message.exceptions as Array<Record<string, unknown>>) : [];
	if (exceptions.some((e) => isObject(e) && e.exception_level === 'ERROR')) {
		if (message.payload_dict !== null) problems.push('$.payload_dict: must be null with an ERROR-level exception');
		if (message.payload_url !== null) problems.push('$.payload_url: must be null with an ERROR-level exception');
		return problems;
	}
	if (!(V2_ASK_TYPES as readonly string[]).includes(askType)) return problems;
	const v2 = askType as (typeof V2_ASK_TYPES)[number];
	const shape = PAYLOAD_SHAPES[v2];
	if (shape === null) {
		if (message.payload_dict !== null) problems.push(`$.payload_dict: must be null for ${v2} (no response model; the result is the file)`);
	} else {
		problems.push(...checkShape(shape, message.payload_dict, '$.payload_dict'));
	}
	const where = PAYLOAD_URL[v2];
	if (where === 'required' && message.payload_url === null) problems.push(`$.payload_url: ${v2} delivers its file at a payload_url`);
	if (where === 'none' && message.payload_url !== null && message.payload_url !== undefined) problems.push(`$.payload_url: must be null for ${v2} (no binary result)`);
	return problems;
}

/** Any TechreadMessage: ASK as above; PROGRESS and ERROR with their documented subtypes and payloads. */
export function messageProblems(message: unknown): string[] {
	if (!isObject(message)) return [`$: must be an object, got ${shown(message)}`];
	if (message.message_type === 'ASK') return askMessageProblems(message);
	const problems = envelopeProblems(message);
	const subtype = message.message_subtype;
	if (message.message_type === 'PROGRESS') {
		if (subtype === 'INITIALIZATION_SUCCESS') problems.push(...checkShape(INIT_RESPONSE, message.payload_dict, '$.payload_dict'));
		else if (subtype === 'STARTED' || subtype === 'COMPLETED') problems.push(...checkShape(nullable(any), message.payload_dict, '$.payload_dict'));
		else problems.push(`$.message_subtype: must be STARTED, COMPLETED or INITIALIZATION_SUCCESS, got ${shown(subtype)}`);
	} else if (message.message_type === 'ERROR') {
		if (subtype !== 'INTERNAL') problems.push(`$.message_subtype: must be INTERNAL, got ${shown(subtype)}`);
	} else {
		problems.push(`$.message_type: must be ASK, PROGRESS or ERROR, got ${shown(message.message_type)}`);
	}
	return problems;
}

/** The file behind a payload_url: sheet/view images are PIL-openable images (PNG here; format [unknown]), a redacted drawing is in the ask's output_format. */
export function artefactKind(bytes: Uint8Array): 'PNG' | 'JPEG' | 'PDF' | null {
	const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'PNG';
	if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
	if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'PDF';
	return null;
}
