import { join } from 'node:path';
import { procReadErrorCode, readProcFile } from '@bpfscope/core';
import { parseMeminfo, type Meminfo } from './parse-meminfo.js';
import { parsePidFaults, type PidFaults } from './parse-pid-faults.js';
import { parseVmstat, type Vmstat } from './parse-vmstat.js';

/**
 * Read and parse `<procRoot>/meminfo`.
 * @param procRoot - procfs root, `/proc` or a fixture tree's `proc`
 * @returns the parsed file
 * @throws {@link @bpfscope/core!DataUnavailable} when it cannot be read
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is malformed
 */
export function readMeminfo(procRoot: string): Meminfo {
  return parseMeminfo(readProcFile(procRoot, 'meminfo'), join(procRoot, 'meminfo'));
}

/**
 * Read and parse `<procRoot>/vmstat`.
 * @param procRoot - procfs root
 * @returns the parsed file
 * @throws {@link @bpfscope/core!DataUnavailable} when it cannot be read
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is malformed
 */
export function readVmstat(procRoot: string): Vmstat {
  return parseVmstat(readProcFile(procRoot, 'vmstat'), join(procRoot, 'vmstat'));
}

/**
 * Read the page faults of one process from `<procRoot>/<pid>/stat`.
 * @param procRoot - procfs root
 * @param pid - the process
 * @returns the counts, or null when the process does not exist (any more: ENOENT or ESRCH)
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the file is malformed
 */
export function readPidFaults(procRoot: string, pid: number): PidFaults | null {
  let text: string;
  try {
    text = readProcFile(procRoot, `${pid}/stat`);
  } catch (e) {
    const code = procReadErrorCode(e);
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw e;
  }
  return parsePidFaults(text, join(procRoot, `${pid}/stat`));
}
