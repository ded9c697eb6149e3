import { describe, expect, it } from 'vitest';
import { fitLine } from './linear-fit.js';

const series = (ts: number[], ys: number[]) => ts.map((timestamp, i) => ({ timestamp, usage: ys[i] as number }));
const T = [0, 10, 20, 30, 40, 50];

describe('fitLine', () => {
  it('a linear series: the exact slope and intercept, R² = 1', () => {
    expect(fitLine(series(T, T.map((t) => 1000 + 4 * t)))).toEqual({ slope: 4, intercept: 1000, rSquared: 1, samples: 6 });
  });

  it('the same series at Unix timestamps: the same slope, R² = 1 (centred sums lose no precision)', () => {
    const base = 1_795_453_397;
    const fit = fitLine(series(T.map((t) => base + t), T.map((t) => 8_000_000_000 + 4096 * t)));
    expect(fit?.slope).toBe(4096);
    expect(fit?.rSquared).toBe(1);
    expect(fit?.intercept).toBe(8_000_000_000 - 4096 * base);
  });

  it('a noisy series: slope 141/35, intercept 21020/21, R² = 59643/60655 < 1', () => {
    const fit = fitLine(series(T, [1000, 1050, 1070, 1130, 1150, 1210]));
    expect(fit?.slope).toBeCloseTo(141 / 35, 12);
    expect(fit?.intercept).toBeCloseTo(21020 / 21, 9);
    expect(fit?.rSquared).toBeCloseTo(59643 / 60655, 12);
    expect(fit?.rSquared).toBeLessThan(1);
  });

  it('a flat series: slope 0 and R² null (no variance to explain)', () => {
    expect(fitLine(series(T, T.map(() => 5000)))).toEqual({ slope: 0, intercept: 5000, rSquared: null, samples: 6 });
  });

  it('sample order does not matter', () => {
    const a = fitLine(series(T, [1000, 1050, 1070, 1130, 1150, 1210]));
    const b = fitLine(series([...T].reverse(), [1210, 1150, 1130, 1070, 1050, 1000]));
    expect(b?.slope).toBeCloseTo(a?.slope as number, 12);
  });

  it('fewer than 2 samples, or one timestamp: null', () => {
    expect(fitLine([])).toBeNull();
    expect(fitLine(series([5], [1]))).toBeNull();
    expect(fitLine(series([5, 5, 5], [1, 2, 3]))).toBeNull();
  });
});
