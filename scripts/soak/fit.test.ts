import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module of the soak script, no declarations
import { afterWarmup, linearFit, rssSlope, warmupEnd } from './fit.mjs';

describe('soak: least-squares fit', () => {
  it('a line through exact points gives its slope and intercept, r² 1', () => {
    const xs = [0, 400, 800, 1200, 1600];
    const fit = linearFit(xs, xs.map((x) => 3 + 2.5 * x));
    expect(fit.slope).toBeCloseTo(2.5, 12);
    expect(fit.intercept).toBeCloseTo(3, 9);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(fit.n).toBe(5);
    expect(fit.slopeStdErr).toBeCloseTo(0, 9);
  });

  it('residuals that cancel in pairs symmetric about the mean x leave the slope exact; r² below 1', () => {
    // y = 100 + 0.5 x, with +d at x = 0 and 4 and -d at x = 1 and 3 (mean x 2, and x = 2 on the line):
    // sum of dx * residual = (-2)(d) + (-1)(-d) + 1(-d) + 2(d) = 0, so the slope is untouched.
    const xs = [0, 1, 2, 3, 4];
    const d = 7;
    const ys = xs.map((x, i) => 100 + 0.5 * x + [d, -d, 0, -d, d][i]);
    const fit = linearFit(xs, ys);
    expect(fit.slope).toBeCloseTo(0.5, 12);
    // The residuals also sum to 0: the intercept is the line's.
    expect(fit.intercept).toBeCloseTo(100, 12);
    expect(fit.r2).toBeLessThan(1);
    // Residuals d, -d, 0, -d, d: sum of squares 4 d²; over n - 2 = 3 and sxx = 10.
    expect(fit.slopeStdErr).toBeCloseTo(Math.sqrt((4 * d * d) / 3 / 10), 12);
    expect(linearFit([0, 1], [0, 1]).slopeStdErr).toBeNull();
  });

  it('large x and y (1e5 collects, 1e8 bytes) lose no precision', () => {
    const xs = Array.from({ length: 251 }, (_, i) => i * 400);
    const fit = linearFit(xs, xs.map((x) => 150_000_000 + 0.001 * x));
    expect(fit.slope).toBeCloseTo(0.001, 9);
  });

  it('refuses fewer than 2 points, lengths that differ, and x all the same', () => {
    expect(() => linearFit([1], [1])).toThrow(RangeError);
    expect(() => linearFit([1, 2], [1])).toThrow(/2 x values but 1 y values/);
    expect(() => linearFit([5, 5, 5], [1, 2, 3])).toThrow(/every x is the same/);
  });
});

describe('soak: RSS slope after warm-up', () => {
  // 1 KiB per collect after warm-up = 1,000 KiB per 1,000 collects; a 50 MiB climb during warm-up.
  const samples = Array.from({ length: 101 }, (_, i) => {
    const collects = i * 100;
    return { collects, rss: collects < 1000 ? 100e6 + collects * 50_000 : 200e6 + collects * 1024 };
  });

  it('warm-up ends at the fraction of the collects, or later when V8\'s new space grows to its largest size after it', () => {
    expect(warmupEnd(samples, 10_000, 0.1)).toEqual({ from: 1000, by: 'fraction' });
    expect(warmupEnd(samples, 10_000, 0)).toEqual({ from: 0, by: 'fraction' });
    expect(() => warmupEnd(samples, 10_000, 1)).toThrow(RangeError);
    // New space 8 MiB, then 16 from collect 3,000 on (and 16 again later: its first time counts).
    const spaces = samples.map((s) => ({ ...s, newSpace: s.collects < 3000 ? 8 << 20 : 16 << 20 }));
    expect(warmupEnd(spaces, 10_000, 0.1)).toEqual({ from: 3000, by: 'new space' });
    expect(warmupEnd(spaces, 10_000, 0.5)).toEqual({ from: 5000, by: 'fraction' });
    // One sample without the figure: the fraction alone.
    expect(warmupEnd([...spaces.slice(0, 50), samples[50]], 10_000, 0.1)).toEqual({ from: 1000, by: 'fraction' });
  });

  it('leaves out the samples before warm-up ends', () => {
    const after = afterWarmup(samples, 1000);
    expect(after[0].collects).toBe(1000);
    expect(after).toHaveLength(91);
    expect(afterWarmup(samples, 0)).toHaveLength(101);
  });

  it('gives the slope in KiB per 1,000 collects over the samples after warm-up only', () => {
    const s = rssSlope(samples, 1000);
    expect(s.kibPer1000).toBeCloseTo(1000, 9);
    expect(s.from).toBe(1000);
    // With the warm-up climb included the line is another one: the cut matters.
    expect(rssSlope(samples, 0).kibPer1000).not.toBeCloseTo(1000, 0);
  });

  it('is null with fewer than 2 samples after warm-up', () => {
    expect(rssSlope(samples.slice(0, 11), 1000)).toBeNull();
  });
});
