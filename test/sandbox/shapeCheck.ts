// A small shape language for JSON values and its checker, for the sandbox's result-shape tests
// (resultShapes.ts describes every Werk24 payload in it). Checks follow how pydantic's model_dump writes models.

export type Shape =
	| { kind: 'string'; oneOf?: readonly string[]; pattern?: RegExp; what?: string }
	| { kind: 'decimal' }
	| { kind: 'int'; min?: number }
	| { kind: 'bool' }
	| { kind: 'any' }
	| { kind: 'url' }
	| { kind: 'nullable'; of: Shape }
	| { kind: 'list'; of: Shape }
	| { kind: 'tuple'; of: readonly Shape[] }
	| { kind: 'record'; of: Shape }
	| { kind: 'object'; fields: Fields }
	| { kind: 'tagged'; tag: string; cases: Record<string, Fields> };

export type Fields = Record<string, Shape>;

export const str = (what?: string, pattern?: RegExp): Shape => ({ kind: 'string', what, pattern });
export const oneOf = (...values: string[]): Shape => ({ kind: 'string', oneOf: values });
export const int = (min?: number): Shape => ({ kind: 'int', min });
export const decimal: Shape = { kind: 'decimal' };
export const bool: Shape = { kind: 'bool' };
export const any: Shape = { kind: 'any' };
export const url: Shape = { kind: 'url' };
export const nullable = (of: Shape): Shape => ({ kind: 'nullable', of });
export const list = (of: Shape): Shape => ({ kind: 'list', of });
export const tuple = (...of: Shape[]): Shape => ({ kind: 'tuple', of });
export const record = (of: Shape): Shape => ({ kind: 'record', of });
export const obj = (fields: Fields): Shape => ({ kind: 'object', fields });
export const tagged = (tag: string, cases: Record<string, Fields>): Shape => ({ kind: 'tagged', tag, cases });

// ---- the checker -----------------------------------------------------------------------------------------

// Decimal as pydantic dumps it (str(Decimal)): plain or exponent notation, or the special values.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(E[+-]?\d+)?$|^[+-]?(Infinity|NaN)$/i;

export function shown(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${JSON.stringify(value)}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkFields(fields: Fields, value: Record<string, unknown>, path: string, skip: string[] = []): string[] {
	const problems: string[] = [];
	for (const key of Object.keys(value)) if (!(key in fields) && !skip.includes(key)) problems.push(`${path}.${key}: not in the documented model`);
	for (const [key, shape] of Object.entries(fields)) {
		if (!Object.prototype.hasOwnProperty.call(value, key)) problems.push(`${path}.${key}: missing (model_dump emits every field)`);
		else problems.push(...checkShape(shape, value[key], `${path}.${key}`));
	}
	return problems;
}

/** Every way `value` departs from `shape`, as "path: reason" lines; [] when it fits. */
export function checkShape(shape: Shape, value: unknown, path = '$'): string[] {
	switch (shape.kind) {
		case 'any':
			return value === undefined ? [`${path}: missing`] : [];
		case 'nullable':
			return value === null ? [] : checkShape(shape.of, value, path);
		case 'string':
			if (typeof value !== 'string') return [`${path}: must be a string, got ${shown(value)}`];
			if (shape.oneOf && !shape.oneOf.includes(value)) return [`${path}: must be one of ${shape.oneOf.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`];
			if (shape.pattern && !shape.pattern.test(value)) return [`${path}: must be ${shape.what ?? `like ${String(shape.pattern)}`}, got ${JSON.stringify(value)}`];
			return [];
		case 'decimal':
			return typeof value === 'string' && DECIMAL.test(value) ? [] : [`${path}: must be a Decimal as a JSON string (e.g. "0.42"), got ${shown(value)}`];
		case 'int':
			if (typeof value !== 'number' || !Number.isSafeInteger(value)) return [`${path}: must be an integer, got ${shown(value)}`];
			return shape.min !== undefined && value < shape.min ? [`${path}: must be ≥ ${shape.min}, got ${value}`] : [];
		case 'bool':
			return typeof value === 'boolean' ? [] : [`${path}: must be true or false, got ${shown(value)}`];
		case 'url':
			if (typeof value !== 'string' || value.length > 2083 || !/^https?:\/\/[^/?#]+/.test(value)) return [`${path}: must be an http(s) URL, got ${shown(value)}`];
			return [];
		case 'list':
			if (!Array.isArray(value)) return [`${path}: must be a list, got ${shown(value)}`];
			return value.flatMap((item, index) => checkShape(shape.of, item, `${path}[${index}]`));
		case 'tuple':
			if (!Array.isArray(value) || value.length !== shape.of.length) return [`${path}: must be a list of ${shape.of.length}, got ${shown(value)}${Array.isArray(value) ? ` of ${value.length}` : ''}`];
			return shape.of.flatMap((item, index) => checkShape(item, value[index], `${path}[${index}]`));
		case 'record':
			if (!isObject(value)) return [`${path}: must be an object, got ${shown(value)}`];
			return Object.entries(value).flatMap(([key, item]) => checkShape(shape.of, item, `${path}.${key}`));
		case 'object':
			return isObject(value) ? checkFields(shape.fields, value, path) : [`${path}: must be an object, got ${shown(value)}`];
		case 'tagged': {
			if (!isObject(value)) return [`${path}: must be an object, got ${shown(value)}`];
			const tag = value[shape.tag];
			const fields = typeof tag === 'string' ? shape.cases[tag] : undefined;
			if (!fields) return [`${path}.${shape.tag}: must be one of ${Object.keys(shape.cases).join(', ')}, got ${shown(tag)}`];
			return checkFields(fields, value, path, [shape.tag]);
		}
	}
}

