import { ConfigError } from '@bpfscope/core';
import { filterByCategory, filterByComm, filterByPriorityRange, globToRegExp, type PriorityRange } from './filters.js';
import type { ProcessCategory, ProcessRecord } from './records.js';
import { topProcesses, type TopMeasure } from './top-k.js';

/** Which processes a reading of the `proc` family keeps. Every field is optional; filters combine with AND. */
export interface ProcessSelection {
  /** Only these PIDs (both sources read only them). @default every process */
  pids?: readonly number[];
  /** Command names to keep: a glob over the whole name (`*`, `?`) or a RegExp (unanchored unless it anchors itself). @default every name */
  comm?: string | RegExp;
  /** Kernel threads (`kernel`), user processes (`user`) or both. @default ['user', 'kernel'] */
  categories?: readonly ProcessCategory[];
  /** Inclusive bounds on the kernel priority or the nice value. @default no bounds */
  priorityRange?: PriorityRange;
  /** Keep only the `k` largest by a measure, largest first (see {@link TopMeasure}). @default all, in PID order */
  topK?: TopKOption;
}

/** The `topK` option of a {@link ProcessSelection}. */
export interface TopKOption {
  /** The measure to rank by. */
  by: TopMeasure;
  /** How many processes to keep (0 to 100,000). */
  k: number;
}

/** The outcome of {@link applySelection}. @internal */
export interface Selected {
  processes: ProcessRecord[];
  matched: number;
  unmeasured: number;
}

const CATEGORIES: readonly ProcessCategory[] = ['user', 'kernel'];

/**
 * Check a selection once, when the plugin is created.
 * @throws {@link @bpfscope/core!ConfigError} naming the option, the value and what is allowed
 * @internal
 */
export function checkSelection(s: ProcessSelection): ProcessSelection {
  if (s.pids !== undefined) {
    if (!Array.isArray(s.pids) || !s.pids.every((p) => Number.isInteger(p) && p > 0 && p <= 4194304)) {
      throw new ConfigError('pids', s.pids, 'an array of PIDs (integers from 1 to 4194304)');
    }
  }
  if (s.comm !== undefined && typeof s.comm !== 'string' && !(s.comm instanceof RegExp)) throw new ConfigError('comm', s.comm, 'a glob string or a RegExp');
  if (s.categories !== undefined && (!Array.isArray(s.categories) || !s.categories.every((c) => CATEGORIES.includes(c)))) {
    throw new ConfigError('categories', s.categories, "an array of 'user' and/or 'kernel'");
  }
  if (s.priorityRange !== undefined) {
    const f = s.priorityRange.field;
    if (f !== undefined && f !== 'priority' && f !== 'nice') throw new ConfigError('priorityRange.field', f, "'priority' or 'nice'");
    filterByPriorityRange([], s.priorityRange); // validates the bounds
  }
  if (s.topK !== undefined) topProcesses([], s.topK.by, s.topK.k); // validates by and k
  return { ...s, comm: typeof s.comm === 'string' ? globToRegExp(s.comm) : s.comm };
}

/**
 * Apply the filters in user space (PIDs are already pushed down into the readers), then
 * the top-K cap.
 * @internal
 */
export function applySelection(records: ProcessRecord[], s: ProcessSelection): Selected {
  let out = records;
  if (s.categories !== undefined && s.categories.length < CATEGORIES.length) out = filterByCategory(out, s.categories);
  if (s.comm !== undefined) out = filterByComm(out, s.comm);
  if (s.priorityRange !== undefined) out = filterByPriorityRange(out, s.priorityRange);
  if (s.topK === undefined) return { processes: out, matched: out.length, unmeasured: 0 };
  const t = topProcesses(out, s.topK.by, s.topK.k);
  return { processes: t.top, matched: out.length, unmeasured: t.unmeasured };
}
