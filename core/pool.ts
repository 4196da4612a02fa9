/**
 * Runs fn over items with at most `concurrency` in flight; results keep input order.
 * After the first rejection no new work starts, and the returned promise rejects with that error
 * once the calls already in flight have settled (so none keeps running unobserved).
 */
export async function mapPool<T, R>(
	items: readonly T[],
	concurrency: number,
	fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	if (!Number.isInteger(concurrency) || concurrency < 1) {
		throw new TypeError(`mapPool: concurrency must be an integer ≥ 1, got ${String(concurrency)}`);
	}
	const results = new Array<R>(items.length);
	let next = 0;
	let failed = false;
	let firstError: unknown;

	async function worker(): Promise<void> {
		while (!failed && next < items.length) {
			const index = next++;
			try {
				results[index] = await fn(items[index], index);
			} catch (error) {
				if (!failed) {
					failed = true;
					firstError = error;
				}
			}
		}
	}

	const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => await worker());
	await Promise.all(workers);
	if (failed) throw firstError;
	return results;
}
