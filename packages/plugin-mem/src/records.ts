import type { BpfscopeError, SourceKind } from '@bpfscope/core';
import type { Meminfo } from './procfs/parse-meminfo.js';
import type { OomPrediction } from './predict/predict-exhaustion.js';
import type { OomVictim } from './records-oom.js';

/** System memory from /proc/meminfo (in both modes), bytes. */
export interface SystemMemory {
  /** `MemTotal`. */
  totalBytes: number;
  /** `MemFree`. */
  freeBytes: number;
  /** `MemAvailable` (since Linux 3.14), or null. */
  availableBytes: number | null;
  /** `MemTotal − MemAvailable`: what the kernel cannot hand to new work without swapping; null without MemAvailable. */
  usedBytes: number | null;
  /** usedBytes / totalBytes, 0 to 1; null without MemAvailable. */
  usedFraction: number | null;
  /** `Buffers`. */
  buffersBytes: number | null;
  /** `Cached`. */
  cachedBytes: number | null;
  /** `Shmem`. */
  shmemBytes: number | null;
  /** `Slab`. */
  slabBytes: number | null;
  /** Every field of /proc/meminfo as parsed. */
  meminfo: Meminfo;
}

/** Swap from /proc/meminfo, bytes. */
export interface SwapMemory {
  /** `SwapTotal` (0 without swap). */
  totalBytes: number;
  /** `SwapFree`. */
  freeBytes: number;
  /** `SwapTotal − SwapFree`. */
  usedBytes: number;
  /** `SwapCached`: swapped-out memory that is also in RAM; null when the kernel does not print it. */
  cachedBytes: number | null;
}

/** Page-fault and OOM counters of /proc/vmstat (since boot), with rates over the last interval. */
export interface VmstatCounters {
  /** `pgfault`: page faults, minor and major. */
  pgfault: number;
  /** `pgmajfault`: major page faults. */
  pgmajfault: number;
  /** `oom_kill`: OOM kills (null before Linux 4.13). */
  oomKill: number | null;
  /** pgfault per second over the last interval; null on the first reading. */
  pgfaultPerSecond: number | null;
  /** pgmajfault per second over the last interval; null on the first reading. */
  pgmajfaultPerSecond: number | null;
}

/** Page faults of one process (all its threads, living and exited), since it started. */
export interface ProcessFaults {
  /** Process ID (tgid). */
  pid: number;
  /** Command name (of the main thread). */
  comm: string;
  /** Minor faults: the page was in memory or needed no disk read. */
  minorFaults: number;
  /** Major faults: the page was read from disk. */
  majorFaults: number;
  /**
   * Minor faults per second over the last interval; null on the first reading or when the
   * count went backwards (a PID reused). A process that was not there at the previous
   * reading started during the interval and counts from 0.
   */
  minorPerSecond: number | null;
  /** Major faults per second over the last interval; null as for minorPerSecond. */
  majorPerSecond: number | null;
  /** Threads seen by the task iterator (eBPF); null in procfs mode. */
  threads: number | null;
}

/** Memory of one cgroup with a limit (or whose files could not be read), from sysfs in both modes. */
export interface CgroupMemoryEntry {
  /** Path relative to the hierarchy root, as in /proc/&lt;pid&gt;/cgroup, e.g. `/docker/abc`. */
  path: string;
  /** The hierarchy the memory controller is on. */
  hierarchy: 'v1' | 'v2';
  /** v2 memory.current or v1 memory.usage_in_bytes, bytes; null when unreadable (see error). */
  usageBytes: number | null;
  /** v2 memory.max or v1 memory.limit_in_bytes, bytes; null when unreadable. */
  limitBytes: number | null;
  /** usageBytes / limitBytes; null when either is null. */
  usageFraction: number | null;
  /** v2 memory.swap.current, bytes; null on v1 or without swap accounting. */
  swapBytes: number | null;
  /** Times usage hit the limit: v2 memory.events `max`, v1 memory.failcnt. */
  limitHits: number | null;
  /** Processes OOM-killed in the cgroup: v2 memory.events `oom_kill`, v1 memory.oom_control `oom_kill`. */
  oomKills: number | null;
  /** Why an optional field is null (swap accounting off, a file missing). */
  unavailable: Partial<Record<'swapBytes' | 'limitHits' | 'oomKills', string>>;
  /** The taxonomy error when a file of this cgroup is malformed or unreadable; the numbers above are then null. */
  error: BpfscopeError | null;
}

/** The cgroups of a reading. */
export interface CgroupMemory {
  /** Where the memory controller is: `v2` (unified) or `v1`. */
  hierarchy: 'v1' | 'v2';
  /** Root of that hierarchy, e.g. `/sys/fs/cgroup/memory`. */
  root: string;
  /** The cgroups with a limit, and those whose files are malformed, in path order. */
  entries: CgroupMemoryEntry[];
  /** Cgroups that vanished while they were read (skipped). */
  vanished: number;
}

