// A kernel log2 histogram as a Prometheus histogram. Slot k >= 1 counts integer values v
// with 2^(k-1) <= v < 2^k, so `le` = 2^k - 1 bounds it exactly for the integer units the
// kernel counts in (ns, us, bytes, counts); slot 0 (v = 0) is `le="0"`. The top slot (63)
// also holds every larger value (the kernel clamps there): it is counted only in `+Inf`.
import type { HistogramPoint } from '@bpfscope/core';
import type { PromValue } from './reading-metric.js';
import { toLabels } from './prom-names.js';

/** Slots with a finite bound: 0..62. */
const FINITE_SLOTS = 63;
/** `le` of each slot, as exact decimal integers (2^62 - 1 has no exact double, so written from a bigint). */
const LE: readonly string[] = Array.from({ length: FINITE_SLOTS }, (_, k) => String((1n << BigInt(k)) - 1n));

/**
 * The samples of one histogram point: cumulative `_bucket`s from slot 0 up to its highest
 * non-empty slot (a cumulative series only grows, so its bucket set only grows too), `+Inf`,
 * `_sum` when the kernel keeps it, `_count`.
 * @internal
 */
export function histogramValues(name: string, point: HistogramPoint, out: PromValue[]): void {
  const labels = toLabels(point.attributes);
  const { buckets, count } = point.histogram;
  const top = buckets.length === 0 ? -1 : Math.min(buckets[buckets.length - 1]!.index, FINITE_SLOTS - 1);
  const bucket = `${name}_bucket`;
  let cumulative = 0;
  let i = 0;
  for (let k = 0; k <= top; k++) {
    while (i < buckets.length && buckets[i]!.index === k) cumulative += buckets[i++]!.count;
    out.push({ metricName: bucket, labels: { ...labels, le: LE[k]! }, value: cumulative });
  }
  out.push({ metricName: bucket, labels: { ...labels, le: '+Inf' }, value: count });
  if (point.sum !== null) out.push({ metricName: `${name}_sum`, labels, value: point.sum });
  out.push({ metricName: `${name}_count`, labels, value: count });
}
