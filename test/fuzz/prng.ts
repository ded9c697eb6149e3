// A small deterministic PRNG for the fuzz tests: a case is (seed, index), and the
// same pair gives the same mutated input on every machine and run.

/** splitmix32 over a 32-bit state: fast, well mixed, and reproducible from one integer. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The generator of case `index` of run `seed`: independent of how many cases ran before it. */
  static forCase(seed: number, index: number): Prng {
    const mixed = new Prng((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
    mixed.u32();
    return mixed;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    if (n <= 0) return 0;
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: no items');
    return items[this.below(items.length)] as T;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
}

/**
 * The run's seed: FUZZ_SEED from the environment (`npm run fuzz` sets it, random unless
 * given), else `fixed`, so that the CI run is the same every time.
 */
export function fuzzSeed(fixed: number): number {
  const env = process.env.FUZZ_SEED;
  if (env === undefined || env === '') return fixed;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`FUZZ_SEED must be an integer in [0, 2^32), got ${env}`);
  return n;
}

/** The case count: FUZZ_CASES from the environment, else `ciDefault`. */
export function fuzzCases(ciDefault: number): number {
  const env = process.env.FUZZ_CASES;
  if (env === undefined || env === '') return ciDefault;
  const n = Number(env);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`FUZZ_CASES must be a positive integer, got ${env}`);
  return n;
}

/** The first case index: FUZZ_FIRST (to rerun one failing case: FUZZ_FIRST=i FUZZ_CASES=1), else 0. */
export function fuzzFirst(): number {
  const env = process.env.FUZZ_FIRST;
  if (env === undefined || env === '') return 0;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0) throw new Error(`FUZZ_FIRST must be a non-negative integer, got ${env}`);
  return n;
}
