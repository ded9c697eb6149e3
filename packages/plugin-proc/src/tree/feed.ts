/** A process as a first state lists it (the task iterator, or a scan of /proc). @internal */
export interface SnapshotEntry {
  pid: number;
  ppid: number;
  comm: string;
  /** Start, ms since the epoch, or null when the boot time is unknown. */
  startTime: number | null;
  /** True when it has already exited and waits to be reaped. */
  zombie: boolean;
  /** cgroup v2 ID when the reader knows it (the task iterator); absent from procfs. */
  cgroupId?: number;
  /** Where the entry was read: the task iterator (default) or /proc. */
  source?: 'ebpf' | 'procfs';
}
