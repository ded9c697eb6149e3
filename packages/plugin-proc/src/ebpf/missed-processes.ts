// The processes the kernel's task iterator did not reach. On some machines it misses
// PID 1 (a VM agent that is not its own session leader: its struct pid does not lead to
// its task), and a table without it is silently one short. Every PID /proc lists that the
// iterator output lacks is read from procfs instead and marked `source: 'procfs'`.
import { DataUnavailable, EventProcessingFailed, readProcFile, type Logger } from '@bpfscope/core';
import type { ProcessRecord } from '../records.js';
import { parsePidStat } from '../procfs/parse-pid-stat.js';
import { readContext, readProcessWith, type ReadContext } from '../procfs/read-process.js';
import type { SnapshotEntry } from '../tree/feed.js';
import { listPids } from '../procfs/scan-processes.js';

/** What {@link fillMissed} found. @internal */
export interface MissedFill {
  /** The records read from procfs, in PID order. */
  records: ProcessRecord[];
  /** PIDs that were missed but exited before procfs could be read. */
  vanished: number;
}

/**
 * Read from procfs the processes of `procRoot` (or of `pids`) that `seen` lacks.
 * Costs one readdir of /proc and a Set lookup per PID when nothing is missing.
 * @param seen - PIDs in the iterator's table, in ascending order
 * @internal
 */
export function fillMissed(procRoot: string, seen: readonly ProcessRecord[], ctx: ReadContext, pids: ReadonlySet<number> | null, logger: Logger | null): MissedFill {
  const listed = listPids(procRoot);
  const out: MissedFill = { records: [], vanished: 0 };
  // Both lists are in PID order: one merge walk, no Set of 10,000 PIDs per reading.
  let j = 0;
  for (const pid of listed) {
    while (j < seen.length && seen[j]!.pid < pid) j++;
    if (j < seen.length && seen[j]!.pid === pid) continue;
    if (pids !== null && !pids.has(pid)) continue;
    try {
      const r = readProcessWith(procRoot, pid, ctx);
      if (r.status === 'ok') out.records.push(r.record);
      else out.vanished++;
    } catch (e) {
      if (!(e instanceof EventProcessingFailed)) throw e;
      logger?.warn(`proc: process ${pid}, missed by the task iterator, cannot be read from procfs either: ${e.message}`);
    }
  }
  return out;
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
    let text: string;
    try {
      text = readProcFile(procRoot, `${pid}/stat`);
    } catch (e) {
      if (e instanceof DataUnavailable) continue; // exited since the listing
      throw e;
    }
    const s = parsePidStat(text, `${procRoot}/${pid}/stat`, options);
    out.push({ pid: s.pid, ppid: s.ppid, comm: s.comm, startTime: s.startTime === null ? null : Math.round(s.startTime * 1000), zombie: s.state === 'Z' || s.state === 'X' });
  }
  return out;
}
