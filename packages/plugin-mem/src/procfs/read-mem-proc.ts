import { join } from 'node:path';
import { procReadErrorCode, type ProcfsReader } from '@bpfscope/core';
import { parseMeminfo, type Meminfo } from './parse-meminfo.js';
import { parsePidFaults, type PidFaults } from './parse-pid-faults.js';
import { parseVmstat, parseVmstatCounts, type Vmstat, type VmstatCounts } from './parse-vmstat.js';

/**
 * Read and parse `meminfo` below the reader's procfs root.
 * @param procfs - the engine's procfs reader (`PROCFS_READER`), or `createProcfsReader()` over a fixture tree
 * @returns the parsed file
 * @throws {@link @bpfscope/core!DataUnavailable} when it cannot be read
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is malformed
 */
export function readMeminfo(procfs: ProcfsReader): Meminfo {
  return parseMeminfo(procfs.readProc('meminfo'), join(procfs.procRoot, 'meminfo'));
}

/**
 * Read and parse `vmstat` below the reader's procfs root.
 * @param procfs - procfs reader
 * @returns the parsed file
 * @throws {@link @bpfscope/core!DataUnavailable} when it cannot be read
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is malformed
 */
export function readVmstat(procfs: ProcfsReader): Vmstat {
  return parseVmstat(procfs.readProc('vmstat'), join(procfs.procRoot, 'vmstat'));
}

/**
 * Read `vmstat` below the reader's procfs root for a reading: the counters it uses only.
 * @param procfs - procfs reader
 * @returns page-fault and OOM-kill counters
 * @throws {@link @bpfscope/core!DataUnavailable} when it cannot be read
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is malformed
 * @internal
 */
export function readVmstatCounts(procfs: ProcfsReader): VmstatCounts {
  return parseVmstatCounts(procfs.readProc('vmstat'), join(procfs.procRoot, 'vmstat'));
}

/**
 * Read the page faults of one process from `<pid>/stat` below the reader's procfs root.
 * @param procfs - procfs reader
 * @param pid - the process
 * @returns the counts, or null when the process does not exist (any more: ENOENT or ESRCH)
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the file is malformed
 */
export function readPidFaults(procfs: ProcfsReader, pid: number): PidFaults | null {
  let text: string;
  try {
    text = procfs.readProc(`${pid}/stat`);
  } catch (e) {
    const code = procReadErrorCode(e);
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw e;
  }
  return parsePidFaults(text, join(procfs.procRoot, `${pid}/stat`));
}
