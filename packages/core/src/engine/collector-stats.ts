import type { SourceStats } from '../source-stats.js';
import type { FilterStats } from '../filter/active-filter.js';
import type { FamilyEventStats } from '../events/family-event-stats.js';
import type { GovernorStats } from './governor/governor-types.js';

/** The cost of a family's reads. */
export interface ReadCost {
  /** Wall time of the last read, ms, or null before the first. */
  lastWallMs: number | null;
  /** Wall time of all reads, ms. */
  totalWallMs: number;
  /**
   * CPU time of the whole process (user + system, all threads) during the last read, ms
   * (`process.cpuUsage()` before and after it), or null before the first. Families are
   * read in parallel, so this includes the work of reads that overlapped it.
   */
  lastProcessCpuMs: number | null;
  /** The same summed over all reads, ms. */
  totalProcessCpuMs: number;
}

/**
 * Add one read's cost: wall time since `started` (a `performance.now()`), and the process's
 * CPU time since `cpu` (a `process.cpuUsage()`). @internal
 */
export function addReadCost(cost: ReadCost, started: number, cpu: NodeJS.CpuUsage): void {
  const used = process.cpuUsage(cpu);
  cost.lastWallMs = performance.now() - started;
  cost.totalWallMs += cost.lastWallMs;
  cost.lastProcessCpuMs = (used.user + used.system) / 1000;
  cost.totalProcessCpuMs += cost.lastProcessCpuMs;
}

/** What `engine.attemptRecovery()` did for a family. */
export interface RecoveryStats {
  /** Times the family came back through `attemptRecovery()`. */
  recoveries: number;
  /** Error code of what had stopped it before its last recovery, or null. */
  recoveredFrom: string | null;
  /** Inits tried in the last recovery of this family (0 before any). */
  lastAttempts: number;
  /** The waits before the 2nd, 3rd, ... attempt of the last recovery, ms (the configured backoff). */
  lastDelaysMs: number[];
}

/**
 * Why a read with aggressive caching on decoded: `empty` nothing cached to compare with (first
 * read, or after an invalidation), `noCounter` the selected source has no change counter,
 * `unvouched` it returned null, `moved` its counter moved, `expired` the cached decode was
 * older than `aggressiveMaxAgeMs`, `counterError` the counter threw.
 */
export type CacheMissReason = 'empty' | 'noCounter' | 'unvouched' | 'moved' | 'expired' | 'counterError';

/** One family's caching (docs/caching.md), in `engine.stats().collectors[i].cache`. */
export interface FamilyCacheStats {
  /** Whether aggressive caching is on for the family (`cache.aggressive`, or its own `families.<family>.cache.aggressive`). */
  aggressive: boolean;
  /** Reads answered by the change-counter cache: nothing decoded. */
  hits: number;
  /** Reads with aggressive caching on that decoded; by reason in `missReasons`. */
  misses: number;
  /** {@link FamilyCacheStats.misses} by reason. */
  missReasons: Record<CacheMissReason, number>;
  /** Reads of the source that returned data: each one decoded (the count a test watches). */
  decodes: number;
  /** Times a cached result was dropped: filter or sampling set, source (re)initialised or closed, a read failed. */
  invalidations: number;
  /** The cap on detail records kept in the cached result, or null when the family has no `filterRecords` (nothing to cap). */
  maxDetailRecords: number | null;
  /** Detail records the cap left out of cached results, over all of them. */
  detailRecordsOmitted: number;
  /** Detail records the cap left out of the last result cached. */
  lastDetailRecordsOmitted: number;
  /**
   * Estimated bytes of the family's cached result's data on the JavaScript heap (0 when
   * nothing is cached), from the shape of the data (docs/caching.md says how): computed once
   * per cached result, at the first `engine.stats()` after it was cached, so reads pay nothing
   * for it. An estimate, not a measurement.
   */
  estimatedBytes: number;
}

/** Statistics of one collector (one family), as `engine.stats()` reports them. */
export interface CollectorStats {
  /** Name of the family this collector produces, e.g. `cpu`. */
  family: string;
  /** The selected source, or null when none is initialised. */
  source: string | null;
  /** The selected source's kind (`ebpf`, `procfs`, ...), or null. */
  sourceKind: string | null;
  /** Init attempts over all sources. */
  initAttempts: number;
  /** Time spent initialising, ms. */
  initMs: number;
  /** Codes of the sources that were rejected, in order. */
  rejected: Array<{
    /** Name of the rejected source, e.g. `cpu-ebpf`. */
    source: string;
    /** {@link ErrorCode} it was rejected with (`DATA_UNAVAILABLE` for an eBPF source skipped by mode `fallback`). */
    code: string;
  }>;
  /** Reads of the family started on the selected source, including those that failed or timed out and those the change-counter cache answered. */
  reads: number;
  /** Reads that threw or passed the family's read timeout. */
  readErrors: number;
  /** Inits and reads aborted at the family's time limit. */
  timeouts: {
    /** Inits that passed `initTimeoutMs`. */
    init: number;
    /** Reads that passed `readTimeoutMs`. */
    read: number;
  };
  /** The family's time limits in force, ms. */
  timeoutMs: {
    /** Init limit. */
    init: number;
    /** Read limit. */
    read: number;
  };
  /** Duration of the last successful read, ms, or null before one succeeded. */
  lastReadMs: number | null;
  /** Wall and process-CPU cost of the reads. */
  readCost: ReadCost;
  /** `collect()` calls answered from the engine's snapshot cache with this family's value in it. */
  cacheHits: number;
  /** Change-counter cache, cap on cached detail records and the cached result's estimated bytes. */
  cache: FamilyCacheStats;
  /** Recovery through `engine.attemptRecovery()`. */
  recovery: RecoveryStats;
  /** The selected source's statistics (the last ones it gave, after it was closed), or null when it gave none. */
  sourceStats: SourceStats | null;
  /** The family's filter set with `engine.setFilter()`, with its hits and misses, or null. */
  filter: FilterStats | null;
  /** The family's event streams through `engine.events()`: delivered, dropped in the kernel and in user space. */
  events: FamilyEventStats;
  /**
   * The overhead governor's state and figures for the family (docs/governor.md): level,
   * budget, the last judged window with its kernel ns/s and how it was measured, the
   * calibrations (ns per invocation per level, with their windows) and the changes of level.
   * Null when the family is not governed or has not been read yet.
   */
  governor: GovernorStats | null;
}
