import { parseFailure } from '@bpfscope/core';
import { keyed, parseFlatKeyed, scanFlatKeyed } from './parse-flat-keyed.js';

/** The /proc/vmstat counters the mem family uses, since boot. */
export interface Vmstat {
  /** `pgfault`: page faults, minor and major. */
  pgfault: number;
  /** `pgmajfault`: major page faults (the page had to be read from disk). */
  pgmajfault: number;
  /** `oom_kill`: processes killed by the OOM killer (since Linux 4.13; null before). */
  oomKill: number | null;
  /** Every other counter, keyed as in the file. */
  other: Readonly<Record<string, number>>;
}

/**
 * Parse /proc/vmstat (`<name> <integer>` lines).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns page-fault and OOM-kill counters, and the others by name
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a malformed line, or a
 *   missing `pgfault`/`pgmajfault` (line number: one past the end)
 */
export function parseVmstat(text: string, path: string): Vmstat {
  const all = parseFlatKeyed(text, path);
  const lineCount = text.split('\n').filter((l) => l.length > 0).length;
  const need = (key: string): number => {
    const v = keyed(all, key);
    if (v === null) throw parseFailure(path, lineCount + 1, '', `no ${key} line (truncated file?)`);
    return v;
  };
  const { pgfault: _f, pgmajfault: _m, oom_kill: _o, ...other } = all;
  return { pgfault: need('pgfault'), pgmajfault: need('pgmajfault'), oomKill: keyed(all, 'oom_kill'), other };
}

/** The counters of /proc/vmstat a reading uses. @internal */
export type VmstatCounts = Omit<Vmstat, 'other'>;

const COUNTED = ['pgfault', 'pgmajfault', 'oom_kill'] as const;
const found = new Float64Array(COUNTED.length);

/**
 * {@link parseVmstat} for a reading: the same checks of every line, but only the counters
 * it uses are kept (no object of the ~190 others).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns page-fault and OOM-kill counters
 * @throws {@link @bpfscope/core!EventProcessingFailed} as {@link parseVmstat} does
 * @internal
 */
export function parseVmstatCounts(text: string, path: string): VmstatCounts {
  const lines = scanFlatKeyed(text, path, COUNTED, found);
  const need = (i: number): number => {
    if (Number.isNaN(found[i])) throw parseFailure(path, lines + 1, '', `no ${COUNTED[i]} line (truncated file?)`);
    return found[i]!;
  };
  return { pgfault: need(0), pgmajfault: need(1), oomKill: Number.isNaN(found[2]) ? null : found[2]! };
}
