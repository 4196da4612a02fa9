import type { Result, TechreadMessage } from './types';

const TODO = (): never => {
	throw new Error('not implemented yet');
};

export interface ReadableException {
	level: string;
	type: string;
	text: string;
}

/** The Trigger's "Simplified" output and the streaming "one item per drawing" building block. */
export interface SimplifiedMessage {
	request_id: string;
	message_type: string;
	message_subtype: string;
	ask_type: string | null;
	page_number: number;
	ok: boolean;
	errors: ReadableException[];
	payload: Record<string, unknown> | null;
	payload_url: string | null;
	drawing_number?: string;
	part_number?: string;
	designation?: string;
	material?: string;
	weight?: string;
	weight_unit?: string;
	general_tolerances?: string;
	projection_method?: string;
	languages?: string[];
	message: TechreadMessage;
}

/** Validates one message: strict on the envelope, lenient inside payload_dict. Never throws. */
export function parseMessage(input: unknown): Result<TechreadMessage> {
	return TODO() ?? { ok: false, problems: [{ path: '$', reason: String(input) }] };
}

/** A callback body: one message object or an array of them. */
export function parseMessageBody(input: unknown): Result<TechreadMessage[]> {
	return TODO() ?? { ok: false, problems: [{ path: '$', reason: String(input) }] };
}

/** As werk24-python v2: successful when the message carries no exception at all. */
export function isSuccessful(message: TechreadMessage): boolean {
	return TODO() ?? message.exceptions.length === 0;
}

/** Readable text for an exception type, with a fallback for types this package does not know. */
export function describeException(exceptionType: string): string {
	return TODO() ?? exceptionType;
}

export function simplifyMessage(message: TechreadMessage): SimplifiedMessage {
	return TODO() ?? (message as never);
}
