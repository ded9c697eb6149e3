import { describe, expect, it } from 'vitest';
import { log2HistogramDelta, log2HistogramFromSlots, log2Quantile, mergeLog2Histograms } from './log2-histogram.js';
import { ratePerSecond } from './rate.js';
import { topK, topKBy, topKIndices } from './top-k.js';

describe('log2 histograms', () => {
  const h = log2HistogramFromSlots([2, 0, 3, 5], 'ns');

  it('bigint slots, holes and the highest slots: bounds are the powers of two', () => {
    const slots: Array<number | bigint> = [];
    slots[1] = 4n;
    slots[63] = 1n;
    slots[130] = 2;
    const g = log2HistogramFromSlots(slots, 'ns');
    expect(g.count).toBe(7);
    expect(g.buckets).toEqual([
      { index: 1, lowerBound: 1, upperBound: 2, count: 4 },
      { index: 63, lowerBound: 2 ** 62, upperBound: 2 ** 63, count: 1 },
      { index: 130, lowerBound: 2 ** 129, upperBound: 2 ** 130, count: 2 },
    ]);
  });

  it('buckets from slots with their bounds, empty slots left out', () => {
    expect(h.count).toBe(10);
    expect(h.buckets).toEqual([
      { index: 0, lowerBound: 0, upperBound: 1, count: 2 },
      { index: 2, lowerBound: 2, upperBound: 4, count: 3 },
      { index: 3, lowerBound: 4, upperBound: 8, count: 5 },
    ]);
  });

  it('merges by adding counts and refuses mixed units', () => {
    const m = mergeLog2Histograms([h, log2HistogramFromSlots([0, 1, 0, 5], 'ns')]);
    expect(m?.count).toBe(16);
    expect(m?.buckets.map((b) => [b.index, b.count])).toEqual([[0, 2], [1, 1], [2, 3], [3, 10]]);
    expect(() => mergeLog2Histograms([h, log2HistogramFromSlots([1], 'bytes')])).toThrow(TypeError);
    expect(mergeLog2Histograms([])).toBeNull();
  });

  it('delta between two readings', () => {
    const later = log2HistogramFromSlots([2, 4, 3, 9], 'ns');
    expect(log2HistogramDelta(h, later).buckets.map((b) => [b.index, b.count])).toEqual([[1, 4], [3, 4]]);
  });

  it('quantiles are the bounds of the bucket holding the rank', () => {
    expect(log2Quantile(h, 0)).toEqual({ lowerBound: 0, upperBound: 1 });
    expect(log2Quantile(h, 0.2)).toEqual({ lowerBound: 0, upperBound: 1 });
    expect(log2Quantile(h, 0.21)).toEqual({ lowerBound: 2, upperBound: 4 });
    expect(log2Quantile(h, 0.5)).toEqual({ lowerBound: 2, upperBound: 4 });
    expect(log2Quantile(h, 0.51)).toEqual({ lowerBound: 4, upperBound: 8 });
    expect(log2Quantile(h, 1)).toEqual({ lowerBound: 4, upperBound: 8 });
    expect(log2Quantile(log2HistogramFromSlots([], 'ns'), 0.5)).toBeNull();
    expect(() => log2Quantile(h, 1.5)).toThrow(RangeError);
  });
});

describe('topK', () => {
  const rs = [5, 1, 9, null, 7, 3, 9, 0].map((v, i) => ({ i, v }));
  it('keeps the k largest, largest first, leaving out unmeasured records', () => {
    expect(topK(rs, (r) => r.v, 3).map((r) => r.v)).toEqual([9, 9, 7]);
    expect(topK(rs, (r) => r.v, 100).map((r) => r.v)).toEqual([9, 9, 7, 5, 3, 1, 0]);
    expect(topK(rs, (r) => r.v, 0)).toEqual([]);
    expect(() => topK(rs, (r) => r.v, -1)).toThrow(RangeError);
  });
  it('agrees with a full sort on a large input', () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ v: (i * 7919) % 10007 }));
    const expected = [...big].sort((a, b) => b.v - a.v).slice(0, 20).map((r) => r.v);
    expect(topK(big, (r) => r.v, 20).map((r) => r.v)).toEqual(expected);
  });
});

describe('topKBy', () => {
  it('gives the same as a sort and a slice, ties and all', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 50;
    const items = Array.from({ length: 500 }, (_, i) => ({ i, bytes: rand(), operations: rand() }));
    const order = (a: typeof items[0], b: typeof items[0]) => b.bytes - a.bytes || b.operations - a.operations || a.i - b.i;
    for (const k of [0, 1, 7, 100, 499, 500, 600]) expect(topKBy(items, k, order)).toEqual([...items].sort(order).slice(0, k));
  });
});

describe('topKIndices', () => {
  const v = [5, 1, 9, -1, 7, 3, 9, 0];
  const before = (a: number, b: number): boolean => v[a]! > v[b]! || (v[a] === v[b] && a < b);
  it('keeps the indices of the k best rows, best first, ties by the given order, leaving out rows not included', () => {
    const out = new Int32Array(8);
    expect([...out.subarray(0, topKIndices(v.length, 3, before, out))]).toEqual([2, 6, 4]);
    expect([...out.subarray(0, topKIndices(v.length, 8, before, out, (i) => v[i]! >= 0))]).toEqual([2, 6, 4, 0, 5, 1, 7]);
    expect(topKIndices(v.length, 0, before, out)).toBe(0);
    expect(() => topKIndices(v.length, 9, before, out)).toThrow(RangeError);
  });
  it('agrees with a full sort on a large input', () => {
    const big = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 10007);
    const order = (a: number, b: number): boolean => big[a]! > big[b]! || (big[a] === big[b] && a < b);
    const expected = big.map((_, i) => i).sort((a, b) => (order(a, b) ? -1 : 1)).slice(0, 20);
    const out = new Int32Array(20);
    expect([...out.subarray(0, topKIndices(big.length, 20, order, out))]).toEqual(expected);
  });
});

describe('ratePerSecond', () => {
  it('derives a per-second rate and refuses what it cannot measure', () => {
    expect(ratePerSecond(100, 350, 500)).toBe(500);
    expect(ratePerSecond(10n, 20n, 1000)).toBe(10);
    expect(ratePerSecond(350, 100, 500)).toBeNull();
    expect(ratePerSecond(null, 100, 500)).toBeNull();
    expect(ratePerSecond(1, 2, 0)).toBeNull();
  });
});
