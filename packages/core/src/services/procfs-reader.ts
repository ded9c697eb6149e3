import { readProcFile } from '../procfs/read-proc-file.js';
import { machineConstants, type MachineConstants } from '../procfs/machine-constants.js';

/**
 * The procfs/sysfs reader service (token {@link PROCFS_READER}): reads below the
 * configured `procRoot` and `sysRoot` (fixture trees in tests), with the taxonomy's
 * {@link DataUnavailable} for a missing or unreadable file.
 */
export interface ProcfsReader {
  /** The procfs root, `config.procRoot`. */
  readonly procRoot: string;
  /** The sysfs root, `config.sysRoot`. */
  readonly sysRoot: string;
  /**
   * Read a file below `procRoot`.
   * @param relPath - e.g. `stat` or `1/status`
   * @returns its content
   * @throws {@link DataUnavailable} when it is missing or may not be read
   */
  readProc(relPath: string): string;
  /**
   * Read a file below `sysRoot`.
   * @param relPath - e.g. `fs/cgroup/cpu.stat`
   * @returns its content
   * @throws {@link DataUnavailable} when it is missing or may not be read
   */
  readSys(relPath: string): string;
  /** Page size, USER_HZ and boot time as measured on this machine (see {@link machineConstants}). */
  machineConstants(): MachineConstants;
}

/** The engine's {@link ProcfsReader} over the configured roots. @internal */
export function createProcfsReader(procRoot: string, sysRoot: string): ProcfsReader {
  return {
    procRoot,
    sysRoot,
    readProc: (relPath) => readProcFile(procRoot, relPath),
    readSys: (relPath) => readProcFile(sysRoot, relPath),
    machineConstants: () => machineConstants(procRoot),
  };
}
