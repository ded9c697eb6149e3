// The processes the kernel's task iterator did not reach. On some machines it misses
// PID 1 (a VM agent that is not its own session leader: its struct pid does not lead to
// its task), and a table without it is silently one short. Every PID /proc lists that the
// iterator output lacks is read from procfs instead and marked `source: 'procfs'`.
import { DataUnavailable, EventProcessingFailed, KeptFiles, type Logger } from '@bpfscope/core';
import type { ProcessRecord } from '../records.js';
import { readContext, readProcessWith, type ReadContext } from '../procfs/read-process.js';
import type { SnapshotEntry } from '../tree/feed.js';
import { listPids } from '../procfs/scan-processes.js';
import { statEntry } from '../procfs/stat-entry.js';
import { Refusals } from '../procfs/refusals.js';

/** What {@link MissedProcesses.fill} found. @internal */
export interface MissedFill {
  /** The records read from procfs, in PID order. */
  records: ProcessRecord[];
  /** PIDs that were missed but exited before procfs could be read. */
  vanished: number;
  /** True when /proc was listed; false when the task count showed only the known misses. */
  listed: boolean;
}

/**
 * Finds, reading after reading, the processes the iterator misses. Listing /proc costs
 * ~20 ms at 10,000 processes, so it is skipped when the kernel's thread count
 * (/proc/loadavg) equals the tasks the iterator returned plus the threads of the
 * processes already known to be missed: then only those are read again. Any other count
 * (a process missed anew, or tasks that came or went meanwhile) lists /proc.
 * @internal
 */
export class MissedProcesses {
  /** Missed PIDs of the last reading, with their thread counts. */
  #known = new Map<number, number>();
  #first = true;
  /** The missed processes' files (stat, status, io, cgroup), kept open from reading to reading: the same few are read at every reading. */
  readonly #files: KeptFiles;
  /** Their optional files refused for permission (a VM agent's io and ns links), asked again every 30 s rather than at every reading. */
  readonly #refusals = new Refusals();
  readonly #ctx: ReadContext;

  /** Whether a reading of the whole table has listed /proc yet (so the known misses are known). */
  get learned(): boolean {
    return !this.#first;
  }

  /** The PIDs the iterator missed at the last reading of the whole table. */
  knownPids(): number[] {
    return [...this.#known.keys()];
  }

  constructor(
    private readonly procRoot: string,
    ctx: ReadContext,
    private readonly logger: Logger | null,
  ) {
    this.#files = new KeptFiles(procRoot, MAX_KEPT_FILES);
    this.#ctx = { ...ctx, files: this.#files, refusals: this.#refusals };
  }

  /** Close the files kept open (a later reading opens them again). */
  close(): void {
    this.#files.close();
  }

  /**
   * @param seen - the iterator's processes, in ascending PID order
   * @param tasks - task records the iterator returned (threads included)
   * @param pids - only these PIDs, or null for all
   */
  fill(seen: ReadonlyArray<{ readonly pid: number }>, tasks: number, pids: ReadonlySet<number> | null): MissedFill {
    // The source lives across readings: a cgroup remade under the same path since the last has a new ID.
    this.#ctx.cgroupIds.forget();
    // With a PID list the candidates are its PIDs: nothing to list.
    // A listed PID that does not exist did not vanish mid-read (as in the procfs source).
    try {
      if (pids !== null) return { ...this.#read(seen, [...pids].sort((a, b) => a - b), false).out, vanished: 0 };
      let knownThreads = 0;
      for (const n of this.#known.values()) knownThreads += n;
      const total = threadCount((rel) => this.#files.read(rel));
      const list = this.#first || total === null || tasks + knownThreads !== total;
      this.#first = false;
      const { out, known } = this.#read(seen, list ? listPids(this.procRoot) : [...this.#known.keys()], list);
      this.#known = known;
      return out;
    } finally {
      // The files of processes no longer missed (read by the iterator, or gone) are closed.
      this.#files.sweep();
      this.#refusals.sweep();
    }
  }

  #read(seen: ReadonlyArray<{ readonly pid: number }>, candidates: readonly number[], list: boolean): { out: MissedFill; known: Map<number, number> } {
    const out: MissedFill = { records: [], vanished: 0, listed: list };
    const known = new Map<number, number>();
    // Both lists are in PID order: one merge walk, no Set of 10,000 PIDs per reading.
    let j = 0;
    for (const pid of candidates) {
      while (j < seen.length && seen[j]!.pid < pid) j++;
      if (j < seen.length && seen[j]!.pid === pid) continue;
      try {
        const r = readProcessWith(this.procRoot, pid, this.#ctx);
        if (r.status !== 'ok') {
          out.vanished++;
          continue;
        }
        known.set(pid, r.record.threads);
        out.records.push(r.record);
      } catch (e) {
        if (!(e instanceof EventProcessingFailed)) throw e;
        this.logger?.warn(`proc: process ${pid}, missed by the task iterator, cannot be read from procfs either: ${e.message}`);
      }
    }
    return { out, known };
  }
}

/** Files kept open for missed processes (4 per process): past it, read by path. */
const MAX_KEPT_FILES = 64;

/**
 * Threads alive, the `total` of /proc/loadavg's `running/total`; null when unreadable.
 * @param read - reads a file below the procfs root (through a kept descriptor)
 * @internal
 */
export function threadCount(read: (rel: string) => string): number | null {
  try {
    const m = / \d+\/(\d+) /.exec(read('loadavg'));
    return m ? Number(m[1]) : null;
  } catch (e) {
    if (e instanceof DataUnavailable) return null;
    throw e;
  }
}

/**
 * The snapshot entries of the processes /proc lists that `seen` lacks, from their stat
 * (for the process tree's first state). A process that exits meanwhile is left out.
 * @param seen - PIDs of the iterator's snapshot
 * @throws {@link @bpfscope/core!DataUnavailable} when USER_HZ or the page size cannot be measured
 * @internal
 */
export function missedSnapshot(procRoot: string, seen: ReadonlySet<number>, bootTime: number | null): SnapshotEntry[] {
  const out: SnapshotEntry[] = [];
  let options: { bootTime: number | null; userHz: number; pageSize: number } | null = null;
  for (const pid of listPids(procRoot)) {
    if (seen.has(pid)) continue;
    if (options === null) {
      const { userHz, pageSize } = readContext(procRoot, {});
      options = { bootTime, userHz, pageSize };
    }
    const entry = statEntry(procRoot, pid, options);
    if (entry !== null) out.push(entry); // null: exited since the listing
  }
  return out;
}
