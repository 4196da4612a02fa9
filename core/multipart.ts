import type { ReadRequest } from './request';

/** The read-with-callback body exactly as werk24-python 2.6 sends it: drawing part + JSON-encoded fields. */
export function buildReadForm(request: ReadRequest): FormData {
	throw new Error('not implemented yet' + String(request));
}
