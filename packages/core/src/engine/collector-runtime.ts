import type { BpfscopeError } from '../errors/bpfscope-error.js';
import { ConfigError, DataUnavailable, Timeout } from '../errors/taxonomy.js';
import { familyTimeouts, type FamilyMode, type ResolvedConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { systemClock, type Clock } from '../services/clock.js';
import type { SourceStats } from '../source-stats.js';
import type { Collector, FamilyResult, Source } from '../types.js';
import { asBpfscopeError } from './as-error.js';
import { addReadCost, type CollectorStats, type ReadCost, type RecoveryStats } from './collector-stats.js';
import { KeptController, runWithDeadline } from './deadline.js';
import { familyTimeout, SourceInit } from './source-init.js';
import { privilegesDroppedError, processDropReport } from './privileges.js';
import { ActiveFilter, type SetFilterResult } from '../filter/active-filter.js';
import type { FamilyFilter } from '../filter/family-filter.js';
import { FamilyEventTotals } from '../events/family-event-stats.js';
import { FamilyCache, type FamilyRead } from './family-cache.js';
import { detachedError } from './recover-families.js';


/**
 * One family's source selection, time limits, reads and recovery: the only place that
 * decides which source runs and what happens when it passes its time limit. @internal
 */
export class CollectorRuntime {
  readonly family: string;
  #selected: Source | null = null;
  #rejected: Array<{ source: Source; error: BpfscopeError }> = [];
  /** Why the family has no working source: its init failed, or its source was closed after a hung read. */
  #failure: BpfscopeError | null = null;
  #recoveredFrom: BpfscopeError | null = null;
  readonly #inits: SourceInit;
  #initAttempts = 0;
  #initMs = 0;
  #reads = 0;
  #readErrors = 0;
  #timeouts = { init: 0, read: 0 };
  #lastReadMs: number | null = null;
  #cost: ReadCost = { lastWallMs: null, totalWallMs: 0, lastProcessCpuMs: null, totalProcessCpuMs: 0 };
  #cacheHits = 0;
  #recovery: RecoveryStats = { recoveries: 0, recoveredFrom: null, lastAttempts: 0, lastDelaysMs: [] };
  #lastSourceStats: SourceStats | null = null;
  #filter: ActiveFilter | null = null;
  /** The read signal's controller, kept from read to read until one aborts it (a controller per read costs more than the read of a small family). */
  readonly #readController = new KeptController();
  /** The family's event streams (engine.events()). */
  readonly events = new FamilyEventTotals();
  /** The family's cached result and change-counter cache. */
  readonly cache: FamilyCache;

  constructor(
    readonly collector: Collector,
    readonly config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
    /** The family's options validated against the plugin's schema, when it declares one. */
    validatedOptions: Readonly<Record<string, unknown>> | null = null,
  ) {
    this.family = collector.family;
    this.cache = new FamilyCache(collector, config);
    this.#inits = new SourceInit({
      family: this.family,
      options: validatedOptions,
      config,
      logger,
      isSelected: (source) => this.#selected === source,
      countAttempt: () => void this.#initAttempts++,
      countTimeout: () => void this.#timeouts.init++,
      closeQuietly: (source) => this.#closeQuietly(source),
    });
  }

  get mode(): FamilyMode {
    return this.config.families[this.family]?.mode ?? this.config.mode;
  }

  get selected(): Source | null {
    return this.#selected;
  }

  /** Why the family has no source now (null while one is selected). */
  get failure(): BpfscopeError | null {
    return this.#selected ? null : this.#failure;
  }

  /** Errors of the rejected sources, in order of preference. */
  get rejected(): readonly BpfscopeError[] {
    return this.#rejected.map((r) => r.error);
  }

  /**
   * Try each allowed source in order; the first that initialises wins.
   * @returns null on success, else the error to report (the first rejection, or why no source is allowed).
   */
  async init(): Promise<BpfscopeError | null> {
    const started = performance.now();
    this.cache.invalidate();
    this.#rejected = [];
    const candidates = this.collector.sources.filter((s) => this.#allowed(s));
    if (this.mode === 'fallback') {
      // Say why the eBPF sources were not used, so the result's `fallback` explains itself.
      for (const source of this.collector.sources.filter((s) => s.kind === 'ebpf')) {
        this.#rejected.push({ source, error: new DataUnavailable(source.name, `the configuration sets mode "fallback" for ${this.family}`, { remedy: `Set mode "auto" or "ebpf" for ${this.family} to use eBPF.` }) });
      }
    }
    if (candidates.length === 0) {
      this.#failure = new ConfigError(`families.${this.family}.mode`, this.mode, `a mode for which ${this.family} has a source (it has: ${this.collector.sources.map((s) => s.kind).join(', ')})`);
      return this.#failure;
    }
    let firstFailure: BpfscopeError | null = null;
    for (const source of candidates) {
      // After dropPrivileges nothing can load or attach: say so instead of an EPERM from the kernel.
      const error = source.kind === 'ebpf' && processDropReport() ? privilegesDroppedError(`load and attach the eBPF programs of ${this.family}`, ['CAP_BPF', 'CAP_PERFMON']) : await this.#inits.tryInit(source);
      if (!error) {
        this.#selected = source;
        this.#failure = null;
        this.#initMs += performance.now() - started;
        await this.#reattachFilter(source);
        await this.#reattachSampling(source);
        this.logger.info('source selected', { family: this.family, source: source.name, rejected: this.#rejected.map((r) => r.error.code) });
        return null;
      }
      this.#rejected.push({ source, error });
      firstFailure ??= error;
      this.logger.warn('source rejected', { family: this.family, source: source.name, code: error.code, message: error.message });
    }
    this.#initMs += performance.now() - started;
    this.#failure = firstFailure ?? new DataUnavailable(this.family, 'no source could be initialised');
    this.#recoveredFrom = null;
    return this.#failure;
  }

  /** After the source reloaded itself (a change of level of the overhead governor): the engine's filter and kernel sampling again. */
  async reattach(source: Source): Promise<void> {
    await this.#reattachFilter(source);
    await this.#reattachSampling(source);
  }

  /** A source selected after `setFilter()` (recovery, fallback) gets the filter too. */
  async #reattachFilter(source: Source): Promise<void> {
    if (!this.#filter) return;
    try {
      await this.#filter.attach(source, this.collector);
    } catch (e) {
      this.logger.error('filter could not be applied to the selected source', { family: this.family, source: source.name, error: String(e) });
    }
  }

  /** A source selected after `setSampling()` gets the kernel part of the family's sampling too. */
  async #reattachSampling(source: Source): Promise<void> {
    try {
      await this.events.reselected(source, `families.${this.family}.sampling`);
    } catch (e) {
      this.logger.error('sampling could not be applied to the selected source', { family: this.family, source: source.name, error: String(e) });
    }
  }

  /**
   * Set (or with null, clear) the family's filter: the selected source pushes down what it
   * can, the rest applies to each reading in user space.
   */
  async setFilter(filter: FamilyFilter | null): Promise<SetFilterResult> {
    const active = new ActiveFilter(this.family, filter ?? {});
    const result = await active.attach(this.#selected, this.collector);
    this.#filter = filter ? active : null;
    this.cache.invalidate();
    return result;
  }

  #allowed(source: Source): boolean {
    if (this.mode === 'ebpf') return source.kind === 'ebpf';
    if (this.mode === 'fallback') return source.kind !== 'ebpf';
    return true;
  }

  async #closeQuietly(source: Source): Promise<void> {
    try {
      await source.close();
    } catch (e) {
      this.logger.error('source close failed', { family: this.family, source: source.name, error: String(e) });
    }
  }

  /**
   * Read the selected source once, within the family's read limit; with aggressive caching
   * on, first its change counter, and when it has not moved since the cached decode, the
   * cached result instead (nothing decoded). A source that does not settle within a turn of
   * the event loop after the abort is closed: the family then has no source until
   * `recoverFamily`. A source that says it is detached is not read: its error is thrown.
   */
  async read(outer?: AbortSignal): Promise<FamilyRead> {
    const source = this.#selected;
    if (!source) throw this.#failure ?? new DataUnavailable(this.family, 'no source is initialised');
    const limit = familyTimeouts(this.config, this.family).readMs;
    this.#reads++;
    // A detached program no longer counts: a reading would pass what is missing off as measured.
    const detached = detachedError(source);
    if (detached) {
      this.#readErrors++;
      throw detached;
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    const token = this.cache.begin();
    try {
      const got = await runWithDeadline(limit, () => familyTimeout(this.family, `${source.name} read`, 'readTimeoutMs', limit), async (signal) => {
        const check = await this.cache.check(source, signal, this.clock.wallMs());
        return check.hit ? { hit: check.hit, counter: null, data: null } : { hit: null, counter: check.counter, data: await source.read({ signal }) };
      }, {
        outer,
        kept: this.#readController,
        onOverrun: async ({ settled }) => {
          this.#timeouts.read++;
          if (settled || this.#selected !== source) return;
          this.logger.warn('source ignored the abort of its read and was closed', { family: this.family, source: source.name, timeoutMs: limit });
          this.#selected = null;
          this.#failure = new Timeout(`${source.name} read`, limit, {
            remedy: `The source did not stop when its read was aborted and was closed; engine.attemptRecovery() initialises it again. Raise families.${this.family}.readTimeoutMs if reads are slow.`,
            details: { family: this.family, closed: true },
          });
          this.#recoveredFrom = null;
          await this.#closeSource(source);
        },
      });
      const durationMs = performance.now() - started;
      this.#lastReadMs = durationMs;
      if (got.hit) {
        this.cache.end(token);
        return { result: { ...got.hit, durationMs }, cached: true, source, counter: null, token: null };
      }
      this.cache.countDecode();
      const result: FamilyResult = {
        family: this.family,
        source: source.kind,
        sourceName: source.name,
        fallback: this.#rejected[0]?.error ?? null,
        data: this.#filter ? this.#filter.apply(got.data, this.collector) : got.data,
        timestamp: this.clock.wallMs(),
        durationMs,
        ...(this.#recoveredFrom ? { recoveredFrom: this.#recoveredFrom } : {}),
      };
      return { result, cached: false, source, counter: got.counter, token };
    } catch (e) {
      this.#readErrors++;
      this.cache.abandon(token);
      throw asBpfscopeError(e, `${source.name} read`);
    } finally {
      addReadCost(this.#cost, started, cpu);
    }
  }

  /**
   * Keep a decoded read's final result (after the engine's filters and aggregators) as the
   * family's cached result, unless its source is no longer the selected one.
   * @returns what the cache keeps (capped at `maxDetailRecords`), or the result as given
   */
  keep(read: FamilyRead, result: FamilyResult): FamilyResult {
    if (read.cached) return result;
    if (this.#selected !== read.source) {
      this.cache.abandon(read.token);
      return result;
    }
    return this.cache.keep(read.source, result, read.counter, read.token);
  }

  /**
   * Records what a recovery (`recoverFamily`) did: `from`, the error the family
   * recovered from (null: it did not recover), its attempts and the waits between them.
   */
  recordRecovery(from: BpfscopeError | null, tried: number, delays: number[]): void {
    if (!from) {
      this.#recovery = { ...this.#recovery, lastAttempts: tried, lastDelaysMs: delays };
      return;
    }
    this.#recoveredFrom = from;
    this.#recovery = { recoveries: this.#recovery.recoveries + 1, recoveredFrom: from.code, lastAttempts: tried, lastDelaysMs: delays };
    this.logger.info('family recovered', { family: this.family, from: from.code, attempts: tried });
  }

  /** Counts a `collect()` answered from the cache with this family's value in it. */
  countCacheHit(): void {
    this.#cacheHits++;
  }

  async #closeSource(source: Source): Promise<void> {
    this.cache.invalidate();
    this.#lastSourceStats = this.#sourceStats(source) ?? this.#lastSourceStats;
    await this.#closeQuietly(source);
  }

  async close(): Promise<void> {
    const source = this.#selected;
    this.#selected = null;
    this.cache.invalidate();
    if (source) {
      this.#lastSourceStats = this.#sourceStats(source) ?? this.#lastSourceStats;
      await source.close();
    }
  }

  #sourceStats(source: Source): SourceStats | null {
    try {
      return source.stats?.() ?? null;
    } catch (e) {
      this.logger.warn('source stats failed', { family: this.family, source: source.name, error: String(e) });
      return null;
    }
  }

  /** The collector's figures; the engine adds the governor's. */
  stats(): Omit<CollectorStats, 'governor'> {
    const limits = familyTimeouts(this.config, this.family);
    return {
      family: this.family,
      source: this.#selected?.name ?? null,
      sourceKind: this.#selected?.kind ?? null,
      initAttempts: this.#initAttempts,
      initMs: this.#initMs,
      rejected: this.#rejected.map((r) => ({ source: r.source.name, code: r.error.code })),
      reads: this.#reads,
      readErrors: this.#readErrors,
      timeouts: { ...this.#timeouts },
      timeoutMs: { init: limits.initMs, read: limits.readMs },
      lastReadMs: this.#lastReadMs,
      readCost: { ...this.#cost },
      cacheHits: this.#cacheHits,
      cache: this.cache.stats(),
      recovery: { ...this.#recovery, lastDelaysMs: [...this.#recovery.lastDelaysMs] },
      sourceStats: (this.#selected ? this.#sourceStats(this.#selected) : null) ?? this.#lastSourceStats,
      filter: this.#filter?.stats() ?? null,
      events: this.events.stats(),
    };
  }
}
