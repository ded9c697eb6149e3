import { readdirSync } from 'node:fs';
import { DataUnavailable, EventProcessingFailed, machineConstants, PROC_READ_REASONS } from '@bpfscope/core';
import type { ProcessRecord } from '../records.js';
import { readContext, readProcessWith, type ReadProcessOptions } from './read-process.js';

/** Options of {@link scanProcesses}. */
export interface ScanOptions extends Omit<ReadProcessOptions, 'bootTime'> {
  /** Read only these PIDs (the others are not even opened); a PID that does not exist counts as vanished. @default every PID */
  pids?: readonly number[];
}

/** The result of one {@link scanProcesses}. */
export interface ProcessScan {
  /** One record per process read, in PID order. */
  processes: ProcessRecord[];
  /** Processes listed in the procfs root that exited before all their files were read (skipped, not errors). */
  vanished: number;
  /** Processes whose files were malformed: one error each, naming the file and line. */
  errors: EventProcessingFailed[];
  /** Boot time, seconds since the Unix epoch (`btime` of /proc/stat), or null with {@link ProcessScan.bootTimeUnavailable}. */
  bootTime: number | null;
  /** Why `bootTime` (and so every `startTime`) is null; null when it was read. */
  bootTimeUnavailable: string | null;
}

/**
 * List the numeric directories of the procfs root and read each process with
 * {@link readProcess}. A process that exits during the scan is skipped and counted in
 * `vanished`; a process with a malformed file is skipped and its error kept in `errors`.
 * The boot time for absolute start times comes from `btime` in `<procRoot>/stat`.
 * @param procRoot - procfs root, `/proc` or a fixture tree's `proc`
 * @param options - PID list, sysfs root (for cgroup IDs), page size and USER_HZ
 * @returns the records, the count of vanished processes, and per-process errors
 * @throws {@link @bpfscope/core!DataUnavailable} when the procfs root cannot be listed, or the page size or
 *   USER_HZ is not given and cannot be measured
 * @example
 * ```ts
 * const scan = scanProcesses('/proc', { sysRoot: '/sys' });
 * console.log(scan.processes.length, 'processes,', scan.vanished, 'exited during the scan');
 * ```
 */
export function scanProcesses(procRoot: string, options: ScanOptions = {}): ProcessScan {
  const pids = options.pids === undefined ? listPids(procRoot) : [...new Set(options.pids)].sort((a, b) => a - b);
  const boot = readBootTime(procRoot);
  const ctx = readContext(procRoot, { ...options, bootTime: boot.bootTime }, boot.reason ?? '');
  const scan: ProcessScan = { processes: [], vanished: 0, errors: [], bootTime: boot.bootTime, bootTimeUnavailable: boot.reason };
  for (const pid of pids) {
    try {
      const r = readProcessWith(procRoot, pid, ctx);
      if (r.status === 'ok') scan.processes.push(r.record);
      else scan.vanished++;
    } catch (e) {
      if (!(e instanceof EventProcessingFailed)) throw e;
      scan.errors.push(e);
    }
  }
  return scan;
}

/** The numeric entries of a procfs root, ascending. @internal */
export function listPids(procRoot: string): number[] {
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === undefined ? undefined : PROC_READ_REASONS[err.code];
    if (reason === undefined) throw e;
    throw new DataUnavailable(procRoot, `the procfs root cannot be listed: ${reason}`, { cause: e, details: { path: procRoot, code: err.code } });
  }
  return names.filter((n) => /^[1-9]\d*$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** Boot time, s since the epoch (core's {@link machineConstants}: `btime` of `<procRoot>/stat`), or why it is unknown. @internal */
export function readBootTime(procRoot: string): { bootTime: number | null; reason: string | null } {
  const b = machineConstants(procRoot).bootTimeMs;
  return b.value === null ? { bootTime: null, reason: b.reason } : { bootTime: b.value / 1000, reason: null };
}