/** OOM kills: counts in both modes, victims with the eBPF source. */
export interface OomKills {
  /** /proc/vmstat `oom_kill` now (since boot); null before Linux 4.13. */
  sinceBoot: number | null;
  /** /proc/vmstat `oom_kill` now, less its value when the source started; null as sinceBoot. */
  sinceStart: number | null;
  /** Victim events received since the source started (eBPF); null in procfs mode. */
  events: number | null;
  /** The victims, oldest first, at most `maxOomVictims` (eBPF); null in procfs mode (reason in `unavailable.oomVictims`). */
  victims: OomVictim[] | null;
  /** Victims pushed out of `victims` by the cap (they were received and counted in `events`). */
  victimsEvicted: number;
}

/** Which memory a prediction is about. */
export type PredictionTarget = 'system' | 'cgroup';

/** A prediction of running out of memory, for the system or one limited cgroup. */
export interface MemPrediction extends OomPrediction {
  /** The predictor key: `system` or `cgroup:<path>`. */
  key: string;
  /** What is predicted. */
  target: PredictionTarget;
  /** The cgroup path for a cgroup, null for the system. */
  path: string | null;
}

/** Counters the eBPF programs and the ring buffer consumer keep about themselves. */
export interface MemKernelStats {
  /** Program runs: iterator visits, OOM hook runs and cgroup changes counted (the cgroup programs are attached while `cgroups` is on). */
  invocations: number;
  /** OOM events put in the ring buffer. */
  events: number;
  /** OOM events lost because the ring buffer was full (counted, never silent). */
  drops: number;
  /** Events handed to JavaScript. */
  delivered: number;
  /** Events taken from the ring but lost in this process (memory exhaustion only). */
  lost: number;
}

/** Parts of {@link MemMetrics} that can be unavailable, fail, or come from another source. */
export type MemField = 'system' | 'swap' | 'vmstat' | 'processes' | 'cgroups' | 'oomCounts' | 'oomVictims' | 'predictions' | 'kernel' | 'bootTime';

/** The `mem` family's data. */
export interface MemMetrics {
  /** ISO time the source started: rates, `oom.sinceStart` and victims count from here. */
  countersSince: string;
  /**
   * ISO boot time (`btime` of /proc/stat, whole seconds), from which the /proc/vmstat counters
   * count; null when it cannot be read (the reason in `unavailable.bootTime`).
   */
  bootTime: string | null;
  /** Time since the previous reading, ms; null on the first. */
  intervalMs: number | null;
  /** System memory; null when /proc/meminfo is missing (`unavailable.system`) or malformed (`errors.system`). */
  system: SystemMemory | null;
  /** Swap; null when /proc/meminfo failed or has no swap lines. */
  swap: SwapMemory | null;
  /** /proc/vmstat fault and OOM counters; null when it is missing (`unavailable.vmstat`) or malformed (`errors.vmstat`). */
  vmstat: VmstatCounters | null;
  /** The top `topProcesses` processes by faults in the last interval (by total faults on the first reading); empty unless the plugin's `processes` is on (opt-in). */
  processes: ProcessFaults[];
  /** Processes whose faults were read (before the cap and after the PID filter); null when none were read (option `processes` off, the default, or the read failed: `unavailable.processes` or `errors.processes`). */
  processCount: number | null;
  /** Limited memory cgroups; null when no hierarchy has the memory controller (see `unavailable.cgroups`) or the walk failed. */
  cgroups: CgroupMemory | null;
  /** OOM kills since the source started. */
  oom: OomKills;
  /**
   * Time to exhaustion for the system and each limited cgroup: every reading adds the
   * usage of `system` (procfs: MemTotal − MemAvailable against MemTotal) and of each
   * cgroup entry (sysfs: usage against limit) to the predictor's window.
   */
  predictions: MemPrediction[];
  /** Kernel-side counters (eBPF); null in procfs mode. */
  kernel: MemKernelStats | null;
  /** Parts that did not come from the family's source, with where they came from. */
  fieldSources: Partial<Record<MemField, SourceKind>>;
  /** Parts this source cannot measure here, or whose input is missing, with the reason. */
  unavailable: Partial<Record<MemField, string>>;
  /** Parts whose input was malformed this time (or whose kernel read failed), with the taxonomy error; the part is then null or empty. */
  errors: Partial<Record<MemField, BpfscopeError>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    mem: MemMetrics;
  }
  interface FamilyEvents {
    mem: OomVictim;
  }
}
