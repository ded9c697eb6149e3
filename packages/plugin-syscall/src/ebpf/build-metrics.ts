import { IntIndex, ratePerSecond, topKIndices, type Log2Histogram } from '@bpfscope/core';
import type { CategoryStat, ProcessSyscallRecord, SyscallFilterState, SyscallMetrics, SyscallMode, SyscallStat } from '../records.js';
import { SYSCALL_CATEGORY_NAMES, type SyscallCategory } from '../syscall-category.js';
import { syscallCategory, syscallName } from '../syscall-table.js';
import { SC_MAX_SYSCALLS } from './syscall-maps.js';
import type { ProcessTable, SyscallCounts } from './syscall-read.js';

/** One reading of the kernel maps; `counts` and `table` are the reader's arrays, valid until its next reading; `table` is null without per-process detail. @internal */
export interface Reading {
  at: number;
  counts: SyscallCounts;
  hist: Map<number, Log2Histogram>;
  table: ProcessTable | null;
  kernel: { invocations: number; drops: number; filterHits: number; filterMisses: number };
}

/** What build-metrics keeps of the previous reading. @internal */
export interface PreviousReading {
  at: number;
  total: number;
}

/** A process record given out, given out again while nothing of it changes. @internal */
export interface KeptProcess {
  rec: ProcessSyscallRecord;
  /** Its (process, syscall) rows. */
  rows: number;
  generation: number;
}

/**
 * What a source keeps of its process records between readings, and where names come from.
 * Counters only grow, so a process whose totals and number of rows are those of its
 * record has the same calls: the record (frozen) is given out again.
 * @internal
 */
export interface ProcessRecords {
  kept: Map<number, KeptProcess>;
  generation: number;
  /**
   * The command name of a listed process now, or null.
   * @param goneBefore - whether its kept record has no name (it had exited, most often)
   */
  comm(pid: number, goneBefore: boolean): string | null;
}

/** Why a reading lists no process when per-process detail is off. @internal */
export const PROCESSES_OFF = 'per-process detail is off; enable it with the syscall plugin option `processes: true` (or config.families.syscall.processes) at its cost per call (plugin README)';

const COUNTS_ONLY = 'counts-only mode attaches no sys_exit program: errors and latency need the return (use mode "latency")';

/** Turn a reading into the family's record. @internal */
export function buildMetrics(cur: Reading, prev: PreviousReading | null, o: { mode: SyscallMode; degraded?: string; since: string; filter: SyscallFilterState; topProcesses: number; records?: ProcessRecords }): SyscallMetrics {
  const latency = o.mode === 'latency';
  const syscalls: SyscallStat[] = [];
  const categories = Object.fromEntries(SYSCALL_CATEGORY_NAMES.map((c) => [c, { count: 0, errors: latency ? 0 : null }])) as Record<SyscallCategory, CategoryStat>;
  let total = 0;
  let errors = 0;
  const c = cur.counts;
  for (let id = 0; id < SC_MAX_SYSCALLS; id++) {
    const count = c.count[id]!;
    if (count === 0) continue;
    const callErrors = c.errors[id]!;
    const hist = cur.hist.get(id) ?? null;
    // A number the table lacks is of an unknown kind, not `other` (a call the table lists).
    const category = syscallCategory(id) ?? 'unknown';
    const returned = hist?.count ?? 0;
    syscalls.push({
      id, name: syscallName(id), category, count,
      errors: latency ? callErrors : null,
      totalNs: latency ? c.totalNs[id]! : null,
      avgNs: latency && returned > 0 ? c.totalNs[id]! / returned : null,
      latency: latency ? hist : null,
    });
    total += count;
    errors += callErrors;
    categories[category].count += count;
    if (latency) categories[category].errors = (categories[category].errors ?? 0) + callErrors;
  }
  syscalls.sort((a, b) => b.count - a.count || a.id - b.id);
  const prevTotal = prev ? prev.total : null;
  const intervalMs = prev ? cur.at - prev.at : null;
  const unavailable: SyscallMetrics['unavailable'] = {
    readWriteCalls: 'read-class and write-class totals come from /proc/<pid>/io in the procfs source; the eBPF source counts each call by number instead',
  };
  if (!latency) {
    // Degraded by the overhead governor: its reason, so that the gap says why.
    const why = o.degraded ? `the overhead governor switched to counts-only mode: ${o.degraded}` : COUNTS_ONLY;
    unavailable.errors = why;
    unavailable.latency = why;
  }
  if (cur.table === null) unavailable.processes = PROCESSES_OFF;
  return {
    mode: o.mode,
    countersSince: o.since,
    intervalMs: intervalMs === null ? null : Math.round(intervalMs * 1000) / 1000,
    total: { count: total, errors: latency ? errors : null, perSecond: intervalMs === null ? null : ratePerSecond(prevTotal, total, intervalMs) },
    syscalls,
    categories,
    processes: cur.table === null ? [] : processes(cur.table, latency, o.topProcesses, o.records),
    filter: o.filter,
    kernel: cur.kernel,
    unavailable,
  };
}

