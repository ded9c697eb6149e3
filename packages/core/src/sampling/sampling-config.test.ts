import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/taxonomy.js';
import { createSampler, createSamplingController } from './create-sampler.js';
import type { SamplingConfig } from './sampling-config.js';
import { validateSamplingConfig } from './sampling-config.js';

interface Ev {
  t: number;
  latency: number;
  pid: number;
}
const accessors = { timeMs: (e: Ev) => e.t, latencyOf: (e: Ev) => e.latency };
const P = 'families.syscall.sampling';

function pathOf(value: unknown): string {
  try {
    validateSamplingConfig(value, P);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).path;
  }
  throw new Error('accepted');
}

describe('validateSamplingConfig', () => {
  it('accepts each strategy', () => {
    const good: SamplingConfig<Ev>[] = [
      { strategy: 'all' },
      { strategy: 'uniform', every: 10 },
      { strategy: 'uniform', every: 10, mode: 'random', seed: 3 },
      { strategy: 'adaptive', targetPerSecond: 500, windowMs: 500, smoothing: 1 },
      { strategy: 'reservoir', size: 10, windowMs: 1000 },
      { strategy: 'tail', threshold: 1_000_000 },
      { strategy: 'tail', percentile: 99, windowMs: 5000 },
      { strategy: 'token-bucket', ratePerSecond: 1000, burst: 100 },
      { strategy: 'priority', classify: (e) => String(e.pid), high: ['1'], classes: { '2': { strategy: 'uniform', every: 2 } }, otherwise: { strategy: 'adaptive', targetPerSecond: 10 } },
    ];
    for (const c of good) expect(validateSamplingConfig(c, P)).toBe(c);
  });

  it('names the path of the bad field', () => {
    expect(pathOf(null)).toBe(P);
    expect(pathOf({ strategy: 'sometimes' })).toBe(`${P}.strategy`);
    expect(pathOf({ strategy: 'uniform' })).toBe(`${P}.every`);
    expect(pathOf({ strategy: 'uniform', every: 2.5 })).toBe(`${P}.every`);
    expect(pathOf({ strategy: 'uniform', every: 10, mode: 'often' })).toBe(`${P}.mode`);
    expect(pathOf({ strategy: 'uniform', every: 10, evry: 3 })).toBe(`${P}.evry`);
    expect(pathOf({ strategy: 'adaptive', targetPerSecond: -1 })).toBe(`${P}.targetPerSecond`);
    expect(pathOf({ strategy: 'adaptive', targetPerSecond: 5, smoothing: 0 })).toBe(`${P}.smoothing`);
    expect(pathOf({ strategy: 'reservoir', size: 0, windowMs: 10 })).toBe(`${P}.size`);
    expect(pathOf({ strategy: 'tail' })).toBe(`${P}.threshold`);
    expect(pathOf({ strategy: 'tail', threshold: 5, percentile: 90 })).toBe(`${P}.threshold`);
    expect(pathOf({ strategy: 'tail', percentile: 100 })).toBe(`${P}.percentile`);
    expect(pathOf({ strategy: 'tail', threshold: 5, windowMs: 10 })).toBe(`${P}.windowMs`);
    expect(pathOf({ strategy: 'token-bucket', ratePerSecond: 10, burst: 0.5 })).toBe(`${P}.burst`);
    expect(pathOf({ strategy: 'priority', classify: 'pid', high: [] })).toBe(`${P}.classify`);
    expect(pathOf({ strategy: 'priority', classify: () => 'a', high: [1] })).toBe(`${P}.high[0]`);
    expect(pathOf({ strategy: 'priority', classify: () => 'a', high: ['a'], classes: { b: { strategy: 'uniform', every: 0 } } })).toBe(`${P}.classes.b.every`);
    expect(pathOf({ strategy: 'priority', classify: () => 'a', high: ['a'], classes: { a: { strategy: 'all' } } })).toBe(`${P}.classes.a`);
    expect(pathOf({ strategy: 'priority', classify: () => 'a', high: [], otherwise: { strategy: 'reservoir', size: 1 } })).toBe(`${P}.otherwise.windowMs`);
  });

  it('the error says what is allowed and how to mend it', () => {
    const e = (() => {
      try {
        validateSamplingConfig({ strategy: 'uniform', every: 0 }, P);
      } catch (err) {
        return err as ConfigError;
      }
      return undefined;
    })();
    expect(e?.code).toBe('CONFIG_ERROR');
    expect(e?.message).toContain('an integer ≥ 1');
    expect(e?.remedy).toContain(`${P}.every`);
  });

  it('refuses tail sampling for events with no latency value', () => {
    expect(() => createSampler<Ev>({ strategy: 'tail', threshold: 5 }, { timeMs: (e) => e.t }, P)).toThrow(ConfigError);
  });
});

