import { parseFailure } from './parse-failure.js';
import { keyed, parseFlatKeyed } from './parse-flat-keyed.js';

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
