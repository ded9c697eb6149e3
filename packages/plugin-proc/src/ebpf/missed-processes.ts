// The processes the kernel's task iterator did not reach. On some machines it misses
// PID 1 (a VM agent that is not its own session leader: its struct pid does not lead to
// its task), and a table without it is silently one short. Every PID /proc lists that the
// iterator output lacks is read from procfs instead and marked `source: 'procfs'`.
import { EventProcessingFailed, type Logger } from '@bpfscope/core';
import type { ProcessRecord } from '../records.js';
import { readProcessWith, type ReadContext } from '../procfs/read-process.js';
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
