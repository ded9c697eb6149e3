import { describe, expect, it } from 'vitest';
import { poissonArrivals } from '../../../../test/statistics.js';
import { adaptiveSampler } from './adaptive.js';
import { seededRandom } from './random.js';

interface Ev {
  t: number;
}

/** Kept events per 1-s window of event time, over [0, seconds). */
function perSecond(kept: Ev[], seconds: number): number[] {
  const out = new Array<number>(seconds).fill(0);
  for (const e of kept) out[Math.floor(e.t / 1000)]!++;
  return out;
}

// Phases of Poisson arrivals (seeded): below the target, 4× it, 40× it, 2× it.
const PHASES: [number, number][] = [
  [300, 8],
  [2000, 10],
  [20_000, 10],
  [1000, 10],
];
const TARGET = 500;
const SETTLE = 2; // windows from each change not judged: the one it falls in, and one more

function workload(seed: number): Ev[] {
  const random = seededRandom(seed);
  const events: Ev[] = [];
  let start = 0;
  for (const [rate, seconds] of PHASES) {
    for (const t of poissonArrivals(random, rate, start, seconds * 1000)) events.push({ t });
    start += seconds * 1000;
  }
  return events;
}

describe('adaptiveSampler', () => {
  for (const mode of ['counter', 'random'] as const) {
    it(`${mode} mode holds ${TARGET}/s within 10% after settling, keeps all below target, totals exact`, () => {
      const events = workload(11);
      const s = adaptiveSampler<Ev>({ targetPerSecond: TARGET, timeMs: (e) => (e as Ev).t, mode, random: seededRandom(5) });
      const kept: Ev[] = [];
      for (const e of events) s.offer(e, (k) => kept.push(k));
      const counts = perSecond(kept, 38);
      const arrivals = perSecond(events, 38);
      let start = 0;
      for (const [rate, seconds] of PHASES) {
        const settled = counts.slice(start + SETTLE, start + seconds);
        if (rate < TARGET) {
          // Below the target nothing is dropped.
          expect(settled).toEqual(arrivals.slice(start + SETTLE, start + seconds));
        } else if (mode === 'counter') {
          // Deterministic spacing: each settled window within 10% (the arrival noise of a
          // Poisson window moves the estimate by a few %).
          for (const c of settled) expect(Math.abs(c - TARGET)).toBeLessThanOrEqual(TARGET * 0.1);
        } else {
          // Random: a window's count is binomial (sd ≈ 22 at 500); the phase mean over 5+
          // windows has sd < 10, and 10% is 50, over 5 sd: false failure < 1e-6.
          const mean = settled.reduce((a, b) => a + b, 0) / settled.length;
          expect(Math.abs(mean - TARGET)).toBeLessThanOrEqual(TARGET * 0.1);
        }
        start += seconds;
      }
      const c = s.counts();
      expect(c.seen).toBe(events.length);
      expect(c.kept).toBe(kept.length);
      expect(c.kept + c.sampledAway).toBe(events.length);
    });
  }

  it('the kept weights add up to the events seen (within 1%, counter mode)', () => {
    const events = workload(12);
    const s = adaptiveSampler<Ev>({ targetPerSecond: TARGET, timeMs: (e) => (e as Ev).t });
    let weight = 0;
    for (const e of events) s.offer(e, (_, w) => (weight += w));
    expect(Math.abs(weight - events.length) / events.length).toBeLessThan(0.01);
    expect(s.counts().keptWeight).toBeCloseTo(weight, 6);
  });

  it('measures the rate on event timestamps and follows a run-time target change', () => {
    const s = adaptiveSampler<Ev>({ targetPerSecond: 100, timeMs: (e) => (e as Ev).t });
    // 1000 events/s spaced exactly 1 ms apart, fed in a tight loop: wall time plays no part.
    let kept = 0;
    for (let i = 0; i < 5000; i++) s.offer({ t: i }, () => kept++);
    // The first window's surge estimate (100 events in 99 ms) is smoothed toward the exact 1000/s.
    expect(s.arrivalRate()).toBeCloseTo(1000, 0);
    expect(s.probability()).toBeCloseTo(0.1, 4);
    s.setTarget(250);
    expect(s.probability()).toBeCloseTo(0.25, 4);
    const before = kept;
    for (let i = 5000; i < 6000; i++) s.offer({ t: i }, () => kept++);
    expect(Math.abs(kept - before - 250)).toBeLessThanOrEqual(1);
  });

  it('a silent spell pulls the estimate down', () => {
    const s = adaptiveSampler<Ev>({ targetPerSecond: 100, timeMs: (e) => (e as Ev).t });
    for (let i = 0; i < 3000; i++) s.decide({ t: i });
    expect(s.probability()).toBeLessThan(0.2);
    s.decide({ t: 20_000 }); // 17 empty windows
    expect(s.probability()).toBe(1);
  });
});

describe('adaptiveSampler, a flood', () => {
  it('is cut down within the window it starts in: the first window keeps about its target share, not the flood', () => {
    const s = adaptiveSampler<Ev>({ targetPerSecond: 500, timeMs: (e) => (e as Ev).t });
    // 100,000 events in the first 100 ms of event time, then the same rate on.
    let kept = 0;
    let weight = 0;
    for (let i = 0; i < 100_000; i++) s.offer({ t: i / 1000 }, (_, w) => ((kept += 1), (weight += w)));
    expect(kept).toBeGreaterThanOrEqual(500); // the target's share passes first
    expect(kept).toBeLessThanOrEqual(1000);
    expect(Math.abs(weight - 100_000) / 100_000).toBeLessThan(0.05);
    expect(s.counts()).toMatchObject({ seen: 100_000, kept, sampledAway: 100_000 - kept });
  });
});
