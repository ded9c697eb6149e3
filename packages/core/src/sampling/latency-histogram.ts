/** Linear sub-buckets per power of two: the resolution (2^5 = 32, so within 1/32). */
const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
/** Largest exponent kept: values from 2^53 up share the last octave. */
const MAX_EXP = 52;
const BUCKETS = SUB + (MAX_EXP - SUB_BITS + 1) * SUB;

/** Quantiles and totals of a {@link LatencyHistogram}. */
export interface LatencySummary {
  /** Values recorded. */
  readonly count: number;
  /** Median (upper bound, see {@link LatencyHistogram}); NaN when empty. */
  readonly p50: number;
  /** 95th percentile; NaN when empty. */
  readonly p95: number;
  /** 99th percentile; NaN when empty. */
  readonly p99: number;
  /** Largest value recorded (exact, after truncation to an integer); NaN when empty. */
  readonly max: number;
  /** Mean of the values recorded (exact, after truncation); NaN when empty. */
  readonly mean: number;
}

/**
 * A fixed-memory histogram for latencies (log-linear, like HdrHistogram): values are
 * truncated to integers in the caller's unit; 0–31 each have a bucket of their own,
 * and every power of two above is split into 32 equal buckets — 1,568 counters
 * (12.5 KiB) for the whole range up to 2^53, whatever is recorded.
 *
 * **Error bound.** {@link LatencyHistogram.quantile} returns the largest integer of the
 * bucket that holds the nearest-rank quantile, so the answer is never below the true
 * (truncated) quantile and above it by less than 1/32 of it (3.125%), and exact below
 * 32 units. Truncation to an integer adds less than one unit: record in a unit small
 * enough (the batcher records microseconds).
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private sum = 0;
  private largest = Number.NaN;

  /**
   * Records a value, once or `count` times (e.g. the same wait of every event of one batch).
   * @param value - a value ≥ 0 in the histogram's unit (negative counts as 0, fractions are truncated)
   * @param count - how many times to record it (a positive integer)
   * @default count 1
   */
  record(value: number, count = 1): void {
    const v = value > 0 ? Math.floor(value) : 0;
    this.counts[bucketOf(v)]! += count;
    this.n += count;
    this.sum += v * count;
    if (!(v <= this.largest)) this.largest = v;
  }

  /** Values recorded. */
  get count(): number {
    return this.n;
  }

  /**
   * The nearest-rank q-quantile, as an upper bound within the error bound above.
   * @param q - in [0, 1]
   * @returns the quantile, NaN when nothing was recorded
   */
  quantile(q: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(bucketTop(i), this.largest);
    }
    return this.largest;
  }

  /** P50, P95, P99, max and mean. */
  summary(): LatencySummary {
    const empty = this.n === 0;
    return {
      count: this.n,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.largest,
      mean: empty ? Number.NaN : this.sum / this.n,
    };
  }

  /** Forgets everything recorded. */
  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sum = 0;
    this.largest = Number.NaN;
  }
}

/** floor(log2(v)) for v ≥ 2^31 (bucketOf takes smaller values on its integer path). */
function exponentOf(v: number): number {
  let e = Math.floor(Math.log2(v));
  if (2 ** e > v) e--; // log2 rounds up just below a power of two
  else if (2 ** (e + 1) <= v) e++;
  return e;
}

/** @internal exported for tests */
export function bucketOf(v: number): number {
  if (v < SUB) return v;
  if (v < 2 ** 31) {
    // Integer fast path: shifts instead of division.
    const e = 31 - Math.clz32(v);
    return SUB + (e - SUB_BITS) * SUB + ((v >>> (e - SUB_BITS)) - SUB);
  }
  const e = Math.min(exponentOf(v), MAX_EXP);
  const shift = 2 ** (e - SUB_BITS);
  const sub = Math.min(Math.floor(v / shift) - SUB, SUB - 1);
  return SUB + (e - SUB_BITS) * SUB + sub;
}

/** Largest integer in bucket i. @internal exported for tests */
export function bucketTop(i: number): number {
  if (i < SUB) return i;
  const e = Math.floor((i - SUB) / SUB) + SUB_BITS;
  const sub = (i - SUB) % SUB;
  const width = 2 ** (e - SUB_BITS);
  return (SUB + sub) * width + width - 1;
}
