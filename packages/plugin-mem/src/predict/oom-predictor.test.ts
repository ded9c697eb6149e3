import { describe, expect, it } from 'vitest';
import { ConfigError, EventProcessingFailed } from '@bpfscope/core';
import { OomPredictor, oomKey } from './oom-predictor.js';
import { predictExhaustion } from './predict-exhaustion.js';

describe('OomPredictor', () => {
  it('keeps a bounded ring per key: the prediction uses only the last `capacity` samples', () => {
    const p = new OomPredictor({ capacity: 5 });
    // 3 flat samples, then 5 growing ones: the flat ones leave the window.
    for (const [t, u] of [[0, 500], [1, 500], [2, 500], [10, 1040], [20, 1080], [30, 1120], [40, 1160], [50, 1200]] as const) p.add('k', t, u, 2000);
    expect(p.predict('k')).toMatchObject({ fit: { slope: 4, intercept: 1000, rSquared: 1, samples: 5 }, secondsToExhaustion: 200 });
    expect(p.stats()).toEqual({ keys: 1, samplesAdded: 8, samplesEvicted: 3, samplesRefused: 0 });
  });

  it('the ring gives the same answer as predictExhaustion over the same window, wrapped or not', () => {
    const p = new OomPredictor({ capacity: 7 });
    const all = Array.from({ length: 20 }, (_, i) => ({ timestamp: 100 + i * 3, usage: 10_000 + 37 * i + ((i * 7919) % 13) }));
    all.forEach((s) => p.add('k', s.timestamp, s.usage, 20_000));
    expect(p.predict('k')).toEqual(predictExhaustion(all.slice(-7), 20_000));
  });

  it('uses the newest limit; keys by convention', () => {
    const p = new OomPredictor();
    [0, 10, 20].forEach((t) => p.add(oomKey.cgroup('/app'), t, 1000 + 4 * t, 5000));
    p.add(oomKey.cgroup('/app'), 30, 1120, 2000);
    expect(p.predict('cgroup:/app')).toMatchObject({ limit: 2000, secondsToExhaustion: 220 });
    expect([oomKey.system, oomKey.pid(42)]).toEqual(['system', 'pid:42']);
  });

  it('predictAll covers every key in first-seen order; delete forgets one', () => {
    const p = new OomPredictor();
    for (const key of ['b', 'a', 'c']) [0, 1, 2].forEach((t) => p.add(key, t, 100 + t, null));
    expect([...p.predictAll().keys()]).toEqual(['b', 'a', 'c']);
    expect(p.delete('a')).toBe(true);
    expect(p.predict('a')).toBeNull();
    expect([...p.predictAll().keys()]).toEqual(['b', 'c']);
  });

  it('refuses samples of new keys beyond maxKeys, and counts them', () => {
    const p = new OomPredictor({ maxKeys: 2 });
    expect([p.add('a', 0, 1, null), p.add('b', 0, 1, null), p.add('c', 0, 1, null), p.add('a', 1, 1, null)]).toEqual([true, true, false, true]);
    expect(p.stats()).toMatchObject({ keys: 2, samplesRefused: 1 });
  });

  it('bad samples → EventProcessingFailed; bad options → ConfigError', () => {
    const p = new OomPredictor();
    p.add('k', 10, 1, null);
    expect(() => p.add('k', 10, 2, null)).toThrow(EventProcessingFailed);
    expect(() => p.add('k', 9, 2, null)).toThrow(/is not after the previous one \(10\)/);
    expect(() => p.add('k', 11, Number.NaN, null)).toThrow(EventProcessingFailed);
    expect(() => p.add('k', 11, -1, null)).toThrow(EventProcessingFailed);
    expect(() => p.add('k', 11, 1, Number.POSITIVE_INFINITY)).toThrow(EventProcessingFailed);
    expect(() => new OomPredictor({ capacity: 1 })).toThrow(ConfigError);
    expect(() => new OomPredictor({ maxKeys: 0 })).toThrow(ConfigError);
  });
});
