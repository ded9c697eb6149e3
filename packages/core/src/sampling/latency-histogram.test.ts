import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import { LatencyHistogram, bucketOf, bucketTop } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('buckets tile the integers: each value lies in its bucket, buckets are contiguous and within 1/32 wide', () => {
    const random = seededRandom(1);
    const values = [0, 1, 31, 32, 33, 63, 64, 65, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 40, 2 ** 52 + 1];
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(2 ** (random() * 50)));
    // One assertion over every value (80,000 expect() calls took over 5 s on a loaded machine).
    const wrong: string[] = [];
    for (const v of values) {
      const b = bucketOf(v);
      const low = b === 0 ? 0 : bucketTop(b - 1) + 1;
      const top = bucketTop(b);
      const ok = v >= low && v <= top && (v >= 32 ? top - low + 1 <= low / 32 : top === v);
      if (!ok) wrong.push(`${v}: bucket ${b} [${low}, ${top}]`);
    }
    expect(wrong).toEqual([]);
  });

  it('quantiles are never below the true nearest-rank quantile and above it by < 1/32 of it', () => {
    const random = seededRandom(2);
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const v = Math.floor(2 ** (random() * 24)); // 1 µs … 16 s, log-uniform
      values.push(v);
      h.record(v + random() * 0.999); // fractions are truncated
    }
    values.sort((a, b) => a - b);
    for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
      const truth = values[Math.max(1, Math.ceil(q * values.length)) - 1]!;
      const got = h.quantile(q);
      expect(got).toBeGreaterThanOrEqual(truth);
      if (truth < 32) expect(got).toBe(truth);
      else expect(got - truth).toBeLessThan(truth / 32);
    }
    const s = h.summary();
    expect(s.count).toBe(50_000);
    expect(s.max).toBe(values.at(-1));
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });

  it('is empty before anything and after reset', () => {
    const h = new LatencyHistogram();
    expect(h.summary().p99).toBeNaN();
    h.record(5);
    expect(h.summary()).toMatchObject({ count: 1, p50: 5, p99: 5, max: 5 });
    h.reset();
    expect(h.count).toBe(0);
    expect(h.quantile(0.5)).toBeNaN();
  });

  it('record(value, count) is the same as recording the value count times', () => {
    const random = seededRandom(3);
    const once = new LatencyHistogram();
    const many = new LatencyHistogram();
    for (let i = 0; i < 500; i++) {
      const v = Math.floor(2 ** (random() * 20)) + random();
      const n = 1 + Math.floor(random() * 9);
      many.record(v, n);
      for (let k = 0; k < n; k++) once.record(v);
    }
    expect(many.summary()).toEqual(once.summary());
    for (const q of [0.1, 0.5, 0.9, 0.99]) expect(many.quantile(q)).toBe(once.quantile(q));
  });
});
