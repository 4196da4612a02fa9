import type { DrawingType } from './types';

/** The drawing's type from its magic bytes (PDF, PNG, JPEG, TIFF); null when it is none of them. */
export function detectDrawingType(bytes: Uint8Array): DrawingType | null {
	throw new Error('not implemented yet' + String(bytes.length));
}
