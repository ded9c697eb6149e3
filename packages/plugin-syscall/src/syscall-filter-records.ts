import type { FilterRecord } from '@bpfscope/core';
import { parentOf } from './procfs/read-descendants.js';
import type { SyscallMetrics } from './records.js';

/**
 * The ancestors of a live process, parent first; undefined when it is gone (the record then
 * passes). `parents` holds the parent ids read in this filtering, so an ancestor shared by
 * many rows (the shell, init) is read once.
 */
function ancestors(procRoot: string, pid: number, parents: Map<number, number | null>): number[] | undefined {
  const parent = (q: number): number | null => {
    let v = parents.get(q);
    if (v === undefined) parents.set(q, (v = parentOf(procRoot, q)));
    return v;
  };
  const out: number[] = [];
  let p = parent(pid);
  if (p === null) return undefined;
  while (p !== null && p > 0 && out.length < 4096) {
    out.push(p);
    p = p === 1 ? null : parent(p);
  }
  return out;
}

/**
 * The engine's user-space filter over syscall data: a per-syscall row is matched on
 * `syscallId`, `syscallCategory` and `syscallCount` (its count), a process row on `pid`,
 * `ancestors` (read from procfs only when a `descendantsOf` part asks), `comm` (when known)
 * and `syscallCount` (its count, when measured). Totals and categories are left as
 * counted: they sum what the kernel filter let through. @internal
 */
export function filterSyscallRecords(data: SyscallMetrics, keep: (record: FilterRecord) => boolean, procRoot = '/proc'): SyscallMetrics {
  const parents = new Map<number, number | null>();
  return {
    ...data,
    syscalls: data.syscalls.filter((s) => keep({ syscallId: s.id, syscallCategory: s.category, syscallCount: s.count })),
    processes: data.processes.filter((p) => {
      const record: FilterRecord = { pid: p.pid, ...(p.comm !== null ? { comm: p.comm } : {}), ...(p.count !== null ? { syscallCount: p.count } : {}) };
      let chain: number[] | undefined | null = null;
      Object.defineProperty(record, 'ancestors', { enumerable: true, get: () => (chain === null ? (chain = ancestors(procRoot, p.pid, parents)) : chain) });
      return keep(record);
    }),
  };
}
