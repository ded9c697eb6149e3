import { describe, expect, it } from 'vitest';
import { poissonArrivals } from '../../../../test/statistics.js';
import { seededRandom } from './random.js';
import { tailSampler } from './tail.js';

interface Ev {
  t: number;
  latency: number;
}
const latencyOf = (e: unknown): number => (e as Ev).latency;
const timeMs = (e: unknown): number => (e as Ev).t;

/** Seeded workload: Poisson arrivals with log-normal-ish latencies (heavy tail). */
function workload(seed: number, perSecond: number, ms: number): Ev[] {
  const random = seededRandom(seed);
  return poissonArrivals(random, perSecond, 0, ms).map((t) => ({ t, latency: Math.round(Math.exp(4 + 2 * (random() + random() + random() - 1.5))) }));
}

describe('tailSampler', () => {
  it('fixed threshold: keeps every event at or above it and none below; totals exact', () => {
    const events = workload(7, 2000, 10_000);
    const s = tailSampler<Ev>({ latencyOf, threshold: 200 });
    const kept: Ev[] = [];
    for (const e of events) s.offer(e, (k, w) => (kept.push(k), expect(w).toBe(1)));
    expect(kept).toEqual(events.filter((e) => e.latency >= 200));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(events.length);
    expect(s.counts()).toEqual({ seen: events.length, kept: kept.length, sampledAway: events.length - kept.length, held: 0, keptWeight: kept.length });
  });

  it('percentile mode decides exactly as the sliding-window percentile computed from scratch', () => {
    // 500 events/s, a 1-s window capped at 300 values: both time eviction and the cap act
    // (the cap when a second holds more than 300 events).
    const events = workload(8, 500, 10_000);
    const opts = { latencyOf, timeMs, percentile: 90, windowMs: 1000, maxWindowEvents: 300, minWindowEvents: 50 };
    const s = tailSampler<Ev>(opts);
    const history: Ev[] = [];
    let kept = 0;
    let judged = 0;
    for (const e of events) {
      const window = history.filter((h) => h.t > e.t - 1000).slice(-300);
      const sorted = window.map((h) => h.latency).sort((a, b) => a - b);
      const limit = sorted.length < 50 ? -Infinity : sorted[Math.ceil(0.9 * sorted.length) - 1]!;
      const expected = e.latency >= limit;
      expect(s.threshold()).toBe(thresholdBefore(history, opts));
      expect(s.decide(e).keep).toBe(expected);
      if (sorted.length >= 50) judged++;
      if (expected) kept++;
      history.push(e);
      if (history.length > 1000) history.shift(); // the reference needs only the last 300
    }
    // With i.i.d. latencies about 10% of judged events are kept (not 0, not all).
    expect(kept / events.length).toBeGreaterThan(0.08);
    expect(kept / events.length).toBeLessThan(0.2);
    expect(judged).toBeGreaterThan(events.length - 100);
    expect(s.counts().kept).toBe(kept);
  });

  it('percentile mode keeps all until the window holds minWindowEvents', () => {
    const s = tailSampler<Ev>({ latencyOf, timeMs, percentile: 99, minWindowEvents: 10 });
    for (let i = 0; i < 10; i++) expect(s.decide({ t: i, latency: 10 - i }).keep).toBe(true);
    expect(s.decide({ t: 10, latency: 1 }).keep).toBe(false);
  });
});

/**
 * threshold() between two events: the window as the previous event left it (evicted by
 * its time, capped, then with it added), as a from-scratch reference.
 */
function thresholdBefore(history: Ev[], o: { maxWindowEvents: number; percentile: number; windowMs: number; minWindowEvents: number }): number {
  const last = history.at(-1);
  if (last === undefined) return Number.NaN;
  const window = history.filter((h) => h.t > last.t - o.windowMs).slice(-o.maxWindowEvents);
  const sorted = window.map((h) => h.latency).sort((a, b) => a - b);
  return sorted.length < o.minWindowEvents ? Number.NaN : sorted[Math.ceil((o.percentile / 100) * sorted.length) - 1]!;
}
