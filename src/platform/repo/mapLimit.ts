/** Outcome of one item of {@link mapLimit}. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `fn` over `items` with at most `limit` calls in flight and returns every outcome in input
 * order. File operations are mostly waiting on the kernel, so overlapping them is what makes
 * thousands of small files fast; callers then report results (and the first error) in order, as
 * if the work had been sequential.
 */
export async function mapLimit<I, T>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<T>,
): Promise<Settled<T>[]> {
  const out: Settled<T>[] = new Array<Settled<T>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { ok: true, value: await fn(items[i] as I) };
      } catch (error) {
        out[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** How many file operations run at once. */
export const FILE_CONCURRENCY = 8;
