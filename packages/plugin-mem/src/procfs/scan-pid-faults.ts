import { readdirSync } from 'node:fs';
import type { FaultTotals } from '../read/fault-ranking.js';
import { readPidFaults } from './read-mem-proc.js';

/**
 * Page faults of every process (or of `pids`) from /proc/&lt;pid&gt;/stat. A process that
 * exits while it is read is left out: it no longer exists.
 * @param procRoot - procfs root
 * @param pids - only these processes, or null for all
 * @returns one entry per process
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a stat file is malformed
 * @internal
 */
export function scanPidFaults(procRoot: string, pids: ReadonlySet<number> | null): FaultTotals[] {
  const candidates = pids !== null ? [...pids] : readdirSync(procRoot).filter((n) => /^\d+$/.test(n)).map(Number);
  const out: FaultTotals[] = [];
  for (const pid of candidates) {
    const f = readPidFaults(procRoot, pid);
    if (f === null) continue;
    out.push({ pid, minor: f.minorFaults, major: f.majorFaults, threads: null, comm: () => f.comm });
  }
  return out;
}
