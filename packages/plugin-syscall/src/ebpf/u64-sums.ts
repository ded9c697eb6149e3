// Exact sums of unsigned 64-bit counters without a BigInt per value: the high and the low
// 32-bit words are summed apart as numbers, the low sum carried into the high one.

const WORD = 4294967296;

/**
 * Sums of unsigned 64-bit little-endian values, one per field, exact at any size a
 * counter reaches (a number sum of such values is exact only below 2^53). Each field is the
 * sum of the values' high words and the sum of their low words; {@link U64Sums.carry} moves
 * the low sum's multiples of 2^32 into the high sum, after which two equal totals have
 * equal words. Up to 2^21 values may be added to a field between two carries (the low sum
 * stays below 2^53). @internal
 */
export class U64Sums {
  /** [high, low] per field. */
  readonly #w: Float64Array;

  /** @param fields - how many sums */
  constructor(fields: number) {
    this.#w = new Float64Array(2 * fields);
  }

  /** Every sum back to 0. */
  clear(): void {
    this.#w.fill(0);
  }

  /**
   * Add the value at `at` to field `f`.
   * @returns the value as a number (exact below 2^53, as `Number(bigint)` is)
   */
  add(f: number, v: DataView, at: number): number {
    const lo = v.getUint32(at, true);
    const hi = v.getUint32(at + 4, true);
    this.#w[2 * f]! += hi;
    this.#w[2 * f + 1]! += lo;
    return hi * WORD + lo;
  }

  /** Add a whole number below 2^53 (a value already summed, such as a row's count) to field `f`. */
  addNumber(f: number, n: number): void {
    const hi = Math.floor(n / WORD);
    this.#w[2 * f]! += hi;
    this.#w[2 * f + 1]! += n - hi * WORD;
  }

  /** Add every field of `other` to this one's. */
  addSums(other: U64Sums): void {
    const [a, b] = [this.#w, other.#w];
    for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
  }

  /** Move each low sum's multiples of 2^32 into its high sum. */
  carry(): void {
    const w = this.#w;
    for (let i = 0; i < w.length; i += 2) {
      const c = Math.floor(w[i + 1]! / WORD);
      w[i]! += c;
      w[i + 1]! -= c * WORD;
    }
  }

  /** Whether every field's sum equals the other's (both are carried first). */
  equals(other: U64Sums): boolean {
    this.carry();
    other.carry();
    const [a, b] = [this.#w, other.#w];
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Field `f`'s sum, exact. */
  bigint(f: number): bigint {
    this.carry();
    return BigInt(this.#w[2 * f]!) * BigInt(WORD) + BigInt(this.#w[2 * f + 1]!);
  }
}
