import { DataUnavailable, readProcFile } from '@bpfscope/core';
import type { SnapshotEntry } from '../tree/feed.js';
import { parsePidStat } from './parse-pid-stat.js';

/**
 * One process's tree entry from its `/proc/<pid>/stat`, or null when the process exited
 * since the listing (its stat is gone).
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a malformed stat
 * @internal
 */
export function statEntry(procRoot: string, pid: number, units: { bootTime: number | null; userHz: number; pageSize: number }): SnapshotEntry | null {
  let text: string;
  try {
    text = readProcFile(procRoot, `${pid}/stat`);
  } catch (e) {
    if (e instanceof DataUnavailable) return null;
    throw e;
  }
  const s = parsePidStat(text, `${procRoot}/${pid}/stat`, units);
  return { pid: s.pid, ppid: s.ppid, comm: s.comm, startTime: s.startTime === null ? null : Math.round(s.startTime * 1000), zombie: s.state === 'Z' || s.state === 'X', source: 'procfs' };
}
