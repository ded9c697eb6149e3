import { describe, expect, it } from 'vitest';
import { CHI2_999, chiSquare } from '../../../../test/statistics.js';
import { seededRandom } from './random.js';
import { reservoirSampler } from './reservoir.js';

interface Ev {
  t: number;
  id: number;
}
const timeMs = (e: unknown): number => (e as Ev).t;

describe('reservoirSampler', () => {
  it('keeps exactly k per window (all when fewer came), weight n/k, in arrival order; counts add up at every step', () => {
    const random = seededRandom(3);
    const s = reservoirSampler<Ev>({ size: 8, windowMs: 100, timeMs, random });
    // Windows [0,100), [100,200) … with 0 to 40 events each; window 5 empty.
    const perWindow = [40, 3, 8, 9, 25, 0, 17, 1];
    const events: Ev[] = [];
    perWindow.forEach((n, w) => {
      for (let i = 0; i < n; i++) events.push({ t: w * 100 + (i * 100) / Math.max(n, 1), id: events.length });
    });
    const out: [Ev, number][] = [];
    for (const e of events) {
      s.offer(e, (k, weight) => out.push([k, weight]));
      const c = s.counts();
      expect(c.kept + c.sampledAway + c.held).toBe(c.seen);
    }
    s.flush((k, weight) => out.push([k, weight]));
    perWindow.forEach((n, w) => {
      const mine = out.filter(([e]) => Math.floor(e.t / 100) === w);
      expect(mine.length).toBe(Math.min(n, 8));
      for (const [, weight] of mine) expect(weight).toBe(n > 8 ? n / 8 : 1);
      const ids = mine.map(([e]) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });
    const c = s.counts();
    expect(c).toEqual({ seen: events.length, kept: out.length, sampledAway: events.length - out.length, held: 0, keptWeight: events.length });
    expect(new Set(out.map(([e]) => e.id)).size).toBe(out.length);
  });

  // Uniformity: 20,000 windows of n = 100 events, k = 10 kept each; every position in the
  // window should be kept 2,000 times. A window's picks are 10 distinct positions, so the
  // cells are not a multinomial: each count is binomial(W, p = k/n) and pairs are negatively
  // correlated, which makes Pearson's X² ≈ (1 − p)·n/(n − 1)·χ²(n − 1). The test divides by
  // that factor and compares with χ²(99) at 99.9%: a uniform reservoir fails with
  // probability 0.1% for an arbitrary seed; the seed is fixed, so the run is reproducible.
  const W = 20_000;
  const N = 100;
  const K = 10;
  const scaled = (positions: number[]): number => chiSquare(positions, (W * K) / N) / ((1 - K / N) * (N / (N - 1)));

  it('is uniform over the positions of a window (chi-square at 99.9%)', () => {
    const s = reservoirSampler<Ev>({ size: K, windowMs: 1000, timeMs, random: seededRandom(2024) });
    const positions = new Array<number>(N).fill(0);
    let kept = 0;
    const sink = (e: Ev): void => {
      positions[e.id]!++;
      kept++;
    };
    for (let w = 0; w < W; w++) for (let i = 0; i < N; i++) s.offer({ t: w * 1000 + i, id: i }, sink);
    s.flush(sink);
    expect(kept).toBe(W * K);
    expect(scaled(positions)).toBeLessThan(CHI2_999[99]!);
  });

  it('the test has power: "keep the first k" or a slight lean to late positions fail it', () => {
    const first = new Array<number>(N).fill(0).map((_, i) => (i < K ? W : 0));
    expect(scaled(first)).toBeGreaterThan(CHI2_999[99]!);
    // Positions ≥ 50 kept 10% more often than those before (2,100 vs 1,900).
    const lean = new Array<number>(N).fill(0).map((_, i) => (i < 50 ? 1900 : 2100));
    expect(scaled(lean)).toBeGreaterThan(CHI2_999[99]!);
  });

  it('flush closes the open window early; later events start a new count', () => {
    const s = reservoirSampler<Ev>({ size: 2, windowMs: 1000, timeMs, random: seededRandom(1) });
    const out: number[] = [];
    for (let i = 0; i < 5; i++) s.offer({ t: i, id: i }, (e) => out.push(e.id));
    expect(out).toEqual([]);
    expect(s.counts().held).toBe(2);
    s.flush((e, w) => {
      out.push(e.id);
      expect(w).toBe(2.5);
    });
    expect(out.length).toBe(2);
    expect(s.counts()).toEqual({ seen: 5, kept: 2, sampledAway: 3, held: 0, keptWeight: 5 });
  });
});
