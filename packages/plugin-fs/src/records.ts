import type { BpfscopeError, SourceKind } from '@bpfscope/core';
import type { FsEvent } from './records-events.js';

/** A process among those that touched a file most, as {@link FsFile.topProcesses} lists them. */
export interface FsFileProcess {
  /** Process ID. */
  pid: number;
  /** Command name. */
  comm: string;
  /** Bytes it read from and wrote to the file since the source started; null where the source counts none (fallback: it holds the file open). */
  bytes: number | null;
  /** Operations (opens, reads, writes, fsyncs, closes) it made on the file since the source started; null as bytes. */
  operations: number | null;
}

/**
 * One file, keyed by device and inode. The eBPF source counts the operations on it since
 * it started; the fallback (with the `files` option) lists the regular files processes hold
 * open at the reading, from /proc/&lt;pid&gt;/fd, with every count null (the reason in
 * `unavailable['files']`).
 */
export interface FsFile {
  /** Device of the filesystem holding the file, as `major:minor` (`stat -c '%Hd:%Ld'`). */
  dev: string;
  /** Inode number (`stat -c %i`). */
  inode: number;
  /** Absolute path when it could be resolved, else null (why in {@link FsFile.pathStatus}). */
  path: string | null;
  /**
   * `resolved`; `truncated` (longer than the kernel-side bound: `path` holds the last
   * components it could walk, prefixed with `…/`); `deleted` (unlinked while open: `path` is
   * the name it had); `unresolved` (no name could be read).
   */
  pathStatus: 'resolved' | 'truncated' | 'deleted' | 'unresolved';
  /** Successful opens; null where the source counts none (fallback). */
  opens: number | null;
  /** Closes of descriptors of the file; null as opens. */
  closes: number | null;
  /** Read calls (read, pread64, readv, preadv) that returned data or 0; null as opens. */
  reads: number | null;
  /** Write calls (write, pwrite64, writev, pwritev) that succeeded; null as opens. */
  writes: number | null;
  /** Bytes the read calls returned; null as opens. */
  bytesRead: number | null;
  /** Bytes the write calls wrote; null as opens. */
  bytesWritten: number | null;
  /** fsync and fdatasync calls; null as opens. */
  fsyncs: number | null;
  /** The processes that touched it most (by bytes, then operations; fallback: those holding it open, by PID), at most `topProcesses` of them. */
  topProcesses: FsFileProcess[];
}

/** File I/O of one process since the source started (eBPF) or over its life (fallback, /proc/&lt;pid&gt;/io). */
export interface FsProcess {
  /** Process ID. */
  pid: number;
  /** Command name. */
  comm: string;
  /** Read calls; fallback: `syscr` (every read-like call, not only on files). */
  reads: number;
  /** Write calls; fallback: `syscw`. */
  writes: number;
  /** Bytes read; fallback: `rchar`. */
  bytesRead: number;
  /** Bytes written; fallback: `wchar`. */
  bytesWritten: number;
  /** Successful opens; null when the source cannot count them (fallback). */
  opens: number | null;
  /** fsync and fdatasync calls; null when the source cannot count them (fallback). */
  fsyncs: number | null;
  /** Bytes it caused to be read from storage (`read_bytes`); null when not known (eBPF, or the fallback without access). */
  storageBytesRead: number | null;
  /** Bytes it caused to be written to storage (`write_bytes`); null as storageBytesRead. */
  storageBytesWritten: number | null;
}

/**
 * A log2 histogram of I/O latency, µs: `buckets[i]` counts requests that took from 2^i to
 * 2^(i+1)−1 µs (bucket 0 also holds < 1 µs), as biolatency prints them.
 */
export interface FsLatencyHistogram {
  /** Counts per log2 bucket of µs. */
  buckets: number[];
  /** Requests counted. */
  count: number;
  /** Sum of latencies, µs. */
  sumUs: number;
  /** Upper bound of the bucket that holds the median, µs; null with no requests. */
  p50Us: number | null;
  /** Upper bound of the bucket that holds the 95th percentile, µs; null with no requests. */
  p95Us: number | null;
  /** Upper bound of the bucket that holds the 99th percentile, µs; null with no requests. */
  p99Us: number | null;
}

