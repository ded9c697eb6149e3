import type { SourceKind } from '@bpfscope/core';
import type { ContainerIdentity } from './procfs/container-id.js';
import type { PidIo } from '@bpfscope/core';
import type { CgroupMembership } from './procfs/parse-pid-cgroup.js';

/** Fields of a {@link ProcessRecord} that can be absent; the reason is in {@link ProcessRecord.unavailable}. */
export type ProcessField = 'io' | 'cgroups' | 'cgroupPath' | 'cgroupId' | 'container' | 'startTime' | 'runtime' | 'mountNamespace' | 'netNamespace';

/** Kernel threads (`PF_KTHREAD` set) or user processes. */
export type ProcessCategory = 'kernel' | 'user';

/**
 * One process, the same record from both sources: procfs (/proc/&lt;pid&gt;/stat, status,
 * io and cgroup read together) and eBPF (the task iterator, all threads of the process
 * summed). Times are seconds, sizes bytes. A `null` field could not be read; the reason
 * is in {@link ProcessRecord.unavailable}.
 */
export interface ProcessRecord {
  /**
   * Where the record's fields came from: `ebpf` (the task iterator; startTime and cgroup
   * paths as {@link ProcMetrics.fieldSources} says) or `procfs` (every field from
   * /proc/&lt;pid&gt;: the procfs source, or a process the task iterator did not reach,
   * see {@link ProcMetrics.filledFromProcfs}).
   */
  source: SourceKind;
  /** Process ID. */
  pid: number;
  /** Parent process ID (0 for PID 1 and kthreadd). */
  ppid: number;
  /** Command name (`task->comm`, at most 15 bytes; may hold spaces and parentheses). */
  comm: string;
  /** One-letter scheduler state from stat (`R`, `S`, `D`, `Z`, `T`, `I`, ...). */
  state: string;
  /** Real user ID (status `Uid:` first column). */
  uid: number;
  /** Effective user ID (status `Uid:` second column). */
  euid: number;
  /** Nice value, -20 to 19. */
  nice: number;
  /** Kernel priority from stat field 18 (20 + nice for normal tasks, -2 to -100 for real-time ones). */
  priority: number;
  /** Threads in the process. */
  threads: number;
  /** `kernel` when stat's flags have `PF_KTHREAD`, else `user`. */
  category: ProcessCategory;
  /** Start time, seconds after boot. */
  startSecondsSinceBoot: number;
  /** Start time, seconds since the Unix epoch (boot time + start after boot); null when the boot time could not be read. */
  startTime: number | null;
  /**
   * User-mode CPU time since the process started (all its threads, live and exited),
   * seconds. The kernel samples user and system time at ticks; like procfs
   * (`cputime_adjust()`), both sources report them scaled so that user + system equals
   * the exact scheduler runtime, split in the sampled ratio and never decreasing
   * between readings.
   */
  userSeconds: number;
  /** Kernel-mode CPU time since the process started, seconds, scaled as {@link ProcessRecord.userSeconds}. */
  systemSeconds: number;
  /**
   * Exact CPU time of the process (the scheduler's `sum_exec_runtime` of all its threads,
   * ns resolution), seconds. eBPF only: procfs has no whole-process runtime (null, with
   * the reason).
   */
  runtimeSeconds: number | null;
  /**
   * CPU use over the interval since the collector's previous reading, percent of one CPU
   * (200 = two CPUs busy): the change in user + system time over the wall time. Null on
   * the first reading, for a process that started since, and from {@link readProcess}
   * (one reading has no interval).
   */
  cpuPercent: number | null;
  /** Resident set size, bytes: exact, as VmRSS of /proc/&lt;pid&gt;/status (not stat's approximate rss). */
  rssBytes: number;
  /** Virtual memory size, bytes. */
  vsizeBytes: number;
  /** Minor page faults since the process started. */
  minorFaults: number;
  /** Major page faults since the process started. */
  majorFaults: number;
  /** Voluntary context switches of the main thread (as /proc/&lt;pid&gt;/status shows them); null on kernels before 2.6.23. */
  voluntaryCtxtSwitches: number | null;
  /** Involuntary context switches of the main thread; null on kernels before 2.6.23. */
  nonvoluntaryCtxtSwitches: number | null;
  /** Bytes the process caused to be read from storage (io `read_bytes`); null when io is unavailable. */
  ioReadBytes: number | null;
  /** Bytes the process caused to be written to storage (io `write_bytes`); null when io is unavailable. */
  ioWriteBytes: number | null;
  /**
   * The I/O counters of /proc/&lt;pid&gt;/io (all threads, and the children the process
   * has reaped: the kernel adds theirs at wait()); null when unavailable (another user's
   * process without root: EACCES).
   */
  io: PidIo | null;
  /**
   * The process's cgroup v2 path (its `0::` line; eBPF: the path of its default-hierarchy
   * cgroup in the mounted v2 hierarchy); null on a cgroup-v1-only system or when cgroup
   * is unavailable.
   */
  cgroupPath: string | null;
  /**
   * The cgroup v2 ID: the inode number of the cgroup's directory in the v2 hierarchy, the
   * value `bpf_get_current_cgroup_id()` returns. Null without a sysfs root, without a v2
   * hierarchy, or when the directory is gone.
   */
  cgroupId: number | null;
  /** Every line of /proc/&lt;pid&gt;/cgroup; null when unavailable (always from eBPF, which sees only the v2 cgroup). */
  cgroups: CgroupMembership[] | null;
  /** The container (and pod) found in the cgroup paths; null when the process is in none, or when cgroup is unavailable. */
  container: ContainerIdentity | null;
  /**
   * The mount namespace's inode number, as `readlink /proc/<pid>/ns/mnt` shows it
   * (`mnt:[4026531841]`); eBPF: `nsproxy->mnt_ns->ns.inum` of the process's leader. Null
   * for a process that is exiting (it has left its namespaces) or whose link cannot be
   * read (another user's process without root), with the reason.
   */
  mountNamespace: number | null;
  /** The network namespace's inode number (`/proc/<pid>/ns/net`; eBPF: `nsproxy->net_ns->ns.inum`); null as {@link ProcessRecord.mountNamespace}. */
  netNamespace: number | null;
  /** Why each null field is absent. */
  unavailable: Partial<Record<ProcessField, string>>;
}

