import { ConfigError } from '@bpfscope/core';
import type { ProcessCategory, ProcessRecord } from './records.js';

/**
 * Keep the records whose PID is in `pids`.
 * @param records - process records
 * @param pids - PIDs to keep
 * @returns the matching records, in their original order
 */
export function filterByPids(records: readonly ProcessRecord[], pids: readonly number[]): ProcessRecord[] {
  const keep = new Set(pids);
  return records.filter((r) => keep.has(r.pid));
}

/**
 * Turn a glob into an anchored regular expression: `*` matches any run of characters
 * (spaces and parentheses included), `?` one character; every other character matches
 * itself.
 * @param glob - e.g. `kworker/*` or `my (weird) proc`
 * @returns the equivalent RegExp
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/**
 * Keep the records whose command name matches `pattern`: a string is a glob over the
 * whole name (see {@link globToRegExp}); a RegExp is tested as it is (unanchored unless it
 * anchors itself).
 * @param records - process records
 * @param pattern - glob string or RegExp
 * @returns the matching records
 */
export function filterByComm(records: readonly ProcessRecord[], pattern: string | RegExp): ProcessRecord[] {
  // A global or sticky RegExp keeps lastIndex between test() calls: test a copy without those flags.
  const re = typeof pattern === 'string' ? globToRegExp(pattern) : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return records.filter((r) => re.test(r.comm));
}

/**
 * Keep kernel threads (`kernel`: `PF_KTHREAD` set in stat's flags, i.e. no user address
 * space and no cmdline) or user processes (`user`).
 * @param records - process records
 * @param categories - the categories to keep
 * @returns the matching records
 */
export function filterByCategory(records: readonly ProcessRecord[], categories: readonly ProcessCategory[]): ProcessRecord[] {
  const keep = new Set(categories);
  return records.filter((r) => keep.has(r.category));
}

/** Inclusive bounds of {@link filterByPriorityRange}; a missing bound is open. */
export interface PriorityRange {
  /** Which value to compare: stat's kernel `priority` or the `nice` value. @default 'priority' */
  field?: 'priority' | 'nice';
  /** Smallest value kept. */
  min?: number;
  /** Largest value kept. */
  max?: number;
}

/**
 * Keep the records whose priority (or nice value) lies in `[min, max]`.
 * @param records - process records
 * @param range - field and inclusive bounds
 * @returns the matching records
 * @throws {@link @bpfscope/core!ConfigError} when a bound is not a finite number or `min > max`
 */
export function filterByPriorityRange(records: readonly ProcessRecord[], range: PriorityRange): ProcessRecord[] {
  const { field = 'priority', min = -Infinity, max = Infinity } = range;
  for (const [name, v] of [['min', range.min], ['max', range.max]] as const) {
    if (v !== undefined && !Number.isFinite(v)) throw new ConfigError(`priorityRange.${name}`, v, 'a finite number');
  }
  if (min > max) throw new ConfigError('priorityRange', range, 'min <= max');
  return records.filter((r) => r[field] >= min && r[field] <= max);
}
