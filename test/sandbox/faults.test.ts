import { parseMessage, type TechreadMessage } from '../../core';
import { FaultInjector, parseFaultRates, SeededRandom } from '../../sandbox/faults';
import { startSandbox, type SandboxOptions } from '../../sandbox/server';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { bushingPng, flangePdf, submitLikeNodeExample, v2 } from './submit';

let receiver: Receiver;
beforeEach(async () => {
	receiver = await startReceiver();
});
afterEach(async () => {
	await receiver.close();
});

const ALL_FAULTS = { duplicate: 0.3, reorder: 0.5, submit503: 0.3, slow: 0.3, internalError: 0.2, dropFirstAttempt: 0.3 };

/** Submits the same 8 requests one after another and returns what happened to each, without ids or times. */
async function runScenario(seed: number | string): Promise<unknown[]> {
	const sandbox = await startSandbox({ callbackLatencyMs: 0, slowMs: 1, seed, faults: ALL_FAULTS, retry: { backoffMs: 1 } });
	const outcomes: unknown[] = [];
	try {
		for (let i = 0; i < 8; i++) {
			const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, {
				drawing: i % 2 ? bushingPng() : flangePdf(),
				asks: [v2('META_DATA'), v2('FEATURES'), v2('INSIGHTS')],
				callback_url: receiver.url,
			});
			if (answer.status !== 200) {
				outcomes.push({ status: answer.status });
				continue;
			}
			await sandbox.idle();
			const log = sandbox.request(answer.body.request_id as string)!;
			outcomes.push({
				status: 200,
				faults: log.faults,
				callbacks: log.callbacks.map((c) => [c.message_subtype, c.page_number, c.duplicate_of, c.attempts.length, c.state]),
			});
		}
	} finally {
		await sandbox.close();
	}
	return outcomes;
}

describe('fault injection', () => {
	it('is reproducible from the seed, and a different seed gives different faults', async () => {
		const first = await runScenario(42);
		const again = await runScenario(42);
		const other = await runScenario('another seed');
		expect(again).toEqual(first);
		expect(other).not.toEqual(first);
		// The scenario really exercised faults, not an empty pattern.
		const text = JSON.stringify(first);
		expect(text).toMatch(/"status":503/);
		expect(text).toMatch(/duplicate|reorder|slow|dropFirstAttempt|internalError/);
	}, 60_000);

	async function oneRequest(options: SandboxOptions, asks = [v2('META_DATA'), v2('FEATURES'), v2('INSIGHTS'), v2('BALLOONS')]) {
		const sandbox = await startSandbox({ callbackLatencyMs: 0, retry: { backoffMs: 1 }, ...options });
		try {
			const answer = await submitLikeNodeExample(sandbox.url, sandbox.token, { drawing: bushingPng(), asks, callback_url: receiver.url });
			await sandbox.idle();
			const messages = receiver.requests.map((r) => {
				const parsed = parseMessage(r.json);
				if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
				return parsed.value;
			});
			return { log: sandbox.request(answer.body.request_id as string)!, messages };
		} finally {
			await sandbox.close();
		}
	}
	const subtypes = (messages: TechreadMessage[]) => messages.map((m) => m.message_subtype);

	it('duplicate: every message arrives twice and the log marks the copies', async () => {
		const { log, messages } = await oneRequest({ faults: { duplicate: 1 } });
		expect(subtypes(messages)).toEqual(['STARTED', 'STARTED', 'META_DATA', 'META_DATA', 'FEATURES', 'FEATURES', 'INSIGHTS', 'INSIGHTS', 'BALLOONS', 'BALLOONS', 'COMPLETED', 'COMPLETED']);
		expect(log.callbacks.filter((c) => c.duplicate_of !== null).map((c) => c.duplicate_of)).toEqual([0, 2, 4, 6, 8, 10]);
	});

	it('dropFirstAttempt: the first attempt never reaches the receiver, the retry does', async () => {
		const { log, messages } = await oneRequest({ faults: { dropFirstAttempt: 1 } });
		expect(subtypes(messages)).toEqual(['STARTED', 'META_DATA', 'FEATURES', 'INSIGHTS', 'BALLOONS', 'COMPLETED']);
		for (const callback of log.callbacks) {
			expect(callback.attempts.map((a) => a.status)).toEqual([null, 200]);
			expect(callback.attempts[0].error).toMatch(/dropped/);
		}
	});

	it('reorder: STARTED first and COMPLETED last, the ASK messages shuffled', async () => {
		const asks = ['META_DATA', 'FEATURES', 'INSIGHTS', 'BALLOONS', 'REFERENCE_POSITIONS', 'CUSTOM'].map((t) => v2(t, t === 'CUSTOM' ? { custom_id: 'c' } : {}));
		const { log, messages } = await oneRequest({ faults: { reorder: 1 }, seed: 3 }, asks);
		const order = subtypes(messages);
		expect(order[0]).toBe('STARTED');
		expect(order[order.length - 1]).toBe('COMPLETED');
		expect([...order.slice(1, -1)].sort()).toEqual(asks.map((a) => a.ask_type as string).sort());
		expect(order.slice(1, -1)).not.toEqual(asks.map((a) => a.ask_type));
		expect(log.faults).toContain('reorder: ASK messages shuffled');
	});

	it('internalError: the request ends with ERROR/INTERNAL and no COMPLETED', async () => {
		const { messages } = await oneRequest({ faults: { internalError: 1 } });
		expect(messages[0].message_subtype).toBe('STARTED');
		expect(messages[messages.length - 1]).toMatchObject({ message_type: 'ERROR', message_subtype: 'INTERNAL' });
		expect(subtypes(messages)).not.toContain('COMPLETED');
	});

	it('slow: delays a message by slowMs and logs it', async () => {
		const { log } = await oneRequest({ faults: { slow: 1 }, slowMs: 20 });
		expect(log.faults.filter((f) => f.startsWith('slow'))).toHaveLength(log.callbacks.length);
	});
});

describe('faults.ts', () => {
	it('draws the same sequence from the same seed', () => {
		const a = new SeededRandom(9);
		const b = new SeededRandom(9);
		const seqA = Array.from({ length: 50 }, () => a.next());
		expect(Array.from({ length: 50 }, () => b.next())).toEqual(seqA);
		expect(seqA.every((n) => n >= 0 && n < 1)).toBe(true);
		expect(new Set(seqA).size).toBe(50);
	});

	it('rejects rates outside 0..1 and unknown fault names', () => {
		expect(() => new FaultInjector({ slow: 2 }, new SeededRandom(1))).toThrow(RangeError);
		expect(() => parseFaultRates('slow=0.1,explode=1')).toThrow(/explode/);
		expect(parseFaultRates('duplicate=0.25, slow=1')).toEqual({ duplicate: 0.25, slow: 1 });
	});
});
