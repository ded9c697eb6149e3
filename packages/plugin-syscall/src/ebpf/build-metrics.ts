import { ratePerSecond, type Log2Histogram } from '@bpfscope/core';
import type { CategoryStat, ProcessSyscallRecord, SyscallFilterState, SyscallMetrics, SyscallMode, SyscallStat } from '../records.js';
import { SYSCALL_CATEGORY_NAMES, type SyscallCategory } from '../syscall-category.js';
import { syscallCategory, syscallName } from '../syscall-table.js';
import type { RawSyscallStat } from './syscall-maps.js';

/** One reading of the kernel maps. @internal */
export interface Reading {
  at: number;
  counts: RawSyscallStat[];
  hist: Map<number, Log2Histogram>;
  table: Array<{ tgid: number; id: number } & RawSyscallStat>;
  kernel: { invocations: number; drops: number; filterHits: number; filterMisses: number };
}

const COUNTS_ONLY = 'counts-only mode attaches no sys_exit program: errors and latency need the return (use mode "latency")';

/** Turn a reading into the family's record. @internal */
export function buildMetrics(cur: Reading, prev: Reading | null, o: { mode: SyscallMode; since: string; filter: SyscallFilterState; topProcesses: number }): SyscallMetrics {
  const latency = o.mode === 'latency';
  const syscalls: SyscallStat[] = [];
  const categories = Object.fromEntries(SYSCALL_CATEGORY_NAMES.map((c) => [c, { count: 0, errors: latency ? 0 : null }])) as Record<SyscallCategory, CategoryStat>;
  let total = 0;
  let errors = 0;
  cur.counts.forEach((c, id) => {
    if (c.count === 0n) return;
    const count = Number(c.count);
    const hist = cur.hist.get(id) ?? null;
    // A number the table lacks is of an unknown kind, not `other` (a call the table lists).
    const category = syscallCategory(id) ?? 'unknown';
    const returned = hist?.count ?? 0;
    syscalls.push({
      id, name: syscallName(id), category, count,
      errors: latency ? Number(c.errors) : null,
      totalNs: latency ? Number(c.totalNs) : null,
      avgNs: latency && returned > 0 ? Number(c.totalNs) / returned : null,
      latency: latency ? hist : null,
    });
    total += count;
    errors += Number(c.errors);
    categories[category].count += count;
    if (latency) categories[category].errors = (categories[category].errors ?? 0) + Number(c.errors);
  });
  syscalls.sort((a, b) => b.count - a.count || a.id - b.id);
  const prevTotal = prev ? prev.counts.reduce((s, c) => s + c.count, 0n) : null;
  const intervalMs = prev ? cur.at - prev.at : null;
  const unavailable: SyscallMetrics['unavailable'] = {
    readWriteCalls: 'read-class and write-class totals come from /proc/<pid>/io in the procfs source; the eBPF source counts each call by number instead',
  };
  if (!latency) {
    unavailable.errors = COUNTS_ONLY;
    unavailable.latency = COUNTS_ONLY;
  }
  return {
    mode: o.mode,
    countersSince: o.since,
    intervalMs: intervalMs === null ? null : Math.round(intervalMs * 1000) / 1000,
    total: { count: total, errors: latency ? errors : null, perSecond: intervalMs === null ? null : ratePerSecond(prevTotal, BigInt(total), intervalMs) },
    syscalls,
    categories,
    processes: processes(cur.table, latency, o.topProcesses),
    filter: o.filter,
    kernel: cur.kernel,
    unavailable,
  };
}

function processes(table: Reading['table'], latency: boolean, cap: number): ProcessSyscallRecord[] {
  const byPid = new Map<number, ProcessSyscallRecord & { bySyscall: NonNullable<ProcessSyscallRecord['bySyscall']> }>();
  for (const e of table) {
    let p = byPid.get(e.tgid);
    if (!p) {
      p = { pid: e.tgid, comm: null, count: 0, errors: latency ? 0 : null, totalNs: latency ? 0 : null, readCalls: null, writeCalls: null, current: null, bySyscall: [] };
      byPid.set(e.tgid, p);
    }
    const count = Number(e.count);
    p.count = (p.count ?? 0) + count;
    if (latency) {
      p.errors = (p.errors ?? 0) + Number(e.errors);
      p.totalNs = (p.totalNs ?? 0) + Number(e.totalNs);
    }
    p.bySyscall.push({ id: e.id, name: syscallName(e.id), count, errors: latency ? Number(e.errors) : null, totalNs: latency ? Number(e.totalNs) : null });
  }
  const all = [...byPid.values()].sort((a, b) => (b.count ?? 0) - (a.count ?? 0) || a.pid - b.pid).slice(0, cap);
  for (const p of all) p.bySyscall.sort((a, b) => b.count - a.count || a.id - b.id);
  return all;
}
