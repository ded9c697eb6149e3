import { familyCacheSettings, type FamilyCacheSettings, type ResolvedConfig } from '../config/schema.js';
import type { Collector, FamilyResult, Source } from '../types.js';
import type { CacheMissReason, FamilyCacheStats } from './collector-stats.js';
import { estimateBytes } from './estimate-bytes.js';

/** What the change-counter check found before a read. @internal */
export type CounterCheck =
  | { readonly hit: FamilyResult }
  | { readonly hit: null; readonly counter: bigint | null };

interface Entry {
  readonly source: Source;
  /** The kept result: after the engine's filters and aggregators, capped. */
  readonly result: FamilyResult;
  /** The change counter read before the decode, or null (no counter, aggressive off). */
  readonly counter: bigint | null;
  /** Estimated bytes of the data: computed at the first stats() that asks, once per entry. */
  bytes: number | null;
}

/** One decode of a family in flight, from its counter check to its keep (or abandon). @internal */
export interface DecodeToken {
  /** Another decode of the family was in flight at some time between this one's start and end. */
  overlapped: boolean;
  /** Set when the cache was invalidated while this decode ran (a filter or setting changed): its result is not kept. */
  stale?: boolean;
}

/** One read of a family: its result, and whether the change-counter cache answered it. @internal */
export interface FamilyRead {
  /** The decode's token (null when the cache answered). */
  readonly token: DecodeToken | null;
  readonly result: FamilyResult;
  /** True when the change-counter cache answered (nothing decoded; the result is already kept). */
  readonly cached: boolean;
  /** The source that produced it. */
  readonly source: Source;
  /** The change counter read before the decode, or null. */
  readonly counter: bigint | null;
}

const NO_MISSES = (): Record<CacheMissReason, number> => ({ empty: 0, noCounter: 0, unvouched: 0, moved: 0, expired: 0, counterError: 0 });

/**
 * One family's cached result: what the snapshot cache and the change-counter cache keep of
 * it (the same object), capped at `maxDetailRecords` detail records, with its estimated
 * bytes; and the change-counter check that answers a read with it. @internal
 */
export class FamilyCache {
  readonly settings: FamilyCacheSettings;
  #entry: Entry | null = null;
  #hits = 0;
  #decodes = 0;
  #misses = NO_MISSES();
  #invalidations = 0;
  #omitted = 0;
  #lastOmitted = 0;
  /** Decodes in flight: a source vouches for its last read(), so two at once vouch for neither. */
  readonly #active = new Set<DecodeToken>();

  constructor(
    private readonly collector: Collector,
    config: ResolvedConfig,
  ) {
    this.settings = familyCacheSettings(config, collector.family);
  }

  /**
   * Before a read of `source`: its change counter, and the cached result when the counter
   * equals the one of the cached decode. Aggressive caching off: no counter is read.
   * @param now - wall-clock now, ms
   */
  async check(source: Source, signal: AbortSignal, now: number): Promise<CounterCheck> {
    if (!this.settings.aggressive) return { hit: null, counter: null };
    if (!source.changeCounter) return this.#miss('noCounter', null);
    let counter: bigint | null;
    try {
      counter = await source.changeCounter({ signal });
    } catch {
      return this.#miss('counterError', null);
    }
    if (counter === null) return this.#miss('unvouched', null);
    const e = this.#entry;
    if (!e || e.source !== source || e.counter === null) return this.#miss('empty', counter);
    if (e.counter !== counter) return this.#miss('moved', counter);
    if (now - e.result.timestamp > this.settings.aggressiveMaxAgeMs) return this.#miss('expired', counter);
    this.#hits++;
    const cached = { by: 'change-counter', decodedAt: e.result.timestamp, changeCounter: counter.toString() } as const;
    return { hit: { ...e.result, timestamp: now, cached } };
  }

  #miss(reason: CacheMissReason, counter: bigint | null): CounterCheck {
    this.#misses[reason]++;
    return { hit: null, counter };
  }

  /** A read starts (its counter check and maybe a decode): overlapping reads mark each other. */
  begin(): DecodeToken {
    const token = { overlapped: this.#active.size > 0 };
    for (const other of this.#active) other.overlapped = true;
    this.#active.add(token);
    return token;
  }

  /** A read ended without a decode to keep: a cache hit. */
  end(token: DecodeToken | null): void {
    if (token) this.#active.delete(token);
  }

  /**
   * A decode ended unkept (it failed, its source was switched meanwhile, a filter threw):
   * the cached result is dropped too, since the source's vouch now speaks for that decode.
   */
  abandon(token: DecodeToken | null): void {
    this.end(token);
    this.invalidate();
  }

  /**
   * Keep a decoded result (after the engine's filters and aggregators): capped at
   * `maxDetailRecords` through the collector's `filterRecords` (its bytes are estimated once,
   * at the first stats() that asks, so reads pay nothing for them).
   * @returns the kept result (the same object when nothing was left out)
   */
  keep(source: Source, result: FamilyResult, counter: bigint | null, token: DecodeToken | null): FamilyResult {
    this.end(token);
    if (!this.settings.enabled || token?.stale === true) return result;
    const kept = this.#cap(result);
    // A decode that overlapped another keeps no counter: the source's vouch may be the other's.
    this.#entry = { source, result: kept, counter: token?.overlapped ? null : counter, bytes: null };
    return kept;
  }

  /** Counts a read of the source that returned data (a decode). */
  countDecode(): void {
    this.#decodes++;
  }

  /** Drop the cached result (filter, sampling, source or recovery changes; a failed read). */
  invalidate(): void {
    if (this.#entry) this.#invalidations++;
    this.#entry = null;
    for (const t of this.#active) t.stale = true; // a decode in flight read under the old settings
  }

  #cap(result: FamilyResult): FamilyResult {
    const limit = this.settings.maxDetailRecords;
    this.#lastOmitted = 0;
    if (!this.collector.filterRecords) return result;
    let seen = 0;
    const data = this.collector.filterRecords(result.data, () => ++seen <= limit);
    if (seen <= limit) return result;
    const omitted = seen - limit;
    this.#lastOmitted = omitted;
    this.#omitted += omitted;
    return { ...result, data, detailCap: { limit, kept: limit, omitted } };
  }

  stats(): FamilyCacheStats {
    const e = this.#entry;
    if (e && e.bytes === null) e.bytes = estimateBytes(e.result.data);
    const misses = Object.values(this.#misses).reduce((s, n) => s + n, 0);
    return {
      aggressive: this.settings.aggressive,
      hits: this.#hits,
      misses,
      decodes: this.#decodes,
      missReasons: { ...this.#misses },
      invalidations: this.#invalidations,
      maxDetailRecords: this.collector.filterRecords ? this.settings.maxDetailRecords : null,
      detailRecordsOmitted: this.#omitted,
      lastDetailRecordsOmitted: this.#lastOmitted,
      estimatedBytes: e?.bytes ?? 0,
    };
  }
}
