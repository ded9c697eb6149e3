import type { BpfscopeError } from '@bpfscope/core';
import type { FsMount } from './records.js';

/** The mounted filesystems' usage as one reading found it. @internal */
export interface MountsReading {
  /** Filesystems, by mount point. */
  mounts: FsMount[];
  /** Lines of /proc/self/mountinfo that could not be parsed and were skipped. */
  skippedLines: number;
  /** Mount points left out because statfs(2) failed on them (gone since the table was read, no access, a dead server), counted by reason. */
  skippedMounts: Record<string, number>;
  /** Why the mount table could not be read this time (the part is then empty), else null. */
  error: BpfscopeError | null;
}

/**
 * What both fs sources read from procfs and sysfs the same way, whichever source counts the
 * I/O: filesystem usage (statfs on each mount point of /proc/self/mountinfo) and the names of
 * block devices. The eBPF source takes them from here so the two sources cannot disagree.
 * @internal
 */
export interface FsSideReads {
  /** Filesystem usage now. */
  mounts(): Promise<MountsReading>;
  /**
   * Kernel names of block devices by `major:minor` (`8:0` → `sda`, partitions included),
   * as /proc/diskstats lists them now.
   */
  deviceNames(): Promise<ReadonlyMap<string, string>>;
}
