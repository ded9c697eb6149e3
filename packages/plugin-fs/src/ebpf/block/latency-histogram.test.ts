import { describe, expect, it } from 'vitest';
import { bucketUpperUs, latencyHistogram, quantileUpperUs } from './latency-histogram.js';

describe('latency histogram of the block part', () => {
  it('gives inclusive bucket bounds as biolatency prints them', () => {
    expect([0, 1, 2, 3, 10].map(bucketUpperUs)).toEqual([1, 3, 7, 15, 2047]);
  });

  it('puts each quantile in the bucket its rank ⌈q·count⌉ falls in', () => {
    // 100 requests: 50 in 2-3 µs, 45 in 8-15 µs, 4 in 64-127 µs, 1 in 1024-2047 µs.
    const b = [0, 50, 0, 45, 0, 0, 4, 0, 0, 0, 1];
    expect(quantileUpperUs(b, 0.5)).toBe(3);
    expect(quantileUpperUs(b, 0.51)).toBe(15);
    expect(quantileUpperUs(b, 0.95)).toBe(15);
    expect(quantileUpperUs(b, 0.96)).toBe(127);
    expect(quantileUpperUs(b, 0.99)).toBe(127);
    expect(quantileUpperUs(b, 1)).toBe(2047);
  });

  it('has no quantile without requests, and the first request for a tiny q', () => {
    expect(quantileUpperUs([0, 0, 0], 0.5)).toBeNull();
    expect(quantileUpperUs([], 0.99)).toBeNull();
    expect(quantileUpperUs([0, 0, 7], 0.0001)).toBe(7);
  });

  it('trims empty buckets after the last request and keeps count and sum', () => {
    const slots = Array.from({ length: 64 }, () => 0);
    slots[0] = 2;
    slots[4] = 3;
    expect(latencyHistogram(slots, 61)).toEqual({ buckets: [2, 0, 0, 0, 3], count: 5, sumUs: 61, p50Us: 31, p95Us: 31, p99Us: 31 });
    expect(latencyHistogram(Array.from({ length: 64 }, () => 0), 0)).toEqual({ buckets: [], count: 0, sumUs: 0, p50Us: null, p95Us: null, p99Us: null });
  });
});
