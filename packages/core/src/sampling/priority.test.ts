import { describe, expect, it } from 'vitest';
import { OVERFLOW_CLASS, prioritySampler } from './priority.js';
import { seededRandom } from './random.js';
import { reservoirSampler } from './reservoir.js';
import { uniformSampler } from './uniform.js';

interface Ev {
  t: number;
  pid: number;
  kind: 'oom' | 'exec' | 'exit';
}

/** Seeded workload: 50,000 events of 20 pids; 1% are OOM kills (the high class). */
function workload(seed: number): Ev[] {
  const random = seededRandom(seed);
  return Array.from({ length: 50_000 }, (_, i) => ({
    t: i,
    pid: 100 + Math.floor(random() * 20),
    kind: random() < 0.01 ? 'oom' : random() < 0.5 ? 'exec' : 'exit',
  }));
}

describe('prioritySampler', () => {
  it('never drops a high-priority event while it samples the lower classes 1 in 10; totals exact per class', () => {
    const events = workload(4);
    const s = prioritySampler<Ev>({
      classify: (e) => (e.kind === 'oom' ? 'oom' : `pid:${e.pid}`),
      high: ['oom'],
      innerFor: () => uniformSampler<Ev>({ every: 10 }),
    });
    const kept: [Ev, number][] = [];
    for (const e of events) s.offer(e, (k, w) => kept.push([k, w]));

    const ooms = events.filter((e) => e.kind === 'oom');
    expect(ooms.length).toBeGreaterThan(0);
    expect(kept.filter(([e]) => e.kind === 'oom').map(([e]) => e)).toEqual(ooms);
    for (const [e, w] of kept) expect(w).toBe(e.kind === 'oom' ? 1 : 10);

    // Each pid's lower events: the 1-in-10 counter keeps exactly ⌈n/10⌉ of them.
    const classes = s.classCounts();
    let lowerKept = 0;
    for (let pid = 100; pid < 120; pid++) {
      const n = events.filter((e) => e.kind !== 'oom' && e.pid === pid).length;
      const c = classes.get(`pid:${pid}`)!;
      expect(c.seen).toBe(n);
      expect(c.kept).toBe(Math.ceil(n / 10));
      expect(c.sampledAway).toBe(n - Math.ceil(n / 10));
      lowerKept += c.kept;
    }
    expect(classes.get('oom')).toEqual({ seen: ooms.length, kept: ooms.length, sampledAway: 0, held: 0, keptWeight: ooms.length });
    const total = s.counts();
    expect(total.seen).toBe(events.length);
    expect(total.kept).toBe(ooms.length + lowerKept);
    expect(total.kept).toBe(kept.length);
    expect(total.sampledAway).toBe(events.length - kept.length);
    expect(total.sampledAway).toBeGreaterThan(0);
  });

  it('composes with a windowed inner sampler: a reservoir per lower class, released on flush', () => {
    const events = workload(5);
    const s = prioritySampler<Ev>({
      classify: (e) => (e.kind === 'oom' ? 'oom' : e.kind),
      high: ['oom'],
      innerFor: () => reservoirSampler<Ev>({ size: 5, windowMs: 1000, timeMs: (e) => (e as Ev).t, random: seededRandom(1) }),
    });
    const kept: Ev[] = [];
    for (const e of events) s.offer(e, (k) => kept.push(k));
    s.flush((k) => kept.push(k));
    const windows = Math.ceil(events.length / 1000);
    expect(kept.filter((e) => e.kind === 'exec').length).toBe(5 * windows);
    expect(kept.filter((e) => e.kind === 'exit').length).toBe(5 * windows);
    expect(kept.filter((e) => e.kind === 'oom').length).toBe(events.filter((e) => e.kind === 'oom').length);
    const c = s.counts();
    expect(c.held).toBe(0);
    expect(c.kept + c.sampledAway).toBe(events.length);
  });

  it('classes past maxClasses share one overflow sampler, so memory stays bounded', () => {
    const made: string[] = [];
    const s = prioritySampler<Ev>({
      classify: (e) => `pid:${e.pid}`,
      high: [],
      maxClasses: 3,
      innerFor: (cls) => (made.push(cls), uniformSampler<Ev>({ every: 2 })),
    });
    for (let pid = 0; pid < 10; pid++) s.offer({ t: pid, pid, kind: 'exec' }, () => {});
    expect(made).toEqual(['pid:0', 'pid:1', 'pid:2', OVERFLOW_CLASS]);
    expect(s.classCounts().get(OVERFLOW_CLASS)).toMatchObject({ seen: 7, kept: 4 });
    expect(s.counts().seen).toBe(10);
  });
});
