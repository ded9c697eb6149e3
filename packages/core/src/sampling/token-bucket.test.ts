import { describe, expect, it } from 'vitest';
import { poissonArrivals } from '../../../../test/statistics.js';
import { seededRandom } from './random.js';
import { tokenBucket } from './token-bucket.js';

interface Ev {
  t: number;
}
const timeMs = (e: unknown): number => (e as Ev).t;

describe('tokenBucket', () => {
  it('rate R, burst B over T s: delivered ≤ B + R·T, and a saturated bucket delivers all of it; dropped = produced − delivered exactly', () => {
    // [R, B, arrivals/s, saturated]: the last case arrives at R itself, with Poisson gaps that
    // leave the 1-token bucket full and idle at times, so only the upper bound holds there.
    for (const [rate, burst, arrivals, saturated] of [
      [100, 20, 1000, true],
      [1000, 50, 20_000, true],
      [50, 500, 2000, true],
      [1000, 1, 1000, false],
    ] as const) {
      const events = poissonArrivals(seededRandom(rate), arrivals, 0, 10_000).map((t) => ({ t }));
      const b = tokenBucket<Ev>({ ratePerSecond: rate, burst, timeMs });
      let delivered = 0;
      for (const e of events) b.offer(e, (_, w) => ((delivered += 1), expect(w).toBe(1)));
      const seconds = (events.at(-1)!.t - events[0]!.t) / 1000;
      expect(delivered).toBeLessThanOrEqual(burst + rate * seconds);
      // Arrivals far above R keep the bucket below full after the first burst, so every
      // token it earns is spent: it falls short of the bound by the < 1 token left over.
      if (saturated) expect(delivered).toBeGreaterThan(burst + rate * seconds - 1);
      else expect(delivered).toBeLessThan(rate * seconds * 0.9);
      expect(b.counts()).toEqual({ seen: events.length, kept: delivered, sampledAway: events.length - delivered, held: 0, keptWeight: delivered });
    }
  });

  it('after a quiet spell lets exactly B through at once, then one per 1/R', () => {
    const b = tokenBucket<Ev>({ ratePerSecond: 10, burst: 5, timeMs });
    const at = (t: number, n: number): number => {
      let kept = 0;
      for (let i = 0; i < n; i++) if (b.decide({ t }).keep) kept++;
      return kept;
    };
    expect(at(0, 50)).toBe(5);
    expect(at(50, 10)).toBe(0); // half a token
    expect(at(100, 10)).toBe(1);
    expect(at(10_000, 50)).toBe(5); // refilled to B, not beyond
    expect(b.counts()).toMatchObject({ seen: 120, kept: 11, sampledAway: 109 });
  });

  it('takes a new rate and burst at run time', () => {
    const b = tokenBucket<Ev>({ ratePerSecond: 1000, burst: 10, timeMs });
    let kept = 0;
    for (let t = 0; t < 1000; t += 0.1) if (b.decide({ t }).keep) kept++; // 10,000 offered in 1 s
    expect(kept).toBeLessThanOrEqual(10 + 1000);
    expect(kept).toBeGreaterThan(10 + 1000 * 0.9999 - 1);
    b.setRate(100, 2);
    expect(b.tokens()).toBeLessThanOrEqual(2);
    let later = 0;
    for (let t = 1000; t < 2000; t += 0.1) if (b.decide({ t }).keep) later++;
    expect(later).toBeLessThanOrEqual(2 + 100);
    expect(later).toBeGreaterThanOrEqual(100 - 1);
  });
});
