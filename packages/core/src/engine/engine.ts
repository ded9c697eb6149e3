import { toMetricPoints } from '../metrics/metric-points.js';
import type { FamilyMetricMapper, MetricPointOptions, MetricPoints } from '../metrics/metric-types.js';
import type { DependencyContainer } from 'tsyringe';
import { tsyringe } from '../di.js';
import type { BpfscopeError } from '../errors/bpfscope-error.js';
import { Closed, ConfigError } from '../errors/taxonomy.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { AGGREGATOR, CLOCK, CONFIG, FILTER, LOGGER, PROCFS_READER } from '../tokens.js';
import { systemClock, type Clock } from '../services/clock.js';
import { createProcfsReader } from '../services/procfs-reader.js';
import type { FamilyError, Plugin } from '../types.js';
import type { Snapshot } from './snapshot.js';
import type { SetFilterResult } from '../filter/active-filter.js';
import type { FamilyFilter } from '../filter/family-filter.js';
import { validateFamilyFilter } from '../filter/validate-filter.js';
import type { FamilyEvent } from '../events/event-types.js';
import type { SampledEventStream } from '../events/event-sampling.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import type { DataUnavailable } from '../errors/taxonomy.js';
import type { EngineStats, StreamOptions } from './engine-types.js';
import type { EngineServices } from './create-engine.js';
import type { BatchedEventStream } from '../events/event-batch-types.js';
import { openFamilyBatches, openFamilyEvents, setFamilySampling, type FamilyBatchOptionsOf, type FamilyEventOptionsOf } from './family-events.js';
import { PluginSet } from './plugin-set.js';
import { readFamilies, snapshotStream, type Reading } from './read-families.js';
import { recoverFamilies, type RecoveryResult } from './recover-families.js';
import { listRunning } from './running.js';
import { Governors } from './governor/governors.js';
import { dropWith, privilegesDroppedError, processDropReport, type PrivilegeDropReport } from './privileges.js';
import { holdKept } from '../procfs/kept-proc-files.js';

export type { EngineStats, StreamOptions } from './engine-types.js';

/**
 * Runs the collectors of its plugins. Create it with {@link createEngine}.
 * Each engine owns one child container; each plugin registers into a container of its own below it.
 * The work is spread over small internal files: plugin registration and start
 * (plugin-set.ts), readings and streams (read-families.ts), recovery (recover-families.ts),
 * events (family-events.ts), and per family: source selection, time limits, reads and
 * recovery (collector-runtime.ts, source-init.ts).
 */
export class Engine {
  readonly #container: DependencyContainer;
  readonly #plugins: PluginSet;
  #started: Promise<void> | null = null;
  #closed = false;
  #inFlight = new Set<Promise<unknown>>();
  /** Aborted by close(): ends recovery's waits between attempts and every event stream. */
  readonly #closing = new AbortController();
  /** Wakes each waiting stream when the engine closes. */
  readonly #wakers = new Set<() => void>();
  #cached: Snapshot | null = null;
  /** Moves whenever the cached snapshot is dropped, so that a reading begun before is not cached. */
  #generation = 0;
  readonly #clock: Clock;
  #cacheHits = 0;
  #cacheMisses = 0;
  #collects = 0;
  /** The overhead governor of the eBPF families (docs/governor.md). */
  readonly #governors: Governors;
  /** What `dropPrivileges` did, once start() did it. */
  #privileges: PrivilegeDropReport | null = null;
  /** Releases this engine's hold on the kept procfs descriptors (procfs/kept-proc-files.ts); called by close(). */
  readonly #releaseKept = holdKept();