/** One block device: counters as /proc/diskstats keeps them, and (eBPF) latency per direction. */
export interface FsDevice {
  /** Kernel name (`sda`, `nvme0n1`, `loop0`). */
  name: string;
  /** Major number. */
  major: number;
  /** Minor number. */
  minor: number;
  /** Read requests completed (eBPF: since the source started; fallback: since boot). */
  reads: number;
  /** Write requests completed. */
  writes: number;
  /** Sectors read (512 bytes each, whatever the device's block size). */
  sectorsRead: number;
  /** Sectors written. */
  sectorsWritten: number;
  /** Bytes read (sectors × 512). */
  bytesRead: number;
  /** Bytes written. */
  bytesWritten: number;
  /** Discard requests completed (TRIM/UNMAP); null where the kernel does not count them (the fallback before Linux 4.18). */
  discards: number | null;
  /** Sectors discarded; null as discards. */
  sectorsDiscarded: number | null;
  /** Flush requests completed, counted on the whole disk (0 on a partition); null where the kernel does not count them (the fallback before Linux 5.5). */
  flushes: number | null;
  /** Requests in flight at this reading. */
  inFlight: number;
  /** Time spent on reads, summed over requests, ms (/proc/diskstats, since boot); null in eBPF mode (the read latency histogram's sum gives it since the source started). */
  readTimeMs: number | null;
  /** Time spent on writes, summed over requests, ms; null as readTimeMs. */
  writeTimeMs: number | null;
  /** Time the device had I/O in progress, ms (/proc/diskstats `io_ticks`, since boot); null in eBPF mode. */
  ioTimeMs: number | null;
  /** Read latency, from the request's start (when the block layer made it: queue + driver + device) to its completion, as the kernel times it for the stat file; null in fallback mode. */
  readLatency: FsLatencyHistogram | null;
  /** Write latency; null as readLatency. */
  writeLatency: FsLatencyHistogram | null;
  /** Where the counters come from. */
  source: SourceKind;
}

/** One mounted filesystem's usage, from statfs(2) on its mount point. */
export interface FsMount {
  /** Mount point. */
  mountPoint: string;
  /** Filesystem type (`ext4`, `xfs`, `tmpfs`, ...). */
  fsType: string;
  /** Mount source (`/dev/sda1`, `tmpfs`, ...). */
  device: string;
  /** Device of the filesystem as `major:minor` (from /proc/self/mountinfo). */
  dev: string;
  /** Total size, bytes (f_blocks × f_frsize). */
  size: number;
  /** Used, bytes ((f_blocks − f_bfree) × f_frsize), as `df` counts it. */
  used: number;
  /** Available to unprivileged users, bytes (f_bavail × f_frsize). */
  available: number;
  /** Inodes in use (f_files − f_ffree); null when the filesystem does not count inodes (f_files = 0). */
  inodesUsed: number | null;
  /** Inodes free; null as inodesUsed. */
  inodesFree: number | null;
  /** Whether it is mounted read-only. */
  readOnly: boolean;
}

/** Counters the eBPF programs and the ring-buffer consumer keep about themselves. */
export interface FsKernelStats {
  /** Program runs. */
  invocations: number;
  /** Events put in the ring buffer. */
  events: number;
  /** Events lost because the ring buffer was full (counted, never silent). */
  drops: number;
  /** Events handed to JavaScript. */
  delivered: number;
  /** Entries left out because a kernel map was full. */
  mapFull: number;
}

/** Parts (and per-record fields) of {@link FsMetrics} that can be unavailable, fail, or come from another source. */
export type FsField =
  | 'files'
  | 'files.path'
  | 'files.topProcesses'
  | 'processes'
  | 'processes.opens'
  | 'processes.fsyncs'
  | 'processes.storageBytes'
  | 'devices'
  | 'devices.latency'
  | 'devices.time'
  | 'mounts'
  | 'kernel';

/** The `fs` family's data. */
export interface FsMetrics {
  /** ISO time the source started: counts "since start" count from here. */
  countersSince: string;
  /** Time since the previous reading, ms; null on the first. */
  intervalMs: number | null;
  /** Files with the most bytes (then operations), at most `maxFiles`. */
  files: FsFile[];
  /** Files the source tracks that passed the filters, before the cap. */
  fileCount: number;
  /** Files not tracked because the kernel table was full (`maxTrackedFiles`): their operations are in no file's counts. */
  filesLeftOut: number;
  /** Processes with file I/O, most bytes first, at most `topK`. */
  processes: FsProcess[];
  /** Block devices, by name. */
  devices: FsDevice[];
  /** Mounted filesystems with a size (not proc, sysfs, cgroup, ...; tmpfs included, as `df` lists it), by mount point; all of them with the `allMounts` option. */
  mounts: FsMount[];
  /** Kernel-side counters (eBPF); null in fallback mode. */
  kernel: FsKernelStats | null;
  /** Lines of kernel files that could not be parsed and were skipped, by file (e.g. `diskstats`). */
  skippedLines: Record<string, number>;
  /** Mount points left out of `mounts` this reading because statfs(2) failed on them (unmounted meanwhile, no access, a dead server), counted by reason. */
  skippedMounts: Record<string, number>;
  /** Parts that did not come from the family's source, with where they came from. */
  fieldSources: Partial<Record<FsField, SourceKind>>;
  /** Parts or fields this source cannot measure here, with the reason. */
  unavailable: Partial<Record<FsField, string>>;
  /** Parts whose input was malformed or unreadable this time, with the taxonomy error; the part is then empty. */
  errors: Partial<Record<FsField, BpfscopeError>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    fs: FsMetrics;
  }
  interface FamilyEvents {
    fs: FsEvent;
  }
}
