import { log2Quantile, type FamilyResult } from '@bpfscope/core';
import type { SyscallMetrics } from '@bpfscope/plugin-syscall';
import { num, table } from './table.js';

/** Human form of the syscall family: top calls, categories, top processes. @internal */
export function formatSyscall(r: FamilyResult<SyscallMetrics>, top = 10): string {
  const d = r.data;
  const lines = [`  mode ${d.mode}, counting since ${d.countersSince}${d.intervalMs !== null ? `, over ${Math.round(d.intervalMs)} ms` : ''}`];
  if (d.total.count !== null) {
    lines.push(`  ${d.total.count} calls${d.total.errors !== null ? `, ${d.total.errors} errors` : ''}${d.total.perSecond !== null ? `, ${Math.round(d.total.perSecond)}/s` : ''}`);
  }
  if (d.syscalls.length > 0) {
    const rows = d.syscalls.slice(0, top).map((s) => {
      const p99 = s.latency ? log2Quantile(s.latency, 0.99) : null;
      return [s.name ?? `#${s.id}`, s.category, String(s.count), s.errors === null ? '-' : String(s.errors), s.avgNs === null ? '-' : num(s.avgNs / 1000, 2), p99 ? `<${num(p99.upperBound / 1000, 1)}` : '-'];
    });
    lines.push(indent(table(['syscall', 'category', 'calls', 'errors', 'avg us', 'p99 us'], rows, new Set([0, 1]))));
  }
  if (d.categories) {
    const cats = Object.entries(d.categories).filter(([, c]) => c.count > 0).sort((a, b) => b[1].count - a[1].count);
    lines.push(`  by category: ${cats.map(([k, c]) => `${k} ${c.count}`).join(', ') || '-'}`);
  }
  const procs = d.processes.slice(0, 5).map((p) => `${p.comm ?? '?'}[${p.pid}] ${p.count ?? `${p.readCalls ?? '-'} read-class, ${p.writeCalls ?? '-'} write-class`}`);
  if (procs.length > 0) lines.push(`  top processes: ${procs.join('; ')}`);
  for (const [k, why] of Object.entries(d.unavailable)) lines.push(`  unavailable: ${k}: ${why}`);
  return lines.join('\n');
}

function indent(s: string): string {
  return s.split('\n').map((l) => `  ${l}`).join('\n');
}
