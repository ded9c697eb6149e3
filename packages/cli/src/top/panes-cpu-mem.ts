import { log2Quantile, type FamilyResult, type Log2Histogram } from '@bpfscope/core';
import type { CpuMetrics, CpuTimeRecord } from '@bpfscope/plugin-cpu';
import type { MemMetrics } from '@bpfscope/plugin-mem';
import { num, table } from '../commands/table.js';
import { formatBytes, formatNsRange } from '../units.js';
import type { Pane } from './frame.js';
import type { LatencyWindow } from './top-reading.js';

const BAR = 20;

/** `[#####               ]` for a percentage, or blanks when there is none. */
function bar(percent: number | null): string {
  if (percent === null) return `[${' '.repeat(BAR)}]`;
  const n = Math.max(0, Math.min(BAR, Math.round((percent / 100) * BAR)));
  return `[${'#'.repeat(n)}${' '.repeat(BAR - n)}]`;
}

function quantile(h: Log2Histogram, q: number): string {
  const b = log2Quantile(h, q);
  return b ? formatNsRange(b.lowerBound, b.upperBound) : '-';
}

/** The run-queue latency line: the bucket of each percentile (a log2 histogram knows no more). */
export function latencyLine(l: LatencyWindow): string {
  const h = l.histogram;
  if (h.count === 0) return `run-queue latency ${l.window}: no waits counted`;
  return `run-queue latency ${l.window} (all CPUs, ${h.count} waits): p50 in ${quantile(h, 0.5)}, p90 in ${quantile(h, 0.9)}, p99 in ${quantile(h, 0.99)}`;
}

/** The cpu pane: busy % per CPU with a bar, the mode split, run-queue latency, load. @internal */
export function cpuPane(r: FamilyResult<CpuMetrics>, runQueue: LatencyWindow | null): Pane {
  const d = r.data;
  const row = (name: string, c: CpuTimeRecord): string[] => [name, num(c.busyPercent, 1), bar(c.busyPercent)];
  const [head, ...rows] = table(['cpu', 'busy%', ''], [row('all', d.total), ...d.perCpu.map((c) => row(`cpu${c.cpu}`, c))], new Set([0, 2])).split('\n');
  const tail: string[] = [];
  if (runQueue) tail.push(latencyLine(runQueue));
  else if (d.unavailable.runQueueLatency) tail.push(`run-queue latency unavailable: ${d.unavailable.runQueueLatency}`);
  if (d.loadAverage) tail.push(`load average ${num(d.loadAverage.load1)} ${num(d.loadAverage.load5)} ${num(d.loadAverage.load15)}, ${d.loadAverage.runnable}/${d.loadAverage.total} runnable`);
  if (d.unmeasuredCpus.length > 0) tail.push(`no counters yet (no context switch seen since attach): cpu ${d.unmeasuredCpus.join(', ')}`);
  const window = d.intervalMs === null ? 'busy% from the second reading' : `busy% over ${Math.round(d.intervalMs)} ms`;
  // The "all" row stays with the header: it is the one figure a short terminal must still show.
  return { title: 'cpu', subtitle: `${r.source}, ${window}`, head: [head!, rows[0]!], rows: rows.slice(1), tail };
}

/** The memory pane: usage, swap, faults, and the OOM predictions with their level. @internal */
export function memPane(r: FamilyResult<MemMetrics>): Pane {
  const d = r.data;
  const head: string[] = [];
  const s = d.system;
  if (s) head.push(`memory ${formatBytes(s.usedBytes)} used of ${formatBytes(s.totalBytes)} ${bar(s.usedFraction === null ? null : s.usedFraction * 100)} ${num(s.usedFraction === null ? null : s.usedFraction * 100, 1)}%, ${formatBytes(s.availableBytes)} available`);
  else head.push(`memory: unavailable${d.unavailable.system ? ` (${d.unavailable.system})` : ''}`);
  if (d.swap) head.push(`swap ${formatBytes(d.swap.usedBytes)} used of ${formatBytes(d.swap.totalBytes)}`);
  if (d.vmstat) {
    const rate = (v: number | null): string => (v === null ? '-' : `${Math.round(v)}/s`);
    head.push(`page faults ${rate(d.vmstat.pgfaultPerSecond)} (major ${rate(d.vmstat.pgmajfaultPerSecond)}); OOM kills since boot ${d.vmstat.oomKill ?? '-'}, since start ${d.oom.sinceStart ?? '-'}`);
  }
  // The predictions, most urgent first: the system's and each cgroup's.
  const order = ['critical', 'warning', 'watch', 'none'];
  const rows = [...d.predictions]
    .sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level))
    .map((p) => {
      const when = p.secondsToExhaustion === null ? `no exhaustion predicted (${p.reason ?? 'no trend'})` : `exhausted in ${Math.round(p.secondsToExhaustion)} s (R² ${num(p.confidence.rSquared, 2)})`;
      return `OOM prediction ${p.key}: ${p.level}, ${when}`;
    });
  if (rows.length === 0) rows.push(`OOM prediction: none yet${d.unavailable.predictions ? ` (${d.unavailable.predictions})` : ''}`);
  const tail = (d.oom.victims ?? []).slice(-3).map((v) => `OOM victim ${v.comm}[${v.pid}]`);
  return { title: 'memory', subtitle: r.source, head, rows, tail };
}
