import { join } from 'node:path';
import { requireMachineValue, type DataUnavailable, type ProcfsReader } from '@bpfscope/core';
import { parseLoadavg, type Loadavg } from './parse-loadavg.js';
import { parsePressure, type PressureLine } from './parse-pressure.js';
import { parseProcStat, type ProcStat } from './parse-stat.js';

// What a missing or refused pressure file means, in place of the generic reasons.
const PRESSURE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'the file does not exist (for pressure/cpu: a kernel without CONFIG_PSI, older than 4.20, or booted with psi=0)',
  EOPNOTSUPP: 'the kernel refuses to read it (for pressure files: PSI is disabled)',
  ENOTSUP: 'the kernel refuses to read it (for pressure files: PSI is disabled)',
};

/**
 * Read `relPath` below the reader's procfs root as text, with the reasons of the pressure files.
 * @param procfs - the engine's procfs reader (`PROCFS_READER`), or one over a fixture tree
 * @param relPath - path under the root, e.g. `pressure/cpu`
 * @returns the file's content
 * @throws {@link DataUnavailable} when the file is missing or may not be read
 * @internal
 */
export function readProcFile(procfs: ProcfsReader, relPath: string): string {
  return procfs.readProc(relPath, relPath.startsWith('pressure/') ? PRESSURE_REASONS : undefined);
}

/**
 * Read and parse `stat`.
 * @param procfs - procfs reader
 * @param userHz - clock ticks per second of the counters; by default USER_HZ as the reader
 *   measures it (`AT_CLKTCK` of `self/auxv`, `machineConstants()`)
 * @throws {@link DataUnavailable} see {@link readProcFile}; or USER_HZ is not given and cannot be measured
 * @throws {@link EventProcessingFailed} see {@link parseProcStat}
 * @internal
 */
export function readProcStat(procfs: ProcfsReader, userHz?: number): ProcStat {
  const text = readProcFile(procfs, 'stat');
  const path = join(procfs.procRoot, 'stat');
  const hz = userHz ?? requireMachineValue(procfs.machineConstants().clockTicks, `the CPU times of ${path} in seconds`);
  return parseProcStat(text, path, hz);
}

/**
 * Read and parse `loadavg`.
 * @param procfs - procfs reader
 * @throws {@link DataUnavailable} see {@link readProcFile}
 * @throws {@link EventProcessingFailed} see {@link parseLoadavg}
 * @internal
 */
export function readLoadavg(procfs: ProcfsReader): Loadavg {
  return parseLoadavg(readProcFile(procfs, 'loadavg'), join(procfs.procRoot, 'loadavg'));
}

/**
 * Read and parse `pressure/cpu`.
 * @param procfs - procfs reader
 * @throws {@link DataUnavailable} when PSI is absent or disabled
 * @throws {@link EventProcessingFailed} see {@link parsePressure}
 * @internal
 */
export function readPressure(procfs: ProcfsReader): { some: PressureLine; full: PressureLine | null } {
  return parsePressure(readProcFile(procfs, 'pressure/cpu'), join(procfs.procRoot, 'pressure/cpu'));
}
