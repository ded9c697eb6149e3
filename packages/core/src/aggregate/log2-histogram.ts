/** One non-empty bucket of a {@link Log2Histogram}: values in [lowerBound, upperBound). */
export interface Log2Bucket {
  /** Slot index: values v with 2^(index-1) <= v < 2^index; slot 0 holds v = 0. */
  index: number;
  /** Smallest value the bucket holds. */
  lowerBound: number;
  /** Bound no value in the bucket reaches (exclusive). */
  upperBound: number;
  /** Values counted in the bucket. */
  count: number;
}

/** A log2 histogram as the kernel side keeps it (bpf/include/bpfscope_hist.h). */
export interface Log2Histogram {
  /** Unit of the counted values. */
  unit: 'ns' | 'us' | 'bytes' | 'count';
  /** Total number of values counted (the sum of the buckets). */
  count: number;
  /** Non-empty buckets in ascending order. */
  buckets: Log2Bucket[];
}

/**
 * Build a histogram from per-slot counts (slot i as in {@link Log2Bucket.index}).
 * @param slots - counts per slot, e.g. summed over CPUs
 * @param unit - unit of the values
 * @returns the histogram with its empty buckets left out
 */
export function log2HistogramFromSlots(slots: ReadonlyArray<number | bigint>, unit: Log2Histogram['unit']): Log2Histogram {
  const buckets: Log2Bucket[] = [];
  let count = 0;
  // A plain loop over a table of powers: built at every reading of a family with a
  // histogram, where a callback and a pow() per slot cost more than the rest.
  for (let index = 0; index < slots.length; index++) {
    const raw = slots[index];
    if (raw === undefined) continue; // a hole, as forEach skips it
    const n = Number(raw);
    if (n === 0) continue;
    count += n;
    buckets.push({ index, lowerBound: index === 0 ? 0 : pow2(index - 1), upperBound: index === 0 ? 1 : pow2(index), count: n });
  }
  return { unit, count, buckets };
}

/** 2 ** 0 to 2 ** 127, the bounds of every slot a shipped histogram has. */
const POW2 = Array.from({ length: 128 }, (_, i) => 2 ** i);

function pow2(i: number): number {
  return POW2[i] ?? 2 ** i;
}

/**
 * Merge histograms of the same unit by adding bucket counts.
 * @throws TypeError when the units differ
 */
export function mergeLog2Histograms(histograms: readonly Log2Histogram[]): Log2Histogram | null {
  const first = histograms[0];
  if (!first) return null;
  const slots: number[] = [];
  for (const h of histograms) {
    if (h.unit !== first.unit) throw new TypeError(`cannot merge histograms in ${first.unit} and ${h.unit}`);
    for (const b of h.buckets) slots[b.index] = (slots[b.index] ?? 0) + b.count;
  }
  return log2HistogramFromSlots(Array.from(slots, (c) => c ?? 0), first.unit);
}

/**
 * The histogram of what was counted between two readings of the same counters.
 * @param earlier - the older reading
 * @param later - the newer reading
 */
export function log2HistogramDelta(earlier: Log2Histogram, later: Log2Histogram): Log2Histogram {
  const slots: number[] = [];
  for (const b of later.buckets) slots[b.index] = b.count;
  for (const b of earlier.buckets) slots[b.index] = Math.max(0, (slots[b.index] ?? 0) - b.count);
  return log2HistogramFromSlots(Array.from(slots, (c) => c ?? 0), later.unit);
}

/** Where a quantile lies: in [lowerBound, upperBound). */
export interface QuantileBounds {
  /** The quantile is at least this. */
  lowerBound: number;
  /** The quantile is below this. */
  upperBound: number;
}

/**
 * The bucket that holds quantile `q`, as its bounds: the true quantile lies in
 * [lowerBound, upperBound). A log2 histogram cannot say more, so no point value is
 * invented.
 * @param h - the histogram
 * @param q - quantile in [0, 1], e.g. 0.99
 * @returns the bounds, or null for an empty histogram
 */
export function log2Quantile(h: Log2Histogram, q: number): QuantileBounds | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  if (h.count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let seen = 0;
  for (const b of h.buckets) {
    seen += b.count;
    if (seen >= rank) return { lowerBound: b.lowerBound, upperBound: b.upperBound };
  }
  const last = h.buckets[h.buckets.length - 1];
  return last ? { lowerBound: last.lowerBound, upperBound: last.upperBound } : null;
}
