import type { ReadRequest } from './request';

// werk24-python sends every non-file field as json.dumps(value): ", " and ": " separators and
// ensure_ascii (every character outside printable ASCII as \uXXXX). We reproduce those bytes so a
// request from this package is indistinguishable from one sent by the reference client.

const NAMED_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function pythonString(text: string): string {
	let out = '"';
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		const code = text.charCodeAt(index);
		if (NAMED_ESCAPES[char] !== undefined) out += NAMED_ESCAPES[char];
		else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
		else out += char;
	}
	return out + '"';
}

/** Python's float repr: shortest round-trip digits, exponent form below 1e-4 and from 1e16 on. */
function pythonFloat(value: number): string {
	const [mantissa, exponentText] = value.toExponential().split('e');
	const exponent = Number(exponentText);
	const negative = mantissa.startsWith('-');
	const digits = mantissa.replace('-', '').replace('.', '');
	const sign = negative ? '-' : '';
	if (exponent < -4 || exponent >= 16) {
		const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
		const exponentSign = exponent < 0 ? '-' : '+';
		return `${sign}${body}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
	}
	if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
	const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
	const fraction = digits.slice(exponent + 1) || '0';
	return `${sign}${whole}.${fraction}`;
}

function pythonNumber(value: number): string {
	// JSON.stringify also turns NaN and ±Infinity into null (Python would write invalid JSON).
	if (!Number.isFinite(value)) return 'null';
	if (Number.isSafeInteger(value)) return String(value);
	return pythonFloat(value);
}

/**
 * `json.dumps(value)` with Python's defaults, for JSON-compatible values. Integers within 2^53 print
 * as integers (JSON cannot tell 5 from 5.0). Skips undefined and function members as JSON.stringify does.
 */
export function pythonJsonDumps(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
		return pythonJsonDumps((value as { toJSON: () => unknown }).toJSON());
	}
	switch (typeof value) {
		case 'string':
			return pythonString(value);
		case 'number':
			return pythonNumber(value);
		case 'boolean':
			return value ? 'true' : 'false';
		case 'object': {
			if (Array.isArray(value)) {
				const items: unknown[] = value;
				return `[${items.map((item) => (typeof item === 'function' ? 'null' : pythonJsonDumps(item))).join(', ')}]`;
			}
			const members = Object.entries(value as Record<string, unknown>).filter(
				([, member]) => member !== undefined && typeof member !== 'function',
			);
			return `{${members.map(([key, member]) => `${pythonString(key)}: ${pythonJsonDumps(member)}`).join(', ')}}`;
		}
		default:
			throw new TypeError(`pythonJsonDumps: cannot encode a ${typeof value}`);
	}
}

/** The non-file fields in werk24-python's order, each JSON-encoded (absent optionals as `null`). */
export function readFormFields(request: ReadRequest): Array<[name: string, value: string]> {
	return [
		['asks', pythonJsonDumps(request.asks)],
		['callback_url', pythonJsonDumps(request.callbackUrl)],
		['callback_headers', pythonJsonDumps(request.callbackHeaders)],
		['max_pages', pythonJsonDumps(request.maxPages)],
		['client_version', pythonJsonDumps(request.clientVersion)],
		['public_key', pythonJsonDumps(request.publicKey)],
		['priority', pythonJsonDumps(request.priority)],
	];
}

/**
 * The read-with-callback body exactly as werk24-python 2.6 sends it: the `drawing` part (with a
 * filename and the sniffed MIME type), then every other field JSON-encoded. Takes a validated request
 * (see validateReadRequest). Let the HTTP client set the Content-Type with its boundary.
 */
export function buildReadForm(request: ReadRequest): FormData {
	const form = new FormData();
	form.append('drawing', new Blob([request.drawing as BlobPart], { type: request.drawingType.mimeType }), request.fileName);
	for (const [name, value] of readFormFields(request)) form.append(name, value);
	return form;
}
