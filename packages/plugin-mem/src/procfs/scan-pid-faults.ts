import type { ProcfsReader } from '@bpfscope/core';
import type { FaultTotals } from '../read/fault-ranking.js';
import { readPidFaults } from './read-mem-proc.js';

/**
 * Page faults of every process (or of `pids`) from /proc/&lt;pid&gt;/stat. A process that
 * exits while it is read is left out: it no longer exists.
 * @param procfs - procfs reader
 * @param pids - only these processes, or null for all
 * @returns one entry per process
 * @throws {@link @bpfscope/core!DataUnavailable} when the procfs root cannot be listed
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a stat file is malformed
 * @internal
 */
export function scanPidFaults(procfs: ProcfsReader, pids: ReadonlySet<number> | null): FaultTotals[] {
  const candidates = pids !== null ? [...pids] : procfs.listProc('').filter((e) => e.directory && /^\d+$/.test(e.name)).map((e) => Number(e.name));
  const out: FaultTotals[] = [];
  for (const pid of candidates) {
    const f = readPidFaults(procfs, pid);
    if (f === null) continue;
    out.push({ pid, minor: f.minorFaults, major: f.majorFaults, threads: null, comm: () => f.comm });
  }
  return out;
}
