import { readFileSync } from 'node:fs';
import type { FilterRecord } from '@bpfscope/core';
import type { SyscallMetrics } from './records.js';

/** Parent pid from /proc/<pid>/stat, or null when the process is gone. */
function parentOf(procRoot: string, pid: number): number | null {
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The ancestors of a live process, parent first; undefined when it is gone (the record then passes). */
function ancestors(procRoot: string, pid: number): number[] | undefined {
  const out: number[] = [];
  let p = parentOf(procRoot, pid);
  if (p === null) return undefined;
  while (p !== null && p > 0 && out.length < 4096) {
    out.push(p);
    p = p === 1 ? null : parentOf(procRoot, p);
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
  return {
    ...data,
    syscalls: data.syscalls.filter((s) => keep({ syscallId: s.id, syscallCategory: s.category, syscallCount: s.count })),
    processes: data.processes.filter((p) => {
      const record: FilterRecord = { pid: p.pid, ...(p.comm !== null ? { comm: p.comm } : {}), ...(p.count !== null ? { syscallCount: p.count } : {}) };
      let chain: number[] | undefined | null = null;
      Object.defineProperty(record, 'ancestors', { enumerable: true, get: () => (chain === null ? (chain = ancestors(procRoot, p.pid)) : chain) });
      return keep(record);
    }),
  };
}
