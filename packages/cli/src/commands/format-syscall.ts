import { log2Quantile, type FamilyResult } from '@bpfscope/core';
import type { SyscallMetrics } from '@bpfscope/plugin-syscall';
import { num, table } from './table.js';
import { NO_PAINT, type Paint } from '../colour.js';
import { formatNsRange } from '../units.js';

/** What the syscall table says about how it was read. @internal */
export interface SyscallFormat {
  /** bpfscope's own calls are in the figures. */
  includeSelf: boolean;
  /** The window is one the user asked for (`--interval`). */
  interval: boolean;
  paint: Paint;
}

/** Human form of the syscall family: top calls, categories, top processes, and the window they cover. @internal */
export function formatSyscall(r: FamilyResult<SyscallMetrics>, f: SyscallFormat = { includeSelf: false, interval: false, paint: NO_PAINT }, top = 10): string {
  const d = r.data;
  const lines = [`  mode ${d.mode}, counting since ${d.countersSince}`];
  if (d.mode !== 'procfs' && d.intervalMs !== null) {
    lines.push(
      f.interval
        ? `  window: the ${Math.round(d.intervalMs)} ms between the two readings`
        : f.paint.yellow(`  window: the ${Math.round(d.intervalMs)} ms between attaching the programs and this reading (pass --interval MS for a longer one)`),
    );
  }
  lines.push(f.includeSelf ? `  bpfscope's own calls (pid ${process.pid}) are included` : `  bpfscope's own calls (pid ${process.pid}) are left out (--include-self keeps them)`);
  if (d.total.count !== null) {
    lines.push(`  ${d.total.count} calls${d.total.errors !== null ? `, ${d.total.errors} errors` : ''}${d.total.perSecond !== null ? `, ${Math.round(d.total.perSecond)}/s` : ''}`);
  }
  if (d.syscalls.length > 0) {
    const rows = d.syscalls.slice(0, top).map((s) => {
      const p99 = s.latency ? log2Quantile(s.latency, 0.99) : null;
      return [s.name ?? `#${s.id}`, s.category, String(s.count), s.errors === null ? '-' : String(s.errors), s.avgNs === null ? '-' : num(s.avgNs / 1000, 2), p99 ? formatNsRange(p99.lowerBound, p99.upperBound) : '-'];
    });
    lines.push(indent(table(['syscall', 'category', 'calls', 'errors', 'avg us', 'p99 in'], rows, new Set([0, 1]))));
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
