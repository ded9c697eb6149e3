import { describe, expect, it } from 'vitest';
import { log2HistogramFromSlots } from '@bpfscope/core';
import { histogramValues } from './prom-histogram.js';
import { negotiateContentType } from './negotiate.js';
import type { PromValue } from './reading-metric.js';

const slots = (entries: Record<number, number>): number[] => {
  const out = new Array<number>(64).fill(0);
  for (const [k, n] of Object.entries(entries)) out[Number(k)] = n;
  return out;
};
const lines = (values: PromValue[]): string[] => values.map((v) => `${v.metricName}{${Object.entries(v.labels).map(([k, x]) => `${k}=${x}`).join(',')}} ${v.value}`);

describe('log2 histogram as Prometheus buckets', () => {
  it('le = 2^k - 1 from the lowest to the highest non-empty slot, cumulative, exact in integer units', () => {
    const out: PromValue[] = [];
    histogramValues('h', 0, { attributes: { 'bpfscope.source': 'ebpf' }, histogram: log2HistogramFromSlots(slots({ 4: 3, 6: 2 }), 'bytes'), sum: null }, out);
    // Slot 4 holds 8..15, slot 6 holds 32..63; no sum: the kernel did not keep it.
    expect(lines(out)).toEqual(['h_bucket{bpfscope_source=ebpf,le=15} 3', 'h_bucket{bpfscope_source=ebpf,le=31} 3', 'h_bucket{bpfscope_source=ebpf,le=63} 5', 'h_bucket{bpfscope_source=ebpf,le=+Inf} 5', 'h_count{bpfscope_source=ebpf} 5']);
  });

  it('the top slot (63), where the kernel clamps larger values, counts only in +Inf; bounds past 2^53 stay exact decimals', () => {
    const out: PromValue[] = [];
    histogramValues('h', 9, { attributes: {}, histogram: log2HistogramFromSlots(slots({ 62: 1, 63: 4 }), 'ns'), sum: 2e9 }, out);
    expect(lines(out)).toEqual(['h_bucket{le=4611686018.427387903} 1', 'h_bucket{le=+Inf} 5', 'h_sum{} 2', 'h_count{} 5']);
  });

  it('an empty histogram has +Inf and count only', () => {
    const out: PromValue[] = [];
    histogramValues('h', 0, { attributes: {}, histogram: log2HistogramFromSlots([], 'count'), sum: 0 }, out);
    expect(lines(out)).toEqual(['h_bucket{le=+Inf} 0', 'h_sum{} 0', 'h_count{} 0']);
  });
});

describe('content negotiation', () => {
  it.each([
    [undefined, 'text/plain; version=0.0.4; charset=utf-8'],
    ['*/*', 'text/plain; version=0.0.4; charset=utf-8'],
    ['text/plain', 'text/plain; version=0.0.4; charset=utf-8'],
    // What Prometheus 2.x sends.
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'application/openmetrics-text; version=1.0.0; charset=utf-8'],
    ['application/openmetrics-text;q=0.3,text/plain;q=0.9', 'text/plain; version=0.0.4; charset=utf-8'],
    ['application/openmetrics-text;q=0', 'text/plain; version=0.0.4; charset=utf-8'],
  ])('Accept %j → %s', (accept, type) => {
    expect(negotiateContentType(accept)).toBe(type);
  });
});
