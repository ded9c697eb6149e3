import type { FamilyResult } from '@bpfscope/core';
import type { MemMetrics } from '@bpfscope/plugin-mem';
import type { ProcMetrics } from '@bpfscope/plugin-proc';
import { num, table } from './table.js';
import { formatBytes } from '../units.js';

const indent = (s: string): string => s.split('\n').map((l) => `  ${l}`).join('\n');

/** Human form of the proc family: the listed processes. @internal */
export function formatProc(r: FamilyResult<ProcMetrics>): string {
  const d = r.data;
  const rows = d.processes.map((p) => [String(p.pid), String(p.ppid), p.comm, p.state, num(p.cpuPercent, 1), num(p.userSeconds + p.systemSeconds, 2), formatBytes(p.rssBytes), String(p.threads)]);
  return [
    `  ${d.total} processes, ${d.matched} matched, ${d.processes.length} listed${d.intervalMs !== null ? `; cpu% over ${Math.round(d.intervalMs)} ms` : ''}`,
    indent(table(['pid', 'ppid', 'comm', 'state', 'cpu%', 'cpu s', 'rss', 'threads'], rows, new Set([0, 1, 2, 3]))),
  ].join('\n');
}

/** Human form of the mem family: memory, swap, faults, cgroups, predictions, OOM kills. @internal */
export function formatMem(r: FamilyResult<MemMetrics>): string {
  const d = r.data;
  const lines: string[] = [];
  if (d.system) lines.push(`  memory ${formatBytes(d.system.totalBytes)} total, ${formatBytes(d.system.availableBytes)} available (${num(d.system.usedFraction === null ? null : d.system.usedFraction * 100, 1)}% used)`);
  if (d.swap) lines.push(`  swap ${formatBytes(d.swap.totalBytes)} total, ${formatBytes(d.swap.freeBytes)} free`);
  if (d.vmstat) lines.push(`  page faults since boot: ${d.vmstat.pgfault} (major ${d.vmstat.pgmajfault}); OOM kills since boot: ${d.vmstat.oomKill ?? '-'}`);
  const top = d.processes.slice(0, 5).map((p) => `${p.comm}[${p.pid}] ${p.minorFaults}/${p.majorFaults}`);
  if (top.length > 0) lines.push(`  faults (minor/major), top processes: ${top.join('; ')}`);
  for (const c of d.cgroups?.entries.slice(0, 5) ?? []) {
    lines.push(`  cgroup ${c.path} (${c.hierarchy}): ${formatBytes(c.usageBytes)} of ${formatBytes(c.limitBytes)}${c.error ? ` — ${c.error.code}: ${c.error.message}` : ''}`);
  }
  for (const p of d.predictions.filter((x) => x.level !== 'none')) {
    lines.push(`  prediction ${p.key}: ${p.level}, exhausted in ${p.secondsToExhaustion === null ? '-' : `${Math.round(p.secondsToExhaustion)} s`} (R² ${num(p.confidence.rSquared, 2)})`);
  }
  lines.push(`  OOM kills since start: ${d.oom.sinceStart ?? '-'}${d.oom.victims ? `; victims: ${d.oom.victims.map((v) => `${v.comm}[${v.pid}]`).join(', ') || 'none'}` : ''}`);
  for (const [k, why] of Object.entries(d.unavailable)) lines.push(`  unavailable: ${k}: ${why}`);
  return lines.join('\n');
}
