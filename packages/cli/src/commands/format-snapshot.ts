import { log2Quantile, type FamilyResult, type Log2Histogram, type Snapshot } from '@bpfscope/core';
import type { CpuMetrics, CpuTimeRecord } from '@bpfscope/plugin-cpu';
import type { SyscallMetrics } from '@bpfscope/plugin-syscall';
import { formatSyscall } from './format-syscall.js';
import { formatMem, formatProc } from './format-proc-mem.js';
import type { MemMetrics } from '@bpfscope/plugin-mem';
import type { NetMetrics } from '@bpfscope/plugin-net';
import { formatNet } from './format-net.js';
import type { FsMetrics } from '@bpfscope/plugin-fs';
import { formatFs } from './format-fs.js';
import type { ThermalMetrics } from '@bpfscope/plugin-thermal';
import { formatThermal } from './format-thermal.js';
import type { GpuMetrics } from '@bpfscope/plugin-gpu';
import { formatGpu } from './format-gpu.js';
import type { ProcMetrics } from '@bpfscope/plugin-proc';
import { num, table } from './table.js';
import { paint, type Paint } from '../colour.js';
import { formatNsRange } from '../units.js';

/** How a snapshot is shown. @internal */
export interface SnapshotFormat {
  /** ANSI colour (on a terminal). */
  colour: boolean;
  /** bpfscope's own system calls were counted (`--include-self`). */
  includeSelf: boolean;
  /** The snapshot is the second of two readings `--interval` apart. */
  interval: boolean;
}

/** Human-readable snapshot. @internal */
export function formatSnapshot(snap: Snapshot, f: SnapshotFormat = { colour: false, includeSelf: false, interval: false }): string {
  const p = paint(f.colour);
  const out: string[] = [p.bold(`bpfscope snapshot  ${new Date(snap.timestamp).toISOString()}`), ''];
  for (const family of snap.families()) {
    const r = snap.get(family);
    if (!r) continue;
    out.push(`${p.bold(family)}  source: ${r.source}${r.fallback ? p.yellow(`  (fell back: ${r.fallback.code}: ${r.fallback.message})`) : ''}`);
    out.push(formatFamily(family, r, f, p), '');
  }
  if (snap.errors.length > 0) {
    out.push(p.red('errors:'));
    for (const e of snap.errors) out.push(p.red(`  ${e.family}: ${e.error.code}: ${e.error.message}`), `    remedy: ${e.error.remedy}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function formatFamily(family: string, r: FamilyResult, f: SnapshotFormat, p: Paint): string {
  if (family === 'cpu') return formatCpu(r as FamilyResult<CpuMetrics>);
  if (family === 'syscall') return formatSyscall(r as FamilyResult<SyscallMetrics>, { includeSelf: f.includeSelf, interval: f.interval, paint: p });
  if (family === 'proc') return formatProc(r as FamilyResult<ProcMetrics>);
  if (family === 'mem') return formatMem(r as FamilyResult<MemMetrics>);
  if (family === 'net') return formatNet(r as FamilyResult<NetMetrics>);
  if (family === 'fs') return formatFs(r as FamilyResult<FsMetrics>);
  if (family === 'thermal') return formatThermal(r as FamilyResult<ThermalMetrics>, p);
  if (family === 'gpu') return formatGpu(r as FamilyResult<GpuMetrics>, p);
  return JSON.stringify(r.data, null, 2);
}

function formatCpu(r: FamilyResult<CpuMetrics>): string {
  const d = r.data;
  const row = (name: string, c: CpuTimeRecord): string[] => [
    name, num(c.busyPercent, 1), num(c.user), num(c.nice), num(c.system), num(c.idle), num(c.iowait),
    num(c.irq, 3), num(c.softirq, 3), num(c.steal), c.contextSwitches === null ? '-' : String(c.contextSwitches),
  ];
  const lines = [
    `  counters since ${d.countersSince}${d.intervalMs !== null ? `, busy% over ${Math.round(d.intervalMs)} ms` : ''} (times in seconds)`,
    ...(d.intervalMs !== null && d.intervalMs < 100 ? ['  (a short window: pass --interval 1000 for busy% over a second)'] : []),
    indent(table(['cpu', 'busy%', 'user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'ctx-switches'], [
      row('all', d.total),
      ...d.perCpu.map((c) => row(String(c.cpu), c)),
    ])),
  ];
  if (d.runQueueLatency) lines.push(`  run-queue latency: ${formatHist(d.runQueueLatency)}`);
  if (d.loadAverage) lines.push(`  load average: ${num(d.loadAverage.load1)} ${num(d.loadAverage.load5)} ${num(d.loadAverage.load15)} (${d.loadAverage.runnable}/${d.loadAverage.total} runnable)`);
  if (d.pressure) lines.push(`  pressure some: avg10 ${num(d.pressure.some.avg10)}% avg60 ${num(d.pressure.some.avg60)}% avg300 ${num(d.pressure.some.avg300)}%`);
  const from = Object.entries(d.fieldSources);
  if (from.length > 0) lines.push(`  from other sources: ${from.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  for (const [k, why] of Object.entries(d.unavailable)) lines.push(`  unavailable: ${k}: ${why}`);
  return lines.join('\n');
}

function formatHist(h: Log2Histogram): string {
  if (h.count === 0) return 'no samples yet';
  const q = (p: number): string => {
    const b = log2Quantile(h, p);
    return b ? formatNsRange(b.lowerBound, b.upperBound) : '-';
  };
  return `${h.count} samples since attach; p50 in ${q(0.5)}, p90 in ${q(0.9)}, p99 in ${q(0.99)}, max in ${q(1)}`;
}

function indent(s: string): string {
  return s.split('\n').map((l) => `  ${l}`).join('\n');
}
