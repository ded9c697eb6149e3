import { decodeCString } from '@bpfscope/native';
import { cputimeAdjust } from '../cpu-time.js';
import { u64, type ProcLayouts } from '../ebpf/layouts.js';

/**
 * A process's totals at its end, from the kernel's exit hook: every thread's counters
 * summed. CPU times are exact up to the scheduler's last update of the exiting thread
 * (the slice in progress at exit, under one scheduler tick, is not in them).
 */
export interface ExitTotals {
  /** Exact CPU time (sum_exec_runtime of all threads), seconds. */
  runtimeSeconds: number;
  /** User-mode CPU time, seconds, scaled like procfs so that user + system = runtime. */
  userSeconds: number;
  /** Kernel-mode CPU time, seconds, scaled like `userSeconds`. */
  systemSeconds: number;
  /** Minor page faults. */
  minorFaults: number;
  /** Major page faults. */
  majorFaults: number;
  /** Bytes read by read-class system calls. Like /proc/&lt;pid&gt;/io, the I/O counters include the children this process reaped (the kernel adds theirs at wait()). */
  rchar: number;
  /** Bytes passed to write-class system calls (children reaped included). */
  wchar: number;
  /** Bytes the process caused to be read from storage (children reaped included). */
  readBytes: number;
  /** Bytes the process caused to be written to storage (children reaped included). */
  writeBytes: number;
  /** Peak resident set over the process's life, bytes (getrusage's `ru_maxrss`, all its address spaces). */
  peakRssBytes: number;
}

/** Fields every process event has. */
export interface ProcessEventBase {
  /** The process (thread-group ID). */
  pid: number;
  /** Its parent (fork: the new process's real parent). */
  ppid: number;
  /** Command name after the event (exec: the new program's). */
  comm: string;
  /** When it happened, ms since the Unix epoch (eBPF: the kernel's monotonic clock mapped to wall time; procfs: when a scan noticed it). */
  time: number;
  /** The process's cgroup v2 ID, or null when not known (procfs source). */
  cgroupId: number | null;
  /** How the event was seen: by a kernel hook (or the kernel's task iterator), or by comparing two procfs scans. */
  observed: 'ebpf' | 'procfs-scan';
  /**
   * Where the event came from: `ebpf` (the proc object's hooks and task iterator) or
   * `procfs` (the proc family's procfs source polling /proc, or a process the task
   * iterator did not reach, read from /proc). A procfs event misses what happens between
   * two polls: processes that start and end between them, exec, and exit status and totals.
   */
  source: 'ebpf' | 'procfs';
  /**
   * How many events of its kind this one stands for: its kernel sampling weight (10 for an
   * event a 1-in-10 kernel uniform kept; 1 when nothing sampled it). Absent on procfs events.
   * `stream.weightOf(e)` multiplies it by the user-space sampler's.
   */
  weight?: number;
}

/** A new process (not a new thread). */
export interface ForkEvent extends ProcessEventBase {
  /** Discriminant. */
  type: 'fork';
}

/** A process ran execve(). Never given by the procfs source (a changed comm is not proof of an exec: prctl can set it). */
export interface ExecEvent extends ProcessEventBase {
  /** Discriminant. */
  type: 'exec';
}

/** A process ended: its last thread exited. */
export interface ExitEvent extends ProcessEventBase {
  /** Discriminant. */
  type: 'exit';
  /** The status word as wait() reports it; null when not observed (procfs). */
  exitCode: number | null;
  /** The exit status (0–255) when the process called exit; null when a signal ended it or unknown. */
  exitStatus: number | null;
  /** The signal that ended it; null when it exited normally or unknown. */
  signal: number | null;
  /** Totals at its end; null when not observed (procfs fallback), with {@link ExitEvent.totalsUnavailable}. */
  totals: ExitTotals | null;
  /** Why `totals` is null. */
  totalsUnavailable?: string;
}

/**
 * A process alive when the stream started (the `initial` option of proc events): one per
 * process that matches the stream's filter, all of them before any live event, so that a
 * consumer building a tree starts complete. `time` is when the state was read.
 */
export interface PresentEvent extends ProcessEventBase {
  /** Discriminant. */
  type: 'present';
  /** Start, ms since the epoch; null when the boot time could not be read (reason in {@link PresentEvent.startTimeUnavailable}). */
  startTime: number | null;
  /** Why `startTime` is null. */
  startTimeUnavailable?: string;
  /** True when it had already exited and waited to be reaped (a zombie). */
  zombie: boolean;
}

/** A process lifecycle event. */
export type ProcessEvent = ForkEvent | ExecEvent | ExitEvent | PresentEvent;

/** The kinds of {@link ProcessEvent}. */
export type ProcessEventType = ProcessEvent['type'];

/** The kinds of live events (those `types` selects); `present` comes only with `initial`. */
export type LiveProcessEventType = Exclude<ProcessEventType, 'present'>;

/** Maps the kernel's CLOCK_MONOTONIC ns (bpf_ktime_get_ns) to ms since the epoch; Node's hrtime is the same clock. @internal */
export function monotonicToEpochMs(): (ns: number) => number {
  const offset = Date.now() - Number(process.hrtime.bigint()) / 1e6;
  return (ns) => offset + ns / 1e6;
}

/**
 * Decode the `struct proc_ev` at byte `at` of a ring batch, reading its fields straight from
 * the batch's buffer (no view or copy per record).
 * @param v - a view over the batch's buffer (`batch.view`)
 * @param bytes - the same buffer as bytes
 * @param at - where the record starts (`batch.offset(i)`)
 * @returns the event, or null for an unknown type (a newer object)
 * @internal
 */
export function decodeProcEventAt(v: DataView, bytes: Uint8Array, at: number, layouts: ProcLayouts, toEpochMs: (ns: number) => number, pageSize: number): ProcessEvent | null {
  const o = layouts.event;
  const type = v.getUint32(at + o.type, true);
  const base = {
    pid: v.getUint32(at + o.pid, true),
    ppid: v.getUint32(at + o.ppid, true),
    comm: decodeCString(bytes, at + o.comm, 16),
    time: toEpochMs(u64(v, at + o.ts_ns)),
    cgroupId: u64(v, at + o.cgroup_id),
    weight: u64(v, at + o.weight),
    observed: 'ebpf' as const,
    source: 'ebpf' as const,
  };
  if (type === 1) return { type: 'fork', ...base };
  if (type === 2) return { type: 'exec', ...base };
  if (type !== 3) return null;
  const code = v.getInt32(at + o.exit_code, true);
  const rt = u64(v, at + o.runtime_ns);
  const t = cputimeAdjust(u64(v, at + o.utime_ns), u64(v, at + o.stime_ns), rt, { utime: 0, stime: 0 });
  const sig = code & 0x7f;
  return {
    type: 'exit',
    ...base,
    exitCode: code,
    exitStatus: sig === 0 ? (code >> 8) & 0xff : null,
    signal: sig === 0 ? null : sig,
    totals: {
      runtimeSeconds: rt / 1e9,
      userSeconds: t.utime / 1e9,
      systemSeconds: t.stime / 1e9,
      minorFaults: u64(v, at + o.min_flt),
      majorFaults: u64(v, at + o.maj_flt),
      rchar: u64(v, at + o.rchar),
      wchar: u64(v, at + o.wchar),
      readBytes: u64(v, at + o.read_bytes),
      writeBytes: u64(v, at + o.write_bytes),
      peakRssBytes: u64(v, at + o.hiwater_rss_pages) * pageSize,
    },
  };
}
