/**
 * A source of uniform random numbers in [0, 1), like `Math.random`. Samplers that
 * draw take one, so that a test (or a user who wants reproducible sampling) can pass
 * a seeded one from {@link seededRandom}.
 */
export type RandomSource = () => number;

/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32): the same
 * seed gives the same sequence on every machine. Fast and statistically sound for
 * sampling; not for cryptography.
 *
 * @param seed - any 32-bit integer (other numbers are truncated to one)
 * @returns a {@link RandomSource} giving numbers in [0, 1) with 32 random bits each
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const sampler = uniformSampler({ every: 10, mode: 'random', random });
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  // splitmix32 spreads one seed over the four state words (never all zero).
  let s = seed | 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
