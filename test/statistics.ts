// Statistical helpers for the sampling tests: exact binomial intervals and chi-square
// critical values, plus seeded workloads (Poisson arrivals) with known counts.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X = k) for X ~ binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/**
 * The central interval [lo, hi] holding X ~ binomial(n, p) with probability ≥ `level`:
 * lo is the largest k with P(X < k) ≤ (1 − level)/2, hi the smallest with P(X > hi) ≤ (1 − level)/2
 * (each tail at most half of 1 − level, so a correct sampler falls outside with probability ≤ 1 − level).
 */
export function binomialInterval(n: number, p: number, level: number): [number, number] {
  const tail = (1 - level) / 2;
  let lo = 0;
  let below = 0;
  while (lo <= n && below + binomialPmf(lo, n, p) <= tail) below += binomialPmf(lo++, n, p);
  let hi = n;
  let above = 0;
  while (hi >= 0 && above + binomialPmf(hi, n, p) <= tail) above += binomialPmf(hi--, n, p);
  return [lo, hi];
}

/**
 * Chi-square critical values at 99.9% (P(χ² > value) = 0.001) for the degrees of
 * freedom the tests use, from scipy.stats.chi2.ppf(0.999, df).
 */
export const CHI2_999: Readonly<Record<number, number>> = { 9: 27.877164871256568, 19: 43.82019596451753, 49: 85.35056460859305, 99: 148.23035916510173 };

/** Pearson's chi-square statistic of observed counts against one expected count per cell. */
export function chiSquare(observed: readonly number[], expected: number): number {
  return observed.reduce((s, o) => s + ((o - expected) * (o - expected)) / expected, 0);
}

/** Timestamps (ms) of a Poisson process at `perSecond` from `startMs` for `durationMs`. */
export function poissonArrivals(random: () => number, perSecond: number, startMs: number, durationMs: number): number[] {
  const out: number[] = [];
  let t = startMs;
  for (;;) {
    t += (-Math.log(1 - random()) * 1000) / perSecond;
    if (t >= startMs + durationMs) return out;
    out.push(t);
  }
}
