import { ConfigError } from '@bpfscope/core';
import type { SyscallFilterState } from './records.js';
import { syscallNumber } from './syscall-table.js';

/** A filter as users write it: PIDs, and syscalls by number or name. null or absent = all. */
export interface SyscallFilter {
  /** Count only these processes (and, with `followForks`, their descendants). */
  pids?: readonly number[] | null;
  /** Count only these calls, by x86_64 number or name (`openat`). */
  syscalls?: ReadonlyArray<number | string> | null;
}

/**
 * Validate a filter and resolve names to numbers.
 * @throws {@link ConfigError} naming the bad PID or call
 * @internal
 */
export function normalizeFilter(filter: SyscallFilter, at = 'families.syscall'): SyscallFilterState {
  const pids = filter.pids === undefined || filter.pids === null ? null : filter.pids.map((p, i) => {
    if (!Number.isInteger(p) || p <= 0 || p > 4_194_304) throw new ConfigError(`${at}.pids[${i}]`, p, 'a process ID from 1 to 4194304');
    return p;
  });
  const syscalls = filter.syscalls === undefined || filter.syscalls === null ? null : filter.syscalls.map((s, i) => {
    const nr = typeof s === 'number' ? s : syscallNumber(s);
    if (nr === null || !Number.isInteger(nr) || nr < 0 || nr >= 512) {
      throw new ConfigError(`${at}.syscalls[${i}]`, s, 'an x86_64 system call name (e.g. "openat") or number from 0 to 511');
    }
    return nr;
  });
  return { pids: pids ? [...new Set(pids)] : null, syscalls: syscalls ? [...new Set(syscalls)].sort((a, b) => a - b) : null };
}
