import { filterParts, type FamilyFilter, type FilterPart, type PushdownResult } from '@bpfscope/core';

/** What one kernel part applied of a filter, and which parts concern its records at all. @internal */
export interface PartPushdown {
  /** The parts it applied in its programs. */
  readonly pushed: readonly FilterPart[];
  /** Whether a filter part can change what this kernel part reports. */
  readonly concerns: (part: FilterPart) => boolean;
}

/**
 * The source's pushdown from its parts': a filter part is pushed down when some kernel part
 * applied it and every kernel part whose records it concerns applied it too. Otherwise the
 * engine applies it in user space to every record (again, where a part applied it already:
 * filtering twice keeps the same records).
 * @internal
 */
export function composePushdown(filter: FamilyFilter, parts: readonly PartPushdown[]): PushdownResult {
  const pushedDown: FilterPart[] = [];
  const notPushed: FilterPart[] = [];
  for (const p of filterParts(filter)) {
    const some = parts.some((x) => x.pushed.includes(p));
    const all = parts.every((x) => !x.concerns(p) || x.pushed.includes(p));
    (some && all ? pushedDown : notPushed).push(p);
  }
  return { pushedDown, notPushed };
}
