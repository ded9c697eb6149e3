/** The memory cgroup of an OOM victim. */
export interface VictimMemoryCgroup {
  /** The hierarchy that holds the memory controller. */
  hierarchy: 'v1' | 'v2';
  /** Path relative to that hierarchy's root, e.g. `/bpfscope-test-x`. */
  path: string;
  /**
   * How it was found: `cgroup-id` from the event's memory cgroup ID (the directory of the
   * memory hierarchy with that inode number), or, when that cgroup was already removed,
   * `proc` from /proc/&lt;pid&gt;/cgroup (the victim still existed when the event arrived).
   */
  from: 'proc' | 'cgroup-id';
}

/** Fields of an {@link OomVictim} that can be unavailable. */
export type OomVictimField = 'cgroupV2Path' | 'memoryCgroup' | 'sizes';

/** A process the OOM killer chose (tracepoint oom:mark_victim, eBPF only). */
export interface OomVictim {
  /** Process ID (tgid). */
  pid: number;
  /** Command name. */
  comm: string;
  /** User ID of the process. */
  uid: number;
  /** Its oom_score_adj (-1000 to 1000). */
  oomScoreAdj: number;
  /** Wall-clock time of the kill, ms since the epoch (from the kernel's monotonic clock). */
  timestamp: number;
  /** The kernel's CLOCK_MONOTONIC at the kill, ms (the clock of `process.hrtime`). */
  monotonicMs: number;
  /** The victim's cgroup v2 ID (the inode number of its v2 cgroup directory). */
  cgroupId: number;
  /** Path of that v2 cgroup, or null when no v2 directory has that ID (reason in `unavailable`). */
  cgroupV2Path: string | null;
  /** ID of the victim's memory cgroup in the hierarchy that has the memory controller (v1 or v2). */
  memoryCgroupId: number;
  /** The victim's memory cgroup, or null (reason in `unavailable`). */
  memoryCgroup: VictimMemoryCgroup | null;
  /** Virtual memory size, bytes; null when the page size is unknown. */
  totalVmBytes: number | null;
  /** Resident anonymous memory, bytes. */
  anonRssBytes: number | null;
  /** Resident file-backed memory, bytes. */
  fileRssBytes: number | null;
  /** Resident shared memory, bytes. */
  shmemRssBytes: number | null;
  /**
   * OOM kills this event stands for: its kernel sampling weight (`engine.setSampling('mem', …)`
   * pushed down; 1 when nothing sampled it). `stream.weightOf(e)` multiplies it by the user-space sampler's.
   */
  weight: number;
  /** Why a null field is null. */
  unavailable: Partial<Record<OomVictimField, string>>;
}