/** Fields of {@link ProcMetrics} that a source can take from elsewhere or not measure at all. */
export type ProcMetricField = ProcessField | 'voluntaryCtxtSwitches' | 'nonvoluntaryCtxtSwitches' | 'cpuPercent' | 'vanished';

/** The `proc` family's data: the process table. */
export interface ProcMetrics {
  /**
   * ISO time from which the per-process counters count: boot (each process counts from its
   * own start); null when the boot time is unknown (the reason is in `unavailable.startTime`).
   */
  countersSince: string | null;
  /** Wall time between this reading and the previous one, ms, which `cpuPercent` covers; null on the first reading. */
  intervalMs: number | null;
  /** Processes in the table before the filters (with a `pids` option: those of the listed PIDs that exist). */
  total: number;
  /** Processes that passed the filters, before the top-K cap. */
  matched: number;
  /** The processes that passed the filters, in PID order, or the top K by the chosen measure, largest first. */
  processes: ProcessRecord[];
  /**
   * Processes that exited while the table was read and were left out (procfs: listed in
   * /proc but gone before their files were read). eBPF: the kernel's task iterator visits
   * each task it reaches once; only processes it missed (see {@link ProcMetrics.filledFromProcfs})
   * that exited before procfs was read count here.
   */
  vanished: number;
  /**
   * eBPF: processes /proc lists but the kernel's task iterator did not reach (a PID 1 that
   * is not its own session leader, as on Firecracker VMs), read from procfs instead: their
   * records have `source: 'procfs'`. Always 0 from the procfs source.
   */
  filledFromProcfs: number;
  /** Processes left out because a file of theirs was malformed (procfs; the error is logged). */
  malformed: number;
  /** Processes left out of the top-K ranking because the measure is unavailable for them (`io` without root). */
  unmeasured: number;
  /** Fields that did not come from the family's source, with where they came from. */
  fieldSources: Partial<Record<ProcMetricField, SourceKind>>;
  /** Fields this source cannot measure for any process, with the reason (per-process reasons are in each record). */
  unavailable: Partial<Record<ProcMetricField, string>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    proc: ProcMetrics;
  }
}