describe('createSamplingController', () => {
  it('switches strategy at run time: held events released once, totals exact across settings', () => {
    const out: Ev[] = [];
    const sink = (e: Ev): void => void out.push(e);
    const c = createSamplingController<Ev>({ strategy: 'reservoir', size: 3, windowMs: 1000, seed: 1 }, accessors, P);
    for (let i = 0; i < 10; i++) c.offer({ t: i, latency: i, pid: 1 }, sink);
    expect(c.counts()).toMatchObject({ seen: 10, kept: 0, held: 3 });
    c.reconfigure({ strategy: 'uniform', every: 2 }, sink);
    expect(out.length).toBe(3);
    expect(c.strategy).toBe('uniform');
    for (let i = 10; i < 20; i++) c.offer({ t: i, latency: i, pid: 1 }, sink);
    expect(out.length).toBe(3 + 5);
    expect(c.counts()).toEqual({ seen: 20, kept: 8, sampledAway: 12, held: 0, keptWeight: 10 + 10 });
    expect(new Set(out.map((e) => e.t)).size).toBe(out.length);
  });

  it('an invalid change throws a ConfigError and leaves the old setting in force', () => {
    const c = createSamplingController<Ev>({ strategy: 'uniform', every: 2 }, accessors, P);
    expect(() => c.reconfigure({ strategy: 'uniform', every: -2 }, () => {})).toThrow(ConfigError);
    expect(c.config).toEqual({ strategy: 'uniform', every: 2 });
    let kept = 0;
    for (let i = 0; i < 10; i++) c.offer({ t: i, latency: 0, pid: 1 }, () => kept++);
    expect(kept).toBe(5);
  });

  it('builds every strategy from its setting', () => {
    const configs: SamplingConfig<Ev>[] = [
      { strategy: 'all' },
      { strategy: 'uniform', every: 4, mode: 'random', seed: 7 },
      { strategy: 'adaptive', targetPerSecond: 100 },
      { strategy: 'reservoir', size: 10, windowMs: 100 },
      { strategy: 'tail', threshold: 900 },
      { strategy: 'tail', percentile: 90, minWindowEvents: 10 },
      { strategy: 'token-bucket', ratePerSecond: 100, burst: 5 },
      { strategy: 'priority', classify: (e) => (e.pid === 1 ? 'hi' : 'lo'), high: ['hi'], otherwise: { strategy: 'uniform', every: 100 } },
    ];
    const kept = configs.map((config) => {
      const s = createSampler(config, accessors, P);
      let n = 0;
      for (let i = 0; i < 1000; i++) s.offer({ t: i, latency: i, pid: i % 10 }, () => n++);
      s.flush(() => n++);
      expect(s.counts().seen).toBe(1000);
      expect(s.counts().kept).toBe(n);
      return n;
    });
    // all; ~250 random; adaptive (below); 10 per 100 ms;
    // latency ≥ 900; about the top 10%; 5 + 100/s · 0.999 s; the 100 of pid 1 + 9 of 900.
    expect(kept[0]).toBe(1000);
    expect(kept[1]).toBeGreaterThan(180);
    expect(kept[1]).toBeLessThan(320);
    // adaptive: the target's share of the first window (100), then p ≈ 0.1 for the other 900
    expect(kept[2]).toBeGreaterThanOrEqual(180);
    expect(kept[2]).toBeLessThanOrEqual(200);
    expect(kept[3]).toBe(100);
    expect(kept[4]).toBe(100);
    expect(kept[5]).toBe(1000); // rising latencies: each is the largest of its window
    expect(kept[6]).toBe(104);
    expect(kept[7]).toBe(100 + 9);
  });
});
