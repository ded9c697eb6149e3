import type { Log2Histogram, SourceKind } from '@bpfscope/core';

/**
 * Time counters of one CPU (or all together), in seconds, counting from
 * {@link CpuMetrics.countersSince}. `null` means the source cannot measure the field;
 * the reason is in {@link CpuMetrics.unavailable}.
 */
export interface CpuTimeRecord {
  /** Time in user mode (includes guest time, as /proc/stat does). */
  user: number | null;
  /** Time in user mode at positive nice (includes guest_nice). */
  nice: number | null;
  /** Time in kernel mode. */
  system: number | null;
  /**
   * Idle time. In eBPF mode: time the idle task ran, less the hard and soft interrupts
   * it served, at nanosecond resolution; this includes what /proc/stat calls iowait.
   * In procfs mode: /proc/stat's idle (iowait excluded).
   */
  idle: number | null;
  /** Idle time with I/O outstanding (from /proc/stat in both modes). */
  iowait: number | null;
  /** Time in hard interrupt handlers. eBPF: device IRQ handlers (irq_handler_entry/exit). */
  irq: number | null;
  /** Time in softirq handlers. */
  softirq: number | null;
  /** Time the hypervisor ran something else while this CPU wanted to run. */
  steal: number | null;
  /**
   * Busy time. eBPF: wall time a task other than the idle task ran, plus interrupts
   * served while idle. procfs: user + nice + system + irq + softirq + steal.
   */
  busy: number | null;
  /** Busy share of the last interval, 0–100, or null before a second reading exists. */
  busyPercent: number | null;
  /** Context switches (eBPF: per CPU; procfs: only the total, from `ctxt`). */
  contextSwitches: number | null;
}

/** One CPU's record. */
export interface PerCpuRecord extends CpuTimeRecord {
  /** CPU number. */
  cpu: number;
}

/** Load averages from /proc/loadavg. */
export interface LoadAverage {
  /** Runnable plus uninterruptible tasks, exponentially averaged over 1 minute. */
  load1: number;
  /** Runnable plus uninterruptible tasks, exponentially averaged over 5 minutes. */
  load5: number;
  /** Runnable plus uninterruptible tasks, exponentially averaged over 15 minutes. */
  load15: number;
  /** Runnable scheduling entities now. */
  runnable: number;
  /** Scheduling entities that exist. */
  total: number;
}

/** CPU pressure stall information from /proc/pressure/cpu (percent of time, and total µs). */
export interface CpuPressure {
  /** Time in which at least one runnable task waited for a CPU. */
  some: {
    /** Percent of the last 10 s. */
    avg10: number;
    /** Percent of the last 60 s. */
    avg60: number;
    /** Percent of the last 300 s. */
    avg300: number;
    /** Total stall time since boot, µs. */
    totalUs: number;
  };
  /** Time in which all non-idle tasks waited at once (all zeros system-wide), or null when the kernel has no `full` line (before Linux 5.13). */
  full: {
    /** Percent of the last 10 s. */
    avg10: number;
    /** Percent of the last 60 s. */
    avg60: number;
    /** Percent of the last 300 s. */
    avg300: number;
    /** Total stall time since boot, µs. */
    totalUs: number;
  } | null;
}

/** Fields whose source can differ from the record's source. */
export type CpuField = keyof CpuTimeRecord | 'perCpu' | 'loadAverage' | 'pressure' | 'runQueueLatency';

/** The `cpu` family's data. */
export interface CpuMetrics {
  /** ISO time from which the counters count (boot for procfs, program attach for eBPF). */
  countersSince: string;
  /** ISO boot time (`btime` of /proc/stat, whole seconds), from which the PSI totals ({@link CpuPressure}) count. */
  bootTime: string;
  /** Length of the interval that `busyPercent` covers, ms, or null on the first reading. */
  intervalMs: number | null;
  /** All CPUs together. */
  total: CpuTimeRecord;
  /** One record per online CPU (eBPF: per possible CPU with counters, see {@link CpuMetrics.unmeasuredCpus}). */
  perCpu: PerCpuRecord[];
  /**
   * eBPF: possible CPUs without counters, so without a {@link CpuMetrics.perCpu} record —
   * their slot was never written (no context switch seen on them since attach: offline,
   * or never scheduled). Listed, not silently dropped; their time is not in `total`.
   * Always empty from procfs, which lists every online CPU.
   */
  unmeasuredCpus: number[];
  /**
   * Run-queue latency, eBPF only: each wait of a task in a CPU's run queue (from its wake-up,
   * preemption or move to that queue) until it runs, as the scheduler stamps it for
   * /proc/<pid>/schedstat. A wait moved to another CPU's queue counts from its arrival there.
   * Null, with the reason in {@link CpuMetrics.unavailable}, on a kernel without the stamp.
   */
  runQueueLatency: Log2Histogram | null;
  /**
   * ISO time from which {@link CpuMetrics.runQueueLatency} counts: `countersSince`, or the
   * time the overhead governor last gave the run-queue part back after shedding it (its
   * "counts only" level, docs/governor.md); null with the histogram.
   */
  runQueueLatencySince: string | null;
  /** Load averages (procfs in both modes). */
  loadAverage: LoadAverage | null;
  /** CPU pressure (PSI), null when the kernel has none. */
  pressure: CpuPressure | null;
  /** Fields that did not come from the family's source, with where they came from. */
  fieldSources: Partial<Record<CpuField, SourceKind>>;
  /** Fields this source cannot measure, with the reason. They are null above. */
  unavailable: Partial<Record<CpuField, string>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    cpu: CpuMetrics;
  }
}
