// Named, seeded fault injection: the same seed and the same sequence of requests give the same faults.

/** Each rate is a probability in [0, 1]; 0 (the default) switches the fault off. */
export interface FaultRates {
	/** A callback is delivered twice. */
	duplicate: number;
	/** A request's ASK messages are delivered in shuffled order. */
	reorder: number;
	/** A submission is answered 503 instead of being accepted. */
	submit503: number;
	/** A callback (or streamed message) waits `slowMs` longer. */
	slow: number;
	/** A request ends with ERROR/INTERNAL part-way instead of COMPLETED. */
	internalError: number;
	/** A callback's first attempt is lost (never reaches the receiver) and must be retried. */
	dropFirstAttempt: number;
	/** Streaming: the socket is dropped part-way through the messages. */
	dropSocket: number;
	/** Streaming: the presigned upload is rejected with 400. */
	rejectUpload: number;
}

export const FAULT_NAMES = [
	'duplicate',
	'reorder',
	'submit503',
	'slow',
	'internalError',
	'dropFirstAttempt',
	'dropSocket',
	'rejectUpload',
] as const satisfies ReadonlyArray<keyof FaultRates>;
export type FaultName = (typeof FAULT_NAMES)[number];

export const NO_FAULTS: FaultRates = {
	duplicate: 0,
	reorder: 0,
	submit503: 0,
	slow: 0,
	internalError: 0,
	dropFirstAttempt: 0,
	dropSocket: 0,
	rejectUpload: 0,
};

/** A number seed from a number or any string (FNV-1a), so `--seed demo` works too. */
export function seedFrom(value: number | string): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value >>> 0;
	let hash = 0x811c9dc5;
	for (const char of String(value)) {
		hash ^= char.codePointAt(0) ?? 0;
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash;
}

/** mulberry32: small, fast and good enough for test decisions (not for anything secret). */
export class SeededRandom {
	private state: number;

	constructor(seed: number | string) {
		this.state = seedFrom(seed);
	}

	/** Uniform in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** Integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	shuffle<T>(items: T[]): T[] {
		for (let i = items.length - 1; i > 0; i--) {
			const j = Math.floor(this.next() * (i + 1));
			[items[i], items[j]] = [items[j], items[i]];
		}
		return items;
	}
}

/** Decides faults; every decision draws exactly one number, whether or not the fault is on. */
export class FaultInjector {
	readonly rates: FaultRates;
	private readonly random: SeededRandom;

	constructor(rates: Partial<FaultRates> | undefined, random: SeededRandom) {
		this.rates = { ...NO_FAULTS, ...rates };
		for (const name of FAULT_NAMES) {
			const rate = this.rates[name];
			if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
				throw new RangeError(`Fault rate "${name}" must be a number from 0 to 1, got ${String(rate)}`);
			}
		}
		this.random = random;
	}

	hits(name: FaultName): boolean {
		return this.random.next() < this.rates[name];
	}

	/** A derived generator for one request, so one request's decisions do not shift another's. */
	fork(): SeededRandom {
		return new SeededRandom(Math.floor(this.random.next() * 4294967296));
	}
}

/** Parses `duplicate=0.1,slow=0.2` (CLI and env form). */
export function parseFaultRates(text: string): Partial<FaultRates> {
	const rates: Partial<FaultRates> = {};
	for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
		const [name, value] = entry.split('=').map((s) => s.trim());
		if (!(FAULT_NAMES as readonly string[]).includes(name)) {
			throw new RangeError(`Unknown fault "${name}"; known: ${FAULT_NAMES.join(', ')}`);
		}
		const rate = value === undefined || value === '' ? Number.NaN : Number(value);
		if (!(rate >= 0 && rate <= 1)) throw new RangeError(`Fault "${name}" needs a rate from 0 to 1, e.g. ${name}=0.2; got "${entry}"`);
		rates[name as FaultName] = rate;
	}
	return rates;
}
