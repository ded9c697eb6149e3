import { join } from 'node:path';
import { machineConstants, readProcFile as readCoreProcFile, requireMachineValue, type DataUnavailable } from '@bpfscope/core';
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
 * Read `${root}/${relPath}` as text (the core's synchronous {@link readCoreProcFile},
 * with the reasons of the pressure files).
 * @param root - the procfs root, `/proc` or a fixture tree's `proc` directory
 * @param relPath - path under the root, e.g. `pressure/cpu`
 * @returns the file's content
 * @throws {@link DataUnavailable} when the file is missing or may not be read
 *   (ENOENT, ENOTDIR, EACCES, EPERM, EOPNOTSUPP/ENOTSUP); other errors are rethrown as they are
 * @internal
 */
export async function readProcFile(root: string, relPath: string): Promise<string> {
  return readCoreProcFile(root, relPath, relPath.startsWith('pressure/') ? PRESSURE_REASONS : undefined);
}

/**
 * Read and parse `stat` under `root`.
 * @param root - procfs root
 * @param userHz - clock ticks per second of the counters; by default USER_HZ as measured
 *   under `root` (`AT_CLKTCK` of `self/auxv`, {@link machineConstants})
 * @throws {@link DataUnavailable} see {@link readProcFile}; or USER_HZ is not given and cannot be measured
 * @throws {@link EventProcessingFailed} see {@link parseProcStat}
 * @internal
 */
export async function readProcStat(root: string, userHz?: number): Promise<ProcStat> {
  const text = await readProcFile(root, 'stat');
  const hz = userHz ?? requireMachineValue(machineConstants(root).clockTicks, `the CPU times of ${join(root, 'stat')} in seconds`);
  return parseProcStat(text, join(root, 'stat'), hz);
}

/**
 * Read and parse `loadavg` under `root`.
 * @param root - procfs root
 * @throws {@link DataUnavailable} see {@link readProcFile}
 * @throws {@link EventProcessingFailed} see {@link parseLoadavg}
 * @internal
 */
export async function readLoadavg(root: string): Promise<Loadavg> {
  return parseLoadavg(await readProcFile(root, 'loadavg'), join(root, 'loadavg'));
}

/**
 * Read and parse `pressure/cpu` under `root`.
 * @param root - procfs root
 * @throws {@link DataUnavailable} when PSI is absent or disabled
 * @throws {@link EventProcessingFailed} see {@link parsePressure}
 * @internal
 */
export async function readPressure(root: string): Promise<{ some: PressureLine; full: PressureLine | null }> {
  return parsePressure(await readProcFile(root, 'pressure/cpu'), join(root, 'pressure/cpu'));
}
