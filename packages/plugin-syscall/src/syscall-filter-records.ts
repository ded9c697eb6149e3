import type { FilterRecord } from '@bpfscope/core';
import type { SyscallMetrics } from './records.js';

/**
 * The engine's user-space filter over syscall data: a per-syscall row is matched on
 * `syscallId` and `syscallCount` (its count), a process row on `pid`, `comm` (when known)
 * and `syscallCount` (its count, when measured). Totals and categories are left as
 * counted: they sum what the kernel filter let through. @internal
 */
export function filterSyscallRecords(data: SyscallMetrics, keep: (record: FilterRecord) => boolean): SyscallMetrics {
  return {
    ...data,
    syscalls: data.syscalls.filter((s) => keep({ syscallId: s.id, syscallCount: s.count })),
    processes: data.processes.filter((p) => keep({ pid: p.pid, ...(p.comm !== null ? { comm: p.comm } : {}), ...(p.count !== null ? { syscallCount: p.count } : {}) })),
  };
}
