import type { Ask, DrawingType, Priority, Problem, Result } from './types';

const TODO = (): never => {
	throw new Error('not implemented yet');
};

export interface ReadRequestInput {
	drawing: Uint8Array;
	fileName?: string;
	asks: Ask[];
	callbackUrl: string;
	callbackHeaders?: Record<string, string> | null;
	maxPages?: number;
	priority?: string | null;
	publicKey?: string | null;
	clientVersion: string;
}

/** A request that passed every preflight rule, normalised (priority upper-cased, defaults filled). */
export interface ReadRequest {
	drawing: Uint8Array;
	fileName: string;
	drawingType: DrawingType;
	asks: Ask[];
	callbackUrl: string;
	callbackHeaders: Record<string, string> | null;
	maxPages: number;
	priority: Priority | null;
	publicKey: string | null;
	clientVersion: string;
}

export function validateReadRequest(input: ReadRequestInput): Result<ReadRequest> {
	return TODO() ?? { ok: false, problems: [{ path: String(input), reason: '' }] };
}

/** Checks a drawing's size and type: "Drawing is 12.4 MB; the limit is 10 MB". */
export function validateDrawing(bytes: Uint8Array): Result<DrawingType> {
	return TODO() ?? { ok: false, problems: [{ path: String(bytes), reason: '' }] };
}

/** Names `Authorization` or `X-…`, name ≤ 128 chars, value ≤ 4096 chars (werk24-api.md §5.2). */
export function validateCallbackHeaders(headers: Record<string, string>): Problem[] {
	return TODO() ?? [{ path: String(headers), reason: '' }];
}

/** PRIO1|PRIO2|PRIO3, case-insensitive; empty/null/undefined = account default (null). */
export function normalizePriority(value: unknown): Result<Priority | null> {
	return TODO() ?? { ok: true, value: value as null };
}
