import type { Log2Histogram } from '../aggregate/log2-histogram.js';

/**
 * A log2 histogram in OpenTelemetry's exponential form at scale 0 (base 2): bucket `i`
 * of `bucketCounts` has index `offset + i` and bounds (2^index, 2^(index+1)].
 */
export interface ExponentialBuckets {
  /** Always 0: base 2. */
  readonly scale: 0;
  /** Values equal to 0 (the kernel's slot 0). */
  readonly zeroCount: number;
  /** Index of the first bucket in `bucketCounts`. */
  readonly offset: number;
  /** Counts of consecutive buckets from `offset` (zeros between non-empty ones included). */
  readonly bucketCounts: readonly number[];
  /** Total count: zeroCount plus every bucket. */
  readonly count: number;
}

/**
 * The kernel's log2 buckets as an OpenTelemetry exponential histogram at scale 0, bucket
 * for bucket: kernel slot `k ≥ 1` (values in [2^(k-1), 2^k)) becomes exponential index
 * `k - 1` (values in (2^(k-1), 2^k]), slot 0 (the value 0) the zero count. Counts are the
 * kernel's exactly; the one difference is at the bounds: a value equal to a power of two
 * is in the kernel bucket that starts there, where OpenTelemetry's convention would put
 * it in the one that ends there.
 * @param histogram - a histogram as the families report it
 * @returns the exponential form, with `offset` 0 and no buckets when only zeros were counted
 */
export function log2ToExponential(histogram: Log2Histogram): ExponentialBuckets {
  let zeroCount = 0;
  const positive = histogram.buckets.filter((b) => {
    if (b.index === 0) zeroCount += b.count;
    return b.index > 0;
  });
  if (positive.length === 0) return { scale: 0, zeroCount, offset: 0, bucketCounts: [], count: histogram.count };
  const offset = positive[0]!.index - 1;
  const bucketCounts = new Array<number>(positive[positive.length - 1]!.index - offset).fill(0);
  for (const b of positive) bucketCounts[b.index - 1 - offset] = b.count;
  return { scale: 0, zeroCount, offset, bucketCounts, count: histogram.count };
}
