import type { Log2Histogram } from '@bpfscope/core';
import type { CurrentSyscall } from './procfs/parse-pid-syscall.js';
import type { SyscallCategory } from './syscall-category.js';

/** How the syscall family measures. */
export type SyscallMode = 'latency' | 'counts';

/** One system call's figures, counting from {@link SyscallMetrics.countersSince}. */
export interface SyscallStat {
  /** x86_64 system call number. */
  id: number;
  /** Name from the x86_64 table, or null for a number it does not have. */
  name: string | null;
  /** Category of the call (`unknown` for numbers the table does not have). */
  category: SyscallCategory;
  /** Calls made. */
  count: number;
  /** Calls that returned an error (-4095..-1); null in counts-only mode. */
  errors: number | null;
  /** Time from entry to return summed over the calls, ns; null in counts-only mode. */
  totalNs: number | null;
  /** totalNs / calls that returned, ns; null in counts-only mode or before a call returned. */
  avgNs: number | null;
  /** Latency distribution in ns; null in counts-only mode. */
  latency: Log2Histogram | null;
}

/** One system call as made by one process. */
export interface ProcessCallStat {
  /** x86_64 system call number. */
  id: number;
  /** Its name, or null for a number the table does not have. */
  name: string | null;
  /** Calls made. */
  count: number;
  /** Calls that returned an error; null in counts-only mode. */
  errors: number | null;
  /** Time in the call, ns; null in counts-only mode. */
  totalNs: number | null;
}

/** Totals over all counted calls. */
export interface SyscallTotals {
  /** Calls made; null in procfs mode. */
  count: number | null;
  /** Calls that returned an error; null in counts-only and procfs modes. */
  errors: number | null;
  /** Calls per second over the last interval; null on the first reading or in procfs mode. */
  perSecond: number | null;
}

/** Counters the eBPF programs keep about themselves. */
export interface SyscallKernelStats {
  /** Program runs. */
  invocations: number;
  /** Calls a kernel filter let through. */
  filterHits: number;
  /** Calls a kernel filter refused. */
  filterMisses: number;
  /** Entries lost because a map was full (counted, never silent). */
  drops: number;
}

/** One process's system calls. Fields a source cannot measure are null (reasons in {@link SyscallMetrics.unavailable}). */
export interface ProcessSyscallRecord {
  /** Process ID (tgid). */
  pid: number;
  /** Command name from /proc/&lt;pid&gt;/comm at the reading; null when the process has exited. */
  comm: string | null;
  /**
   * Calls made by all its threads (eBPF). In counts-only mode a CPU that moves its run of
   * calls into the per-process table while a reading is taken leaves that run out of the
   * reading (never counted twice): it shows in the next one.
   */
  count: number | null;
  /** Calls that returned an error (eBPF, latency mode). */
  errors: number | null;
  /** Time spent in calls, ns (eBPF, latency mode). */
  totalNs: number | null;
  /** Read-class calls since the process started, from /proc/&lt;pid&gt;/io syscr (procfs). */
  readCalls: number | null;
  /** Write-class calls since the process started, from /proc/&lt;pid&gt;/io syscw (procfs). */
  writeCalls: number | null;
  /** The call its main thread is in now, from /proc/&lt;pid&gt;/syscall (procfs). */
  current: CurrentSyscall | null;
  /** Per call made by this process, largest count first (eBPF). */
  bySyscall: ProcessCallStat[] | null;
}

/** Calls and errors of one category. */
export interface CategoryStat {
  /** Calls made. */
  count: number;
  /** Calls that returned an error; null in counts-only mode. */
  errors: number | null;
}

/** The filters in force. null means "no filter". */
export interface SyscallFilterState {
  /** Processes counted (with followForks, their descendants join). */
  pids: number[] | null;
  /** System call numbers counted. */
  syscalls: number[] | null;
}

/** The `syscall` family's data. */
export interface SyscallMetrics {
  /** `latency` or `counts` (eBPF), or `procfs`. */
  mode: SyscallMode | 'procfs';
  /** ISO time from which the counters count (program attach for eBPF; each process's start for procfs). */
  countersSince: string;
  /** Time since the previous reading, ms; null on the first. */
  intervalMs: number | null;
  /** All counted calls. count is null in procfs mode. */
  total: SyscallTotals;
  /** Calls with a non-zero count, largest first; empty in procfs mode. */
  syscalls: SyscallStat[];
  /** Totals per category; null in procfs mode. */
  categories: Record<SyscallCategory, CategoryStat> | null;
  /**
   * Processes, largest count first, at most `topProcesses`. Empty with the eBPF source
   * unless its per-process detail is on (the plugin's `processes` option; the reason is in
   * `unavailable.processes`).
   */
  processes: ProcessSyscallRecord[];
  /** The filters in force. */
  filter: SyscallFilterState;
  /** Kernel-side counters of the eBPF programs; null in procfs mode. */
  kernel: SyscallKernelStats | null;
  /** Fields this source cannot measure, with the reason. */
  unavailable: Partial<Record<'syscalls' | 'categories' | 'errors' | 'latency' | 'processCounts' | 'processes' | 'readWriteCalls', string>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    syscall: SyscallMetrics;
  }
}
