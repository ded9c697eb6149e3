import type { SourceStats } from '../source-stats.js';
import type { Collector, Source } from '../types.js';
import { ConfigError } from '../errors/taxonomy.js';
import { filterParts, recordPasses, type FamilyFilter, type FilterPart } from './family-filter.js';

/** What `engine.setFilter()` returns: where each part of the filter is applied. */
export interface SetFilterResult {
  /** Parts the family's source applies in the kernel. */
  readonly pushedDown: readonly FilterPart[];
  /** Parts the engine applies in user space to the family's records. */
  readonly inUserSpace: readonly FilterPart[];
}

/** What a filter let through and what it refused. */
export interface FilterCounts {
  /** Calls or records let through. */
  readonly hits: number;
  /** Calls or records refused. */
  readonly misses: number;
}

/** A family's filter in `engine.stats()`: where it applies and what it let through. */
export interface FilterStats extends SetFilterResult {
  /** The filter in force. */
  readonly filter: FamilyFilter;
  /** Source that took the kernel part, or null when nothing was pushed down. */
  readonly source: string | null;
  /**
   * The source's kernel filter counters (calls let through / refused) since the filter was
   * set, summed over its objects; null when nothing was pushed down or the source keeps none.
   */
  readonly kernel: FilterCounts | null;
  /** Records the user-space part kept (hits) and removed (misses), over all reads since the filter was set. */
  readonly userSpace: FilterCounts;
}

function kernelTotals(stats: SourceStats | null | undefined): { hits: number; misses: number } | null {
  if (!stats || stats.kernelCounters.length === 0) return null;
  let hits = 0;
  let misses = 0;
  for (const k of stats.kernelCounters) {
    hits += k.filterHits;
    misses += k.filterMisses;
  }
  return { hits, misses };
}

/**
 * One family's filter inside the engine: pushes what the source takes, applies the rest to
 * each reading, counts both. @internal
 */
export class ActiveFilter {
  #pushedDown: FilterPart[] = [];
  #inUserSpace: FilterPart[] = [];
  #source: Source | null = null;
  #kernelBase: { hits: number; misses: number } | null = null;
  #user = { hits: 0, misses: 0 };

  constructor(readonly family: string, readonly filter: FamilyFilter) {}

  /**
   * Give the filter to a (newly) selected source: the parts it pushes down go to the kernel,
   * the rest to user space.
   * @throws {@link ConfigError} when a part can be applied neither in the kernel nor in user space
   */
  async attach(source: Source | null, collector: Collector): Promise<SetFilterResult> {
    const parts = filterParts(this.filter);
    const result = source?.pushdown ? await source.pushdown(this.filter) : { pushedDown: [], notPushed: parts };
    const pushed = parts.filter((p) => result.pushedDown.includes(p));
    const rest = parts.filter((p) => !pushed.includes(p));
    if (rest.length > 0 && !collector.filterRecords) {
      throw new ConfigError(`filter.${this.family}.${rest[0]}`, this.filter[rest[0]!], `a part the ${this.family} family can apply (its source${source ? ` ${source.name}` : ''} pushes down ${pushed.join(', ') || 'nothing'} and its records cannot be filtered in user space)`);
    }
    this.#source = pushed.length > 0 ? source : null;
    this.#pushedDown = pushed;
    this.#inUserSpace = rest;
    this.#kernelBase = this.#source ? kernelTotals(this.#source.stats?.({ programs: false })) : null;
    this.#user = { hits: 0, misses: 0 };
    return { pushedDown: [...pushed], inUserSpace: [...rest] };
  }

  /** Apply the user-space part to one reading. */
  apply<T>(data: T, collector: Collector<T>): T {
    if (this.#inUserSpace.length === 0 || !collector.filterRecords) return data;
    return collector.filterRecords(data, (record) => {
      const pass = recordPasses(this.filter, this.#inUserSpace, record);
      if (pass) this.#user.hits++;
      else this.#user.misses++;
      return pass;
    });
  }

  stats(): FilterStats {
    const now = this.#source ? kernelTotals(this.#source.stats?.({ programs: false })) : null;
    const base = this.#kernelBase;
    return {
      filter: this.filter,
      source: this.#source?.name ?? null,
      pushedDown: [...this.#pushedDown],
      inUserSpace: [...this.#inUserSpace],
      kernel: now && base ? { hits: now.hits - base.hits, misses: now.misses - base.misses } : now,
      userSpace: { ...this.#user },
    };
  }
}
