import { join } from 'node:path';
import { isBpfscopeError, type ProcfsReader, parseFailure } from '@bpfscope/core';
import { readCgroupFile, type KeptCgroupFiles } from './kept-cgroup-files.js';
import { keyed, parseFlatKeyed } from '../procfs/parse-flat-keyed.js';
import { parseCgroupValue, parseMemoryMax } from './parse-cgroup-value.js';

/** cgroup v2 memory.events: counts since the cgroup was created, this cgroup and its descendants. */
export interface MemoryEvents {
  /** Reclaim under memory.low protection. */
  low: number;
  /** Throttling because usage went over memory.high. */
  high: number;
  /** Usage was about to go over memory.max (direct reclaim started). */
  max: number;
  /** The OOM killer was invoked (or would have been). */
  oom: number;
  /** Processes killed by the OOM killer (since Linux 4.13, else null). */
  oomKill: number | null;
  /** Whole-cgroup OOM kills (memory.oom.group; since Linux 5.17, else null). */
  oomGroupKill: number | null;
}

/** Selected cgroup v2 memory.stat fields, bytes (counters: events). Absent fields are null. */
export interface MemoryStatV2 {
  /** Anonymous memory. */
  anon: number | null;
  /** File-backed memory (page cache). */
  file: number | null;
  /** Kernel memory (since 5.18). */
  kernel: number | null;
  /** Kernel stacks. */
  kernelStack: number | null;
  /** Shared memory and tmpfs. */
  shmem: number | null;
  /** Mapped file memory. */
  fileMapped: number | null;
  /** Dirty file memory. */
  fileDirty: number | null;
  /** File memory under write-back. */
  fileWriteback: number | null;
  /** Page faults (count). */
  pgfault: number | null;
  /** Major page faults (count). */
  pgmajfault: number | null;
  /** Every other field, keyed as in the file. */
  other: Readonly<Record<string, number>>;
}

/** Optional parts of {@link CgroupV2Memory}. */
export type CgroupV2Field = 'swapCurrentBytes' | 'events' | 'stat';

/** The memory state of one cgroup v2 cgroup. */
export interface CgroupV2Memory {
  /** The cgroup directory that was read. */
  dir: string;
  /** memory.current: memory charged to the cgroup and its descendants, bytes. */
  currentBytes: number;
  /** memory.max: hard limit, bytes; null for `max` (no limit). */
  maxBytes: number | null;
  /** memory.swap.current: swap used, bytes; null without swap accounting. */
  swapCurrentBytes: number | null;
  /** memory.events; null when unreadable. */
  events: MemoryEvents | null;
  /** memory.stat, selected fields; null when unreadable. */
  stat: MemoryStatV2 | null;
  /** Why each null optional field is absent. */
  unavailable: Partial<Record<CgroupV2Field, string>>;
}

const fail = (path: string, line: number, why: string): never => {
  throw parseFailure(path, line, '', why);
};

const STAT_KEYS = {
  anon: 'anon', file: 'file', kernel: 'kernel', kernel_stack: 'kernelStack', shmem: 'shmem', file_mapped: 'fileMapped',
  file_dirty: 'fileDirty', file_writeback: 'fileWriteback', pgfault: 'pgfault', pgmajfault: 'pgmajfault',
} as const;

/**
 * Read the memory files of a cgroup v2 directory.
 * @param sys - the procfs/sysfs reader (the engine's `PROCFS_READER`, or `createProcfsReader()` over a fixture tree)
 * @param sysPath - the cgroup directory relative to the reader's sysfs root, e.g. `fs/cgroup/system.slice`
 * @param kept - read the files through descriptors kept from call to call, under the directory's identity (see {@link KeptCgroupFiles})
 * @returns usage, limit, swap, events and selected stat fields
 * @throws {@link @bpfscope/core!DataUnavailable} when memory.current or memory.max cannot be read (not a
 *   cgroup with the memory controller, or removed)
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a file is malformed (memory.events must have
 *   `low`, `high`, `max` and `oom`)
 */
export function readCgroupV2Memory(sys: ProcfsReader, sysPath: string, kept?: KeptCgroupFiles): CgroupV2Memory {
  const dir = join(sys.sysRoot, sysPath);
  const unavailable: Partial<Record<CgroupV2Field, string>> = {};
  const optional = <T>(field: CgroupV2Field, file: string, parse: (text: string, path: string) => T): T | null => {
    try {
      return parse(readCgroupFile(sys, join(sysPath, file), kept), join(dir, file));
    } catch (e) {
      if (!isBpfscopeError(e) || e.code !== 'DATA_UNAVAILABLE') throw e;
      unavailable[field] = e.message;
      return null;
    }
  };
  const currentBytes = parseCgroupValue(readCgroupFile(sys, join(sysPath, 'memory.current'), kept), join(dir, 'memory.current'));
  const maxBytes = parseMemoryMax(readCgroupFile(sys, join(sysPath, 'memory.max'), kept), join(dir, 'memory.max'));
  const swapCurrentBytes = optional('swapCurrentBytes', 'memory.swap.current', parseCgroupValue);
  const events = optional('events', 'memory.events', (text, path): MemoryEvents => {
    const v = parseFlatKeyed(text, path);
    const lines = text.split('\n').filter((l) => l.length > 0).length;
    const n = (k: string): number => keyed(v, k) ?? fail(path, lines + 1, `no ${k} line (truncated file?)`);
    return { low: n('low'), high: n('high'), max: n('max'), oom: n('oom'), oomKill: keyed(v, 'oom_kill'), oomGroupKill: keyed(v, 'oom_group_kill') };
  });
  const stat = optional('stat', 'memory.stat', (text, path): MemoryStatV2 => {
    const v = parseFlatKeyed(text, path);
    const out = { other: {} } as MemoryStatV2;
    for (const [fileKey, key] of Object.entries(STAT_KEYS)) out[key] = keyed(v, fileKey);
    const other: Record<string, number> = {};
    for (const [k, value] of Object.entries(v)) if (!Object.hasOwn(STAT_KEYS, k)) other[k] = value;
    out.other = other;
    return out;
  });
  return { dir, currentBytes, maxBytes, swapCurrentBytes, events, stat, unavailable };
}
