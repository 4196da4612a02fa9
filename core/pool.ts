/** Runs fn over items with at most `concurrency` in flight; results keep input order. */
export async function mapPool<T, R>(
	items: readonly T[],
	concurrency: number,
	fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	throw new Error('not implemented yet' + String([items, concurrency, fn]));
}
