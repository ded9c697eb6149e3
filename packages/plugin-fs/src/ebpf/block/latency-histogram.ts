import type { FsLatencyHistogram } from '../../records.js';

/**
 * The inclusive upper bound, µs, of bucket `i` as biolatency prints it (`0 -> 1`, `2 -> 3`,
 * `4 -> 7`, ...): 2^(i+1) − 1. The kernel side truncates each latency to whole µs before it
 * picks the bucket, so the latency itself is below this bound + 1.
 * @internal
 */
export function bucketUpperUs(i: number): number {
  return 2 ** (i + 1) - 1;
}

/**
 * The upper bound of the bucket that holds quantile `q` of a histogram: the rank ⌈q·count⌉
 * (at least 1) falls in it. A log2 histogram cannot say more, so no point inside the bucket
 * is made up.
 * @param buckets - counts per log2 µs bucket
 * @param q - the quantile, in (0, 1]
 * @returns the bound, or null with no requests
 * @internal
 */
export function quantileUpperUs(buckets: readonly number[], q: number): number | null {
  let count = 0;
  for (const n of buckets) count += n;
  if (count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return bucketUpperUs(i);
  }
  return bucketUpperUs(buckets.length - 1);
}

/**
 * One direction's latency histogram from its kernel slots (slot i: 2^i to 2^(i+1)−1 µs,
 * slot 0 also below 1 µs), with the buckets after the last non-empty one left out.
 * @param slots - counts per slot (summed over CPUs, since the source started)
 * @param sumUs - the sum of the latencies, µs
 * @internal
 */
export function latencyHistogram(slots: readonly number[], sumUs: number): FsLatencyHistogram {
  let last = slots.length - 1;
  while (last >= 0 && slots[last] === 0) last--;
  const buckets = slots.slice(0, last + 1);
  let count = 0;
  for (const n of buckets) count += n;
  return {
    buckets,
    count,
    sumUs,
    p50Us: quantileUpperUs(buckets, 0.5),
    p95Us: quantileUpperUs(buckets, 0.95),
    p99Us: quantileUpperUs(buckets, 0.99),
  };
}
