import { mapPool } from '../../core';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

const tick = async () => await new Promise((resolve) => setImmediate(resolve));

describe('mapPool', () => {
	it('keeps input order when later items finish first', async () => {
		const delays = [30, 1, 20, 0, 10];
		const result = await mapPool(delays, 3, async (delay, index) => {
			await new Promise((resolve) => setTimeout(resolve, delay));
			return `${index}:${delay}`;
		});
		expect(result).toEqual(['0:30', '1:1', '2:20', '3:0', '4:10']);
	});

	it('never has more than `concurrency` calls in flight, and uses all of them', async () => {
		const gates = Array.from({ length: 10 }, () => deferred<number>());
		let inFlight = 0;
		let peak = 0;
		const started: number[] = [];
		const run = mapPool(gates, 3, async (gate, index) => {
			started.push(index);
			inFlight++;
			peak = Math.max(peak, inFlight);
			const value = await gate.promise;
			inFlight--;
			return value;
		});
		await tick();
		expect(started).toEqual([0, 1, 2]);
		gates[1].resolve(1);
		await tick();
		expect(started).toEqual([0, 1, 2, 3]);
		gates.forEach((gate, index) => gate.resolve(index));
		expect(await run).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(peak).toBe(3);
	});

	it('stops starting new work after a rejection and rejects with that error', async () => {
		const gates = Array.from({ length: 6 }, () => deferred<number>());
		const started: number[] = [];
		const run = mapPool(gates, 2, async (gate, index) => {
			started.push(index);
			return await gate.promise;
		});
		const outcome = run.then(
			() => 'resolved',
			(error: unknown) => error,
		);
		await tick();
		const failure = new Error('item 0 failed');
		gates[0].reject(failure);
		await tick();
		gates[1].resolve(1);
		await tick();
		expect(await outcome).toBe(failure);
		expect(started).toEqual([0, 1]);
	});

	it('reports the first error when several calls fail', async () => {
		const run = mapPool([1, 2, 3], 3, async (n) => {
			await new Promise((resolve) => setTimeout(resolve, n * 5));
			throw new Error(`fail ${n}`);
		});
		await expect(run).rejects.toThrow('fail 1');
	});

	it('handles an empty list and a concurrency larger than the list', async () => {
		expect(await mapPool([], 4, async () => 1)).toEqual([]);
		expect(await mapPool(['a'], 10, async (item) => item.toUpperCase())).toEqual(['A']);
	});

	it.each([0, -1, 1.5, Number.NaN])('rejects concurrency %p with a TypeError', async (concurrency) => {
		await expect(mapPool([1], concurrency, async (n) => n)).rejects.toThrow(TypeError);
	});
});
