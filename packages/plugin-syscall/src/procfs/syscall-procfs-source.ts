import { readdirSync } from 'node:fs';
import { DataUnavailable, type ReadContext, type Source, type SourceContext } from '@bpfscope/core';
import type { ProcessSyscallRecord, SyscallFilterState, SyscallMetrics } from '../records.js';
import { readComm } from './read-comm.js';
import { PROCFS_SYSCALL_UNAVAILABLE, readProcessSyscalls } from './read-process-syscalls.js';

/**
 * The procfs fallback of the syscall family: what procfs really measures per process —
 * read-class and write-class call totals (/proc/&lt;pid&gt;/io) and the current call
 * (/proc/&lt;pid&gt;/syscall). Per-call counts, errors and latency are reported
 * unavailable, never estimated.
 */
export class SyscallProcfsSource implements Source<SyscallMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'syscall-procfs';
  #root = '/proc';
  #filter: SyscallFilterState;
  #prevAt: number | null = null;

  /**
   * @param filter - the initial filter
   * @param topProcesses - how many processes a reading lists
   * @param excludePid - a process left out of every reading (the collector itself); 0: none
   */
  constructor(filter: SyscallFilterState, private readonly topProcesses: number, private readonly excludePid = 0) {
    this.#filter = filter;
  }

  async init(context: SourceContext): Promise<void> {
    this.#root = context.config.procRoot;
    try {
      readdirSync(this.#root);
    } catch (cause) {
      throw new DataUnavailable(this.#root, 'the procfs root cannot be listed', { cause });
    }
    this.#prevAt = performance.now();
  }

  /** Change the PID filter (applied in user space here). @param filter - the new filter */
  async setFilter(filter: SyscallFilterState): Promise<void> {
    this.#filter = filter;
  }

  async read(_context: ReadContext): Promise<SyscallMetrics> {
    const pids = this.#filter.pids ?? readdirSync(this.#root).filter((n) => /^\d+$/.test(n)).map(Number);
    const processes: ProcessSyscallRecord[] = [];
    for (const pid of pids) {
      if (pid === this.excludePid) continue;
      const r = readProcessSyscalls(this.#root, pid);
      if (r.status !== 'ok') continue; // exited while we read: not an error
      const p = r.record;
      processes.push({ pid, comm: null, count: null, errors: null, totalNs: null, readCalls: p.readCalls, writeCalls: p.writeCalls, current: p.current, bySyscall: null });
    }
    const calls = (p: ProcessSyscallRecord): number => (p.readCalls ?? 0) + (p.writeCalls ?? 0);
    processes.sort((a, b) => calls(b) - calls(a) || a.pid - b.pid);
    const at = performance.now();
    const intervalMs = this.#prevAt === null ? null : at - this.#prevAt;
    this.#prevAt = at;
    const listed = processes.slice(0, this.topProcesses);
    for (const p of listed) p.comm = readComm(this.#root, p.pid);
    return {
      mode: 'procfs',
      countersSince: 'process start (each process counts from its own start)',
      intervalMs: intervalMs === null ? null : Math.round(intervalMs * 1000) / 1000,
      total: { count: null, errors: null, perSecond: null },
      syscalls: [],
      categories: null,
      processes: listed,
      filter: this.#filter,
      kernel: null,
      unavailable: {
        syscalls: PROCFS_SYSCALL_UNAVAILABLE.callsBySyscall,
        categories: PROCFS_SYSCALL_UNAVAILABLE.callsBySyscall,
        errors: PROCFS_SYSCALL_UNAVAILABLE.errorsBySyscall,
        latency: 'procfs does not time system calls; latency needs the eBPF source',
        processCounts: 'procfs counts only read-class and write-class calls per process (readCalls, writeCalls), not all calls',
      },
    };
  }

  async close(): Promise<void> {
    this.#prevAt = null;
  }
}
