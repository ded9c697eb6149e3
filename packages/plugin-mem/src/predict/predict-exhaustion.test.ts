import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { DEFAULT_WARNING_THRESHOLDS, predictExhaustion } from './predict-exhaustion.js';

const series = (ts: number[], ys: number[]) => ts.map((timestamp, i) => ({ timestamp, usage: ys[i] as number }));
const T = [0, 10, 20, 30, 40, 50];
const linear = series(T, T.map((t) => 1000 + 4 * t)); // reaches 2000 at t = 250

describe('predictExhaustion', () => {
  it('a linear series: the exact time to the limit, R² 1, level by time', () => {
    const p = predictExhaustion(linear, 2000);
    expect(p).toEqual({
      latestTimestamp: 50, latestUsage: 1200, limit: 2000, usageFraction: 0.6,
      fit: { slope: 4, intercept: 1000, rSquared: 1, samples: 6 },
      confidence: { rSquared: 1, samples: 6 },
      secondsToExhaustion: 200, exhaustionTime: 250, reason: null,
      level: 'critical', // 200 s <= 300 s
    });
  });

  it('levels follow the time thresholds: 2450 s → watch, 950 s → warning, 9950 s → none', () => {
    const slow = series(T, T.map((t) => 1000 + 0.4 * t)); // 1000 + 0.4 t reaches 2000 at t = 2500: 2450 s after t = 50
    const p = predictExhaustion(slow, 2000);
    expect(p.secondsToExhaustion).toBeCloseTo(2450, 9);
    expect(p.level).toBe('watch');
    expect(predictExhaustion(series(T, T.map((t) => 1000 + t)), 2000).level).toBe('warning'); // 950 s
    expect(predictExhaustion(series(T, T.map((t) => 1000 + 0.1 * t)), 2000).level).toBe('none'); // 9950 s
  });

  it('levels follow the usage fraction even without a trend', () => {
    const flat = (u: number) => predictExhaustion(series(T, T.map(() => u)), 1000);
    expect([flat(960).level, flat(900).level, flat(700).level, flat(699).level]).toEqual(['critical', 'warning', 'watch', 'none']);
    expect(flat(960)).toMatchObject({ secondsToExhaustion: null, reason: 'usage is not growing (slope <= 0)', usageFraction: 0.96 });
  });

  it('a flat series: no time, R² null', () => {
    const p = predictExhaustion(series(T, T.map(() => 1000)), 2000); // 50 %: below every usage threshold
    expect(p).toMatchObject({ secondsToExhaustion: null, exhaustionTime: null, confidence: { rSquared: null, samples: 6 }, reason: 'usage is not growing (slope <= 0)', level: 'none' });
  });

  it('a decreasing series: no time', () => {
    const p = predictExhaustion(series(T, T.map((t) => 1900 - 4 * t)), 2000);
    expect(p).toMatchObject({ secondsToExhaustion: null, reason: 'usage is not growing (slope <= 0)' });
    expect(p.fit?.slope).toBe(-4);
  });

  it('a noisy growing series: R² < 1, time 83750/423 s', () => {
    const p = predictExhaustion(series(T, [1000, 1050, 1070, 1130, 1150, 1210]), 2000);
    expect(p.confidence.rSquared).toBeCloseTo(59643 / 60655, 12);
    expect(p.secondsToExhaustion).toBeCloseTo(83750 / 423, 9);
  });

  it('a weak fit (R² below minRSquared) gives no time', () => {
    const noisy = series(T, [1000, 1400, 1000, 1400, 1000, 1450]);
    const p = predictExhaustion(noisy, 5000);
    expect(p.fit?.slope).toBeGreaterThan(0);
    expect(p.confidence.rSquared).toBeLessThan(0.5);
    expect(p.secondsToExhaustion).toBeNull();
    expect(p.reason).toMatch(/^the fit is too weak to extrapolate/);
    expect(predictExhaustion(noisy, 5000, { minRSquared: 0 }).secondsToExhaustion).not.toBeNull();
  });

  it('already over the limit: 0 seconds', () => {
    expect(predictExhaustion(linear, 1100)).toMatchObject({ secondsToExhaustion: 0, exhaustionTime: 50, level: 'critical' });
  });

  it('no limit, too few samples, one timestamp: null with the reason', () => {
    expect(predictExhaustion(linear, null)).toMatchObject({ secondsToExhaustion: null, reason: 'there is no limit to exhaust', usageFraction: null, level: 'none' });
    expect(predictExhaustion(linear.slice(0, 2), 2000)).toMatchObject({ secondsToExhaustion: null, reason: '2 sample(s), at least 3 needed' });
    expect(predictExhaustion(linear.slice(0, 2), 2000, { minSamples: 2 }).secondsToExhaustion).toBe(240);
    expect(predictExhaustion(series([5, 5, 5], [1, 2, 3]), 10)).toMatchObject({ fit: null, reason: 'every sample has the same timestamp: no trend can be fitted' });
    expect(predictExhaustion([], 10)).toMatchObject({ latestTimestamp: null, latestUsage: null, usageFraction: null, fit: null, confidence: { rSquared: null, samples: 0 } });
  });

  it('thresholds are configurable per level', () => {
    expect(predictExhaustion(linear, 2000, { thresholds: { critical: { secondsToExhaustion: 100, usageFraction: 0.99 } } }).level).toBe('warning');
    expect(DEFAULT_WARNING_THRESHOLDS.critical).toEqual({ secondsToExhaustion: 300, usageFraction: 0.95 });
  });

  it('invalid options → ConfigError', () => {
    expect(() => predictExhaustion(linear, 2000, { minSamples: 1 })).toThrow(ConfigError);
    expect(() => predictExhaustion(linear, 2000, { minRSquared: 2 })).toThrow(ConfigError);
    expect(() => predictExhaustion(linear, 2000, { thresholds: { watch: { secondsToExhaustion: -1, usageFraction: 0.5 } } })).toThrow(ConfigError);
  });
});