/** Scratch of {@link processes}, kept from reading to reading (it runs synchronously: no two calls share it at once). */
type F64 = Float64Array<ArrayBuffer>;
const scratch: { slotOf: IntIndex; pid: F64; count: F64; errors: F64; totalNs: F64; rows: F64; top: Int32Array; rank: Int32Array } = {
  slotOf: new IntIndex(256), pid: new Float64Array(256), count: new Float64Array(256), errors: new Float64Array(256), totalNs: new Float64Array(256),
  rows: new Float64Array(256), top: new Int32Array(64), rank: new Int32Array(256),
};

const fit = (a: F64, n: number): F64 => (a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2)));

/**
 * The `cap` processes with the most calls (ties: lower pid first), each with its calls.
 * Totals per process are summed in typed arrays; records are built for the top list only.
 */
function processes(t: ProcessTable, latency: boolean, cap: number, records?: ProcessRecords): ProcessSyscallRecord[] {
  const s = scratch;
  s.slotOf.clear();
  s.pid = fit(s.pid, t.rows);
  s.count = fit(s.count, t.rows);
  s.errors = fit(s.errors, t.rows);
  s.totalNs = fit(s.totalNs, t.rows);
  s.rows = fit(s.rows, t.rows);
  for (let r = 0; r < t.rows; r++) {
    const pid = t.tgid[r]!;
    const n = s.slotOf.size;
    const p = s.slotOf.add(pid);
    if (p === n) {
      s.pid[p] = pid;
      s.count[p] = s.errors[p] = s.totalNs[p] = s.rows[p] = 0;
    }
    s.count[p]! += t.count[r]!;
    s.errors[p]! += t.errors[r]!;
    s.totalNs[p]! += t.totalNs[r]!;
    s.rows[p]!++;
  }
  const n = s.slotOf.size;
  if (s.top.length < cap) s.top = new Int32Array(cap);
  const { pid, count } = s;
  const kept = topKIndices(n, Math.min(cap, n), (a, b) => count[a]! > count[b]! || (count[a] === count[b] && pid[a]! < pid[b]!), s.top);
  const out: ProcessSyscallRecord[] = [];
  if (s.rank.length < n) s.rank = new Int32Array(Math.max(n, s.rank.length * 2));
  s.rank.fill(-1, 0, n);
  const gen = records === undefined ? 0 : ++records.generation;
  let built = 0;
  for (let i = 0; i < kept; i++) {
    const p = s.top[i]!;
    const pid = s.pid[p]!;
    const [count, errors, totalNs] = [s.count[p]!, latency ? s.errors[p]! : null, latency ? s.totalNs[p]! : null];
    const k = records?.kept.get(pid);
    const comm = records === undefined ? null : records.comm(pid, k !== undefined && k.rec.comm === null);
    if (k !== undefined && k.rows === s.rows[p] && k.rec.count === count && k.rec.errors === errors && k.rec.totalNs === totalNs && k.rec.comm === comm) {
      k.generation = gen;
      out.push(k.rec);
      continue;
    }
    s.rank[p] = i;
    built++;
    out.push({ pid, comm, count, errors, totalNs, readCalls: null, writeCalls: null, current: null, bySyscall: [] });
  }
  for (let r = 0; r < t.rows && built > 0; r++) {
    const i = s.rank[s.slotOf.get(t.tgid[r]!)]!;
    if (i < 0) continue;
    const id = t.id[r]!;
    out[i]!.bySyscall!.push({ id, name: syscallName(id), count: t.count[r]!, errors: latency ? t.errors[r]! : null, totalNs: latency ? t.totalNs[r]! : null });
  }
  for (let i = 0; i < kept && built > 0; i++) {
    const p = s.top[i]!;
    if (s.rank[p]! < 0) continue;
    const rec = out[i]!;
    rec.bySyscall!.sort((a, b) => b.count - a.count || a.id - b.id);
    if (records === undefined) continue;
    for (const c of rec.bySyscall!) Object.freeze(c);
    Object.freeze(rec.bySyscall);
    records.kept.set(rec.pid, { rec: Object.freeze(rec), rows: s.rows[p]!, generation: gen });
  }
  // Forget the processes this reading did not list.
  if (records !== undefined && records.kept.size > kept) for (const [pid, k] of records.kept) if (k.generation !== gen) records.kept.delete(pid);
  return out;
}
