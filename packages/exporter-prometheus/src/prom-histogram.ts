// A kernel log2 histogram as a Prometheus histogram. Slot k >= 1 counts integer values v
// with 2^(k-1) <= v < 2^k, so `le` = 2^k - 1 bounds it exactly for the integer units the
// kernel counts in (ns, us, bytes, counts); slot 0 (v = 0) is `le="0"`. A time is written
// in seconds with the bound as an exact decimal (2^10 - 1 ns is `le="0.000001023"`). The top
// slot (63) also holds every larger value (the kernel clamps there): only `+Inf` counts it.
import type { HistogramPoint } from '@bpfscope/core';
import type { PromValue } from './reading-metric.js';
import { toLabels } from './prom-names.js';

/** Slots with a finite bound: 0..62. */
const FINITE_SLOTS = 63;
/** `le` of each slot divided by 10^shift, as exact decimals (2^62 - 1 has no exact double: written from a bigint). */
function bounds(shift: number): readonly string[] {
  return Array.from({ length: FINITE_SLOTS }, (_, k) => {
    const digits = String((1n << BigInt(k)) - 1n);
    if (shift === 0) return digits;
    const padded = digits.padStart(shift + 1, '0');
    const fraction = padded.slice(-shift).replace(/0+$/, '');
    return fraction === '' ? padded.slice(0, -shift) : `${padded.slice(0, -shift)}.${fraction}`;
  });
}
const LE = new Map([0, 3, 6, 9].map((shift) => [shift, bounds(shift)]));

/**
 * The samples of one histogram point: cumulative `_bucket`s from its lowest to its highest
 * non-empty slot (the buckets below would all be 0; a cumulative series only grows, so its
 * bucket set only grows too), `+Inf`, `_sum` when the kernel keeps it, `_count`.
 * @param shift - values are divided by 10^shift (0, 3, 6 or 9)
 * @internal
 */
export function histogramValues(name: string, shift: number, point: HistogramPoint, out: PromValue[]): void {
  const labels = toLabels(point.attributes);
  const le = LE.get(shift)!;
  const { buckets, count } = point.histogram;
  const bucket = `${name}_bucket`;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b.index >= FINITE_SLOTS) break;
    cumulative += b.count;
    const next = buckets[i + 1];
    const last = next === undefined || next.index >= FINITE_SLOTS ? b.index : next.index - 1;
    // Slots between two non-empty ones repeat the cumulative count, so every bound from the lowest up is there.
    for (let k = b.index; k <= last; k++) out.push({ metricName: bucket, labels: { ...labels, le: le[k]! }, value: cumulative });
  }
  out.push({ metricName: bucket, labels: { ...labels, le: '+Inf' }, value: count });
  if (point.sum !== null) out.push({ metricName: `${name}_sum`, labels, value: shift === 0 ? point.sum : point.sum / 10 ** shift });
  out.push({ metricName: `${name}_count`, labels, value: count });
}
