import { join } from 'node:path';
import { isBpfscopeError, type ProcfsReader, parseFailure } from '@bpfscope/core';
import { readCgroupFile, type KeptCgroupFiles } from './kept-cgroup-files.js';
import { keyed, parseFlatKeyed } from '../procfs/parse-flat-keyed.js';
import { parseCgroupValue, parseV1Limit } from './parse-cgroup-value.js';

/** cgroup v1 memory.oom_control. */
export interface OomControl {
  /** `oom_kill_disable`: the OOM killer is disabled for the cgroup (tasks wait instead). */
  oomKillDisable: boolean;
  /** `under_oom`: the cgroup is out of memory now (tasks are waiting). */
  underOom: boolean;
  /** `oom_kill`: processes killed by the OOM killer in this cgroup (since Linux 4.13, else null). */
  oomKill: number | null;
}

/** Optional parts of {@link CgroupV1Memory}. */
export type CgroupV1Field = 'maxUsageBytes' | 'oomControl';

/** The memory state of one cgroup v1 memory-controller cgroup. */
export interface CgroupV1Memory {
  /** The cgroup directory that was read. */
  dir: string;
  /** memory.usage_in_bytes: memory charged to the cgroup, bytes. */
  usageBytes: number;
  /** memory.limit_in_bytes: hard limit, bytes; null for the kernel's "no limit" value. */
  limitBytes: number | null;
  /** memory.max_usage_in_bytes: peak usage, bytes; null when unreadable. */
  maxUsageBytes: number | null;
  /** memory.failcnt: times the usage hit the limit. */
  failcnt: number;
  /** memory.oom_control; null when unreadable. */
  oomControl: OomControl | null;
  /** Why each null optional field is absent. */
  unavailable: Partial<Record<CgroupV1Field, string>>;
}

/**
 * Parse cgroup v1 memory.oom_control.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the OOM killer settings and counters
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a malformed line, a
 *   missing `oom_kill_disable`/`under_oom`, or a flag that is not 0 or 1
 */
export function parseOomControl(text: string, path: string): OomControl {
  const v = parseFlatKeyed(text, path);
  const lines = text.split('\n').filter((l) => l.length > 0).length;
  const flag = (k: string): boolean => {
    const x = keyed(v, k);
    if (x === null) throw parseFailure(path, lines + 1, '', `no ${k} line (truncated file?)`);
    if (x !== 0 && x !== 1) throw parseFailure(path, Object.keys(v).indexOf(k) + 1, `${k} ${x}`, `${k} is ${x}, 0 or 1 expected`);
    return x === 1;
  };
  return { oomKillDisable: flag('oom_kill_disable'), underOom: flag('under_oom'), oomKill: keyed(v, 'oom_kill') };
}

/**
 * Read the memory files of a cgroup v1 memory-controller directory.
 * @param sys - the procfs/sysfs reader (the engine's `PROCFS_READER`, or `createProcfsReader()` over a fixture tree)
 * @param sysPath - the cgroup directory relative to the reader's sysfs root, e.g. `fs/cgroup/memory/docker/<id>`
 * @param kept - read the files through descriptors kept from call to call, under the directory's identity (see {@link KeptCgroupFiles})
 * @returns usage, limit, peak, failure count and OOM control
 * @throws {@link @bpfscope/core!DataUnavailable} when memory.usage_in_bytes, memory.limit_in_bytes or
 *   memory.failcnt cannot be read (not a memory cgroup, or removed)
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a file is malformed
 */
export function readCgroupV1Memory(sys: ProcfsReader, sysPath: string, kept?: KeptCgroupFiles): CgroupV1Memory {
  const dir = join(sys.sysRoot, sysPath);
  const unavailable: Partial<Record<CgroupV1Field, string>> = {};
  const required = <T>(file: string, parse: (text: string, path: string) => T): T => parse(readCgroupFile(sys, join(sysPath, file), kept), join(dir, file));
  const optional = <T>(field: CgroupV1Field, file: string, parse: (text: string, path: string) => T): T | null => {
    try {
      return required(file, parse);
    } catch (e) {
      if (!isBpfscopeError(e) || e.code !== 'DATA_UNAVAILABLE') throw e;
      unavailable[field] = e.message;
      return null;
    }
  };
  return {
    dir,
    usageBytes: required('memory.usage_in_bytes', parseCgroupValue),
    limitBytes: required('memory.limit_in_bytes', parseV1Limit),
    maxUsageBytes: optional('maxUsageBytes', 'memory.max_usage_in_bytes', parseCgroupValue),
    failcnt: required('memory.failcnt', parseCgroupValue),
    oomControl: optional('oomControl', 'memory.oom_control', parseOomControl),
    unavailable,
  };
}
