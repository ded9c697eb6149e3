import type { EventFeed, FamilyFilter, FilterPart, SourceContext, SourceStats, SourceStatsOptions } from '@bpfscope/core';
import type { FsDevice, FsField, FsFile, FsKernelStats, FsProcess } from '../records.js';
import type { FsEvent } from '../records-events.js';

/**
 * One kernel part of the fs family's eBPF source, with a compiled object of its own: the
 * block-device part (`bpf/fs_block.bpf.o`, always loaded) and the file part
 * (`bpf/fs_file.bpf.o`: per-process and per-file accounting on the file system calls,
 * loaded only when the `processes` or `files` option asks for it, so that nobody pays for
 * hooks on every system call who did not ask). The source composes the parts it has.
 * @internal
 */
export interface FsKernelPart<R> {
  /** For messages and stats, e.g. `fs-block`. */
  readonly name: string;
  /** Load and attach. Throws a {@link @bpfscope/core!BpfscopeError} when it cannot work here. */
  init(context: SourceContext): Promise<void>;
  /** This reading's part, as of `nowMs` (the clock's wall time). */
  read(nowMs: number): Promise<R>;
  /** Apply what it can of `filter` in its programs (map writes, no reload), replacing the previous; returns the parts applied. */
  pushdown(filter: FamilyFilter): Promise<readonly FilterPart[]>;
  /** Its programs' and ring buffer's own counters. */
  kernel(): FsKernelStats;
  /** Its programs' run statistics for `engine.stats()` (as `Source.stats()`: `programs: false` may leave the programs out). */
  stats(options?: SourceStatsOptions): SourceStats;
  /** Why it can no longer produce data though initialised, or null while it works. */
  detached(): string | null;
  /**
   * Start delivering this part's events (as {@link @bpfscope/core!EventStreamSetup.start}),
   * or null when it has none under the current options (no watched paths, say).
   */
  startEvents(push: (event: FsEvent) => void, fail: (error: unknown) => void): Promise<EventFeed> | null;
  /** Release everything; safe to call more than once. */
  close(): Promise<void>;
}

/** What the block-device part reads. @internal */
export interface DevicesReading {
  /** Block devices with I/O since the source started, by name. */
  devices: FsDevice[];
  /** What it cannot measure here, with the reason. */
  unavailable: Partial<Record<FsField, string>>;
}

/** What the file part reads. @internal */
export interface FilesReading {
  /** Files, most bytes first, after the `minBytes` threshold, at most `maxFiles` (empty with `files` off). */
  files: FsFile[];
  /** Tracked files that passed the filters, before the cap. */
  fileCount: number;
  /** Files the full kernel table could not track. */
  filesLeftOut: number;
  /** Processes, most bytes first, at most `topK` (empty with `processes` off). */
  processes: FsProcess[];
  /** What it cannot measure here or was not asked to, with the reason. */
  unavailable: Partial<Record<FsField, string>>;
}
