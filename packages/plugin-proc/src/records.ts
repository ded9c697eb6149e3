import type { ContainerIdentity } from './procfs/container-id.js';
import type { PidIo } from './procfs/parse-pid-io.js';
import type { CgroupMembership } from './procfs/parse-pid-cgroup.js';

/** Fields of a {@link ProcessRecord} that can be absent; the reason is in {@link ProcessRecord.unavailable}. */
export type ProcessField = 'io' | 'cgroups' | 'cgroupId' | 'container' | 'startTime';

/** Kernel threads (`PF_KTHREAD` set) or user processes. */
export type ProcessCategory = 'kernel' | 'user';

/**
 * One process as procfs shows it: /proc/&lt;pid&gt;/stat, status, io and cgroup read
 * together. Times are seconds, sizes bytes. A `null` field could not be read; the reason
 * is in {@link ProcessRecord.unavailable}.
 */
export interface ProcessRecord {
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
  /** User-mode CPU time since the process started, seconds. */
  userSeconds: number;
  /** Kernel-mode CPU time since the process started, seconds. */
  systemSeconds: number;
  /** Resident set size, bytes (stat's rss × page size). */
  rssBytes: number;
  /** Virtual memory size, bytes. */
  vsizeBytes: number;
  /** Minor page faults since the process started. */
  minorFaults: number;
  /** Major page faults since the process started. */
  majorFaults: number;
  /** Voluntary context switches; null on kernels before 2.6.23. */
  voluntaryCtxtSwitches: number | null;
  /** Involuntary context switches; null on kernels before 2.6.23. */
  nonvoluntaryCtxtSwitches: number | null;
  /** Bytes the process caused to be read from storage (io `read_bytes`); null when io is unavailable. */
  ioReadBytes: number | null;
  /** Bytes the process caused to be written to storage (io `write_bytes`); null when io is unavailable. */
  ioWriteBytes: number | null;
  /** The whole /proc/&lt;pid&gt;/io; null when unavailable (another user's process without root: EACCES). */
  io: PidIo | null;
  /** The process's cgroup v2 path (its `0::` line); null on a cgroup-v1-only system or when cgroup is unavailable. */
  cgroupPath: string | null;
  /**
   * The cgroup v2 ID: the inode number of the cgroup's directory in the v2 hierarchy, the
   * value `bpf_get_current_cgroup_id()` returns. Null without a sysfs root, without a v2
   * hierarchy, or when the directory is gone.
   */
  cgroupId: number | null;
  /** Every line of /proc/&lt;pid&gt;/cgroup; null when unavailable. */
  cgroups: CgroupMembership[] | null;
  /** The container (and pod) found in the cgroup paths; null when the process is in none, or when cgroup is unavailable. */
  container: ContainerIdentity | null;
  /** Why each null field is absent. */
  unavailable: Partial<Record<ProcessField, string>>;
}
