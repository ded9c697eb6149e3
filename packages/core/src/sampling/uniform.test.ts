import { describe, expect, it } from 'vitest';
import { binomialInterval } from '../../../../test/statistics.js';
import { seededRandom } from './random.js';
import { uniformSampler } from './uniform.js';

describe('uniformSampler', () => {
  it('counter mode keeps the 1st, (N+1)th … event: exactly ⌈n/N⌉, weight N, totals exact', () => {
    const s = uniformSampler<number>({ every: 7 });
    const kept: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const d = s.decide(i);
      if (d.keep) {
        kept.push(i);
        expect(d.weight).toBe(7);
      }
    }
    expect(kept).toEqual(Array.from({ length: Math.ceil(1000 / 7) }, (_, j) => j * 7));
    expect(s.counts()).toEqual({ seen: 1000, kept: 143, sampledAway: 857, held: 0, keptWeight: 143 * 7 });
  });

  it('every: 1 keeps all', () => {
    const s = uniformSampler<number>({ every: 1 });
    for (let i = 0; i < 50; i++) expect(s.decide(i).keep).toBe(true);
    expect(s.counts().sampledAway).toBe(0);
  });

  // Random mode: the kept count of n events is binomial(n, 1/N). Each seed's count must lie
  // in the central 99.9% interval: a correct sampler run with an arbitrary seed falls
  // outside with probability ≤ 0.1%, so ≤ 0.5% for the five seeds together. The seeds are
  // fixed, so the run is reproducible: it passes or fails the same way every time.
  it('random mode keeps a count within the binomial 99.9% interval (5 seeds, 100,000 events each)', () => {
    const n = 100_000;
    const [lo, hi] = binomialInterval(n, 0.1, 0.999);
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = uniformSampler<number>({ every: 10, mode: 'random', random: seededRandom(seed) });
      let weights = 0;
      for (let i = 0; i < n; i++) weights += s.decide(i).weight;
      const c = s.counts();
      expect(c.kept).toBeGreaterThanOrEqual(lo);
      expect(c.kept).toBeLessThanOrEqual(hi);
      expect(c.seen).toBe(n);
      expect(c.kept + c.sampledAway).toBe(n);
      expect(weights).toBe(c.kept * 10);
      expect(c.keptWeight).toBe(weights);
    }
  });

  it('the interval helper agrees with an independent computation (scipy.stats.binom.ppf)', () => {
    expect(binomialInterval(100_000, 0.1, 0.999)).toEqual([9689, 10313]);
    expect(binomialInterval(50, 0.5, 0.999)).toEqual([14, 36]);
  });

  it('the interval has power: a 1-in-9 sampler mistaken for 1-in-10 would fall outside it', () => {
    const [lo, hi] = binomialInterval(100_000, 0.1, 0.999);
    expect(hi).toBeLessThan(100_000 / 9);
    expect(lo).toBeGreaterThan(100_000 / 11);
  });

  it('random mode does not line up with a periodic stream, where counter mode does', () => {
    // Events of 10 kinds in strict rotation: a 1-in-10 counter sees only kind 0.
    const kinds = (s: ReturnType<typeof uniformSampler<number>>): Set<number> => {
      const seen = new Set<number>();
      for (let i = 0; i < 10_000; i++) if (s.decide(i).keep) seen.add(i % 10);
      return seen;
    };
    expect([...kinds(uniformSampler<number>({ every: 10 }))]).toEqual([0]);
    expect(kinds(uniformSampler<number>({ every: 10, mode: 'random', random: seededRandom(9) })).size).toBe(10);
  });
});