  /** @internal use {@link createEngine} */
  constructor(
    /** The validated configuration, defaults filled in. */
    readonly config: ResolvedConfig,
    /** Where the engine and its sources log: the logger given to `createEngine`, or JSON lines on stderr. */
    readonly logger: Logger,
    services: EngineServices = {},
  ) {
    this.#container = tsyringe.container.createChildContainer();
    this.#container.register(CONFIG, { useValue: config });
    this.#container.register(LOGGER, { useValue: logger });
    this.#container.register(PROCFS_READER, { useValue: services.procfs ?? createProcfsReader(config.procRoot, config.sysRoot) });
    this.#clock = services.clock ?? systemClock;
    this.#container.register(CLOCK, { useValue: this.#clock });
    this.#plugins = new PluginSet(this.#container, config, logger, this.#clock);
    this.#governors = new Governors({
      settings: config.governor,
      programStats: config.programStats,
      logger,
      wallMs: () => this.#clock.wallMs(),
      runStats: () => {
        const loader = this.#plugins.loader;
        if (!loader?.enableRunStats) return null;
        return () => {
          if (processDropReport()) throw privilegesDroppedError('turn kernel run-time statistics on (BPF_ENABLE_STATS)', ['CAP_SYS_ADMIN']);
          return loader.enableRunStats!();
        };
      },
      ...(services.governorClock ? { clock: services.governorClock } : {}),
    });
  }

  /**
   * Add a plugin. Its collectors start with the next {@link Engine.start} or {@link Engine.collect}.
   * @param plugin - the plugin
   * @returns a disposer that closes the plugin's collectors and removes it
   * @throws {@link ConfigError} when a plugin of that name is already registered, or when
   *   `config.families.<family>` does not fit the plugin's {@link Plugin.optionSchemas} (the error names the path)
   * @throws {@link Closed} after close
   */
  use(plugin: Plugin): () => Promise<void> {
    if (this.#closed) throw new Closed('engine');
    this.#plugins.add(plugin);
    if (this.#started) this.#started = this.#started.then(() => this.#plugins.start(plugin.name));
    return async () => {
      const entry = this.#plugins.remove(plugin.name);
      if (!entry) return;
      await Promise.all(entry.runtimes.map((r) => r.close()));
      await entry.plugin.shutdown?.();
      this.#dropCached();
    };
  }

  /** The metric mappers of the registered plugins (see {@link Plugin.metricMappers}). */
  metricMappers(): FamilyMetricMapper[] {
    return [...this.#plugins.entries()].flatMap((e) => e.plugin.metricMappers ?? []);
  }

  /**
   * The flat metric-point view of a snapshot, through the plugins' mappers (docs/metrics.md).
   * @param snapshot - a reading of this engine
   * @param options - detail series (per process, connection, file) and their cap
   * @throws {@link ConfigError} for a bad option
   */
  metricPoints(snapshot: Snapshot, options?: MetricPointOptions): MetricPoints {
    return toMetricPoints(snapshot, this.metricMappers(), options);
  }

  /**
   * Initialise every plugin and select each collector's source. With `dropPrivileges`, then
   * drop the eBPF capabilities of the process ({@link Engine.privileges} says what was done).
   * @throws the first error of a family whose mode is `ebpf` (strict) and whose eBPF source failed
   */
  async start(): Promise<void> {
    if (this.#closed) throw new Closed('engine');
    // Plugins start in parallel (their objects load concurrently); each family still tries its sources in order.
    this.#started ??= Promise.all(this.#plugins.names().map((name) => this.#plugins.start(name))).then(() => this.#dropPrivileges());
    await this.#started;
    const strict = this.#plugins.startErrors.find((e) => this.#plugins.runtime(e.family)?.mode === 'ebpf');
    if (strict) throw strict.error;
  }

  /** After every family attached: drop the capabilities, when the config asks (once). */
  #dropPrivileges(): void {
    if (!this.config.dropPrivileges || this.#privileges) return;
    this.#privileges = dropWith(this.#plugins.loader, () => this.#clock.wallMs(), this.config.procRoot);
    const r = this.#privileges;
    if (r.error !== null) this.logger.error('privileges not dropped', { error: r.error });
    else if (r.holding.length > 0) this.logger.warn('some threads still hold dropped capabilities', { holding: r.holding });
    else this.logger.info('privileges dropped', { capabilities: r.capabilities, threads: r.threads });
  }

  /**
   * What `dropPrivileges` did: the capabilities dropped, per thread whether any still holds
   * them (and why), and the bounding set; null when the config does not ask for it or
   * `start()` has not run yet.
   * @returns the report, or null
   */
  privileges(): PrivilegeDropReport | null {
    return this.#privileges;
  }

  /**
   * Read every family in parallel. Never throws for one bad family: its error is in `snapshot.errors`.
   * Within `cache.ttlMs` of the last reading it returns that snapshot; with `cache.aggressive`,
   * a family whose source's change counter did not move returns its last decoded result
   * (marked `cached`; docs/caching.md).
   * @param options - `signal` aborts the reads
   * @returns the snapshot
   * @throws {@link Closed} after close
   */
  async collect(options: { signal?: AbortSignal } = {}): Promise<Snapshot> {
    if (this.#closed) throw new Closed('engine');
    const now = this.#clock.wallMs();
    if (this.config.cache.enabled && this.#cached && now - this.#cached.timestamp < this.config.cache.ttlMs) {
      this.#cacheHits++;
      for (const rt of this.#plugins.runtimes()) if (this.#cached.get(rt.family)) rt.countCacheHit();
      return this.#cached;
    }
    this.#cacheMisses++;
    return this.#tracked(this.#collect(options.signal));
  }

  async #collect(signal?: AbortSignal): Promise<Reading> {
    if (this.#started) await this.#started;
    else await this.start().catch(() => undefined);
    this.#collects++;
    return readFamilies(this.#plugins, this.#plugins.resolveAll(FILTER), this.#plugins.resolveAll(AGGREGATOR), signal, this.#clock, this.#governors);
  }

  /**
   * Snapshots every `intervalMs` until `signal` aborts or the engine closes. Each snapshot is
   * a fresh reading of the sources (the `collect()` snapshot cache never answers a stream; the
   * change-counter cache of `cache.aggressive` does, per family). Readings
   * start `intervalMs` apart, or right away when the reading and the consumer took longer.
   * @param options - interval and signal
   * @returns an async iterator of snapshots; it ends when `signal` aborts or {@link Engine.close} is called
   * @throws {@link ConfigError} when `intervalMs` is not a finite number above 0
   * @throws {@link Closed} after close
   * @example
   * ```ts
   * for await (const snap of engine.stream({ intervalMs: 1000, signal })) console.log(snap.get('cpu')?.data.total);
   * ```
   */
  stream(options: StreamOptions = {}): AsyncGenerator<Snapshot, void, undefined> {
    if (this.#closed) throw new Closed('engine');
    const interval = options.intervalMs ?? this.config.intervalMs;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0) {
      throw new ConfigError('stream.intervalMs', interval, 'a finite number of milliseconds above 0');
    }
    return snapshotStream(
      {
        read: (signal) => this.#tracked(this.#collect(signal)),
        closed: () => this.#closed,
        onClose: (wake) => {
          this.#wakers.add(wake);
          return () => this.#wakers.delete(wake);
        },
      },
      interval,
      options.signal,
    );
  }

  /** Drops the cached snapshot, and any reading in flight will not be cached either. */
  #dropCached(): void {
    this.#cached = null;
    this.#generation++;
  }

  /** Registers a read as in flight (close() waits for it) and caches what the caches keep of its snapshot. */
  async #tracked(work: Promise<Reading>): Promise<Snapshot> {
    this.#inFlight.add(work);
    const generation = this.#generation;
    try {
      const { snapshot, kept } = await work;
      // A setting changed while it read: its snapshot is returned, not cached.
      if (this.config.cache.enabled && generation === this.#generation) this.#cached = kept;
      return snapshot;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  /**
   * Initialise again every family that has no working source (its init failed, or its
   * source was closed after ignoring the abort of a timed-out read), whose source reports
   * it is detached, or that fell back in `auto` mode. Each such family gets up to
   * `recovery.attempts` inits, waiting `recovery.baseDelayMs` before the second and twice
   * as long before each further one (a family that fell back gets one, it has data
   * meanwhile). Families recover in parallel. A family that recovered says so: its results
   * carry `recoveredFrom` and its stats `recovery`.
   * @param options - `signal` ends the waits between attempts
   * @returns the families that recovered, and those still failing with their last error
   * @throws {@link Closed} after close
   */
  async attemptRecovery(options: { signal?: AbortSignal } = {}): Promise<RecoveryResult> {
    if (this.#closed) throw new Closed('engine');
    await this.start().catch(() => undefined);
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    const result = await recoverFamilies(this.#plugins, signal, (work) => {
      this.#inFlight.add(work);
      void work.finally(() => this.#inFlight.delete(work)).catch(() => undefined);
    });
    this.#dropCached();
    return result;
  }

  /**
   * The typed events of one family (`proc`: fork, exec, exit; `mem`: OOM kills), from the
   * family's selected source. Events wait in a bounded queue (`queue`); when the consumer
   * is slower the oldest are dropped and counted. The counts of every stream appear in
   * `engine.stats()` under the family's `events`.
   * @param family - the family
   * @param options - `signal` ends the stream, `queue` bounds it, `sampling` samples it (each event's weight: `stream.weightOf(e)`), and the family's own options (e.g. proc's `tree`)
   * @returns the stream at once; `await stream.ready` before starting what it should see.
   *   Iterating throws {@link ConfigError} for an unknown family or a bad option, the family's
   *   init error when it has no source, and {@link DataUnavailable} when its selected source
   *   gives no events (e.g. a procfs fallback), or once its programs were detached from
   *   outside (checked every 2 s while the stream is open; the events held go out first)
   * @throws {@link ConfigError} when `queue` is not an integer ≥ 1
   * @throws {@link Closed} after close
   * @example
   * ```ts
   * for await (const e of engine.events('proc', { signal })) if (e.type === 'exit') console.log(e.pid, e.totals?.runtimeSeconds);
   * ```
   */
  events<F extends string>(family: F, options: FamilyEventOptionsOf<F> = {} as FamilyEventOptionsOf<F>): SampledEventStream<FamilyEvent<F>> {
    if (this.#closed) throw new Closed('engine');
    const stream = openFamilyEvents(this.#plugins, () => this.start(), this.#closing.signal, this.#clock, family, options);
    this.#watchConsumers(family);
    return stream;
  }

  /**
   * The family's events in batches (docs/sampling.md, "Adaptive batching"): the events, sampling,
   * weights (`batch.weights[i]`) and counts of {@link Engine.events}, one promise per batch. A batch
   * goes out at the size the arrival rate calls for (`minSize`–`maxSize`), when its oldest event
   * waited `maxDelayMs` (a timer runs only while a batch is open), or before it passes `maxBytes`.
   * @param family - the family
   * @param options - those of {@link Engine.events}, plus `batch`: `{ maxDelayMs, minSize, maxSize, maxBytes, sizeOf }`
   * @returns the stream at once (iterating throws as {@link Engine.events} does); figures in `engine.stats()` under `events.batching`
   * @throws {@link ConfigError} for a bad `queue`, `sampling` or `batch` field (named, e.g. `events.batch.maxSize`)
   * @throws {@link Closed} after close
   */
  eventBatches<F extends string>(family: F, options: FamilyBatchOptionsOf<F> = {} as FamilyBatchOptionsOf<F>): BatchedEventStream<FamilyEvent<F>> {
    if (this.#closed) throw new Closed('engine');
    const stream = openFamilyBatches(this.#plugins, () => this.start(), this.#closing.signal, this.#clock, family, options);
    this.#watchConsumers(family);
    return stream;
  }

  /** The governor judges the family while its event streams are open, reads or not. */
  #watchConsumers(family: string): void {
    this.#governors.watchConsumers(family, () => {
      const rt = this.#plugins.runtime(family);
      const source = rt?.selected;
      if (!rt || !source || source.kind !== 'ebpf' || rt.stats().events.open === 0) return null;
      return { source, reattach: (s) => rt.reattach(s) };
    });
  }

  /**
   * Sample one family's events at run time (docs/sampling.md). The part the family's kernel
   * programs can decide (uniform, tail with a threshold, token bucket, priority by `match`;
   * see {@link Source.samplingPushdown}) goes into their maps first, before ring-buffer space
   * is taken; every open stream of the family then samples the rest in user space (totals
   * stay exact), and streams opened later without their own `sampling` take it; `null` keeps
   * every event. Counts in `engine.stats()` (`collectors[i].events`, the kernel's in `.kernel`).
   * @param family - the family
   * @param config - the setting, or null
   * For proc and mem the kernel setting is one per process (their object is shared by its
   * engines): while another engine holds it, this engine's setting runs in user space
   * whole, and `engine.stats()` shows the holder's (`events.kernelOwner: 'other-engine'`).
   * @param options - `kernel: false` samples in user space only (this engine's kernel setting is removed;
   *   the same as a stream's `kernelSampling: false`)
   * @throws {@link ConfigError} naming `families.<family>.sampling…` for a bad setting or an unknown family
   * @throws {@link Closed} after close
   */
  async setSampling<F extends string>(family: F, config: SamplingConfig<FamilyEvent<F>> | null, options: { kernel?: boolean } = {}): Promise<void> {
    if (this.#closed) throw new Closed('engine');
    await setFamilySampling(this.#plugins, () => this.start(), family, config as SamplingConfig<never> | null, options.kernel ?? true);
    // Sampling shapes events, not readings; a cached reading is dropped all the same, so none outlives a setting change.
    this.#plugins.runtime(family)?.cache.invalidate();
    this.#dropCached();
  }

  /** Errors recorded while starting, per family. */
  startErrors(): readonly FamilyError[] {
    return [...this.#plugins.startErrors];
  }

  /**
   * Filter one family at run time, without reloading its programs: the selected source
   * pushes down what it can (its kernel filter maps), the engine applies the rest in user
   * space to each reading (see {@link FamilyFilter} for the record fields each part
   * matches). Replaces the family's previous filter, in the kernel too (for syscall: also the `pids` and
   * `syscalls` given to the plugin factory); `null` clears it. Hits and misses show
   * in `engine.stats()` (`collectors[i].filter`). Starts the engine if needed.
   * @param family - the family, e.g. `syscall`
   * @param filter - the filter, or null for none
   * @returns which parts went to the kernel and which stay in user space
   * @throws {@link ConfigError} for an unknown family, a bad filter value, or a part the family can apply nowhere
   * @throws {@link Closed} after close
   */
  async setFilter(family: string, filter: FamilyFilter | null): Promise<SetFilterResult> {
    if (this.#closed) throw new Closed('engine');
    const valid = filter === null ? null : validateFamilyFilter(family, filter);
    await this.start().catch(() => undefined);
    const rt = this.#plugins.runtime(family);
    if (!rt) throw new ConfigError('filter', family, `a family of this engine (${this.#plugins.familyList()})`);
    const result = await rt.setFilter(valid);
    this.#dropCached();
    return result;
  }

  /** Counters and timings of the engine and each collector. */
  stats(): EngineStats {
    const collectors = this.#plugins.runtimes().map((r) => ({ ...r.stats(), governor: this.#governors.stats(r.family) }));
    return {
      plugins: this.#plugins.names(),
      collectors,
      cache: { hits: this.#cacheHits, misses: this.#cacheMisses, estimatedBytes: collectors.reduce((sum, c) => sum + c.cache.estimatedBytes, 0) },
      programCache: this.#plugins.loader?.stats() ?? { hits: 0, misses: 0, loaded: 0 },
      collects: this.#collects,
      rssBytes: process.memoryUsage.rss(),
      running: [...listRunning(this.#wakers.size, this.#plugins, collectors), ...this.#governors.running()],
    };
  }

  /** Wait for in-flight reads, then close every source and plugin. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    for (const wake of this.#wakers) wake();
    await Promise.allSettled([...this.#inFlight]);
    await this.#started?.catch(() => undefined);
    this.#governors.close();
    const closing: Array<Promise<unknown>> = [];
    for (const e of this.#plugins.entries()) {
      closing.push(...e.runtimes.map((r) => r.close().catch((err: unknown) => this.logger.error('close failed', { family: r.family, error: String(err) }))));
    }
    await Promise.all(closing);
    for (const e of this.#plugins.entries()) await e.plugin.shutdown?.().catch((err: unknown) => this.logger.error('shutdown failed', { plugin: e.plugin.name, error: String(err) }));
    this.#container.clearInstances();
    this.#releaseKept();
  }
}

export type { BpfscopeError };
