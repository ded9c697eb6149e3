import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { tsyringe } from '../di.js';
import type { BpfscopeError } from '../errors/bpfscope-error.js';
import { Closed, ConfigError, DataUnavailable } from '../errors/taxonomy.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { AGGREGATOR, CLOCK, COLLECTOR, CONFIG, FILTER, LOGGER, OBJECT_LOADER, PROCFS_READER, familyOptionsToken } from '../tokens.js';
import { systemClock } from '../services/clock.js';
import { validateFamilyOptions } from '../services/family-options.js';
import type { ObjectLoader, ProgramCacheStats } from '../services/object-loader.js';
import { createProcfsReader } from '../services/procfs-reader.js';
import type { Aggregator, FamilyError, FamilyResult, Filter, Plugin } from '../types.js';
import { asBpfscopeError } from './as-error.js';
import { CollectorRuntime } from './collector-runtime.js';
import type { CollectorStats } from './collector-stats.js';
import { Snapshot } from './snapshot.js';
import type { SetFilterResult } from '../filter/active-filter.js';
import type { FamilyFilter } from '../filter/family-filter.js';
import { validateFamilyFilter } from '../filter/validate-filter.js';
import { EngineEventStream } from '../events/engine-event-stream.js';
import type { EventOptions, EventStream, FamilyEvent, FamilyEventFilter } from '../events/event-types.js';

/** What `engine.stats()` returns. */
export interface EngineStats {
  /** Names of the registered plugins, in registration order. */
  plugins: string[];
  /** One entry per enabled family of the started plugins. */
  collectors: CollectorStats[];
  /** How `collect()` calls were answered, since the engine was created. */
  cache: {
    /** Calls answered with the cached snapshot. */
    hits: number;
    /** Calls that had to read the sources (cache disabled, empty or older than `ttlMs`). */
    misses: number;
  };
  /**
   * This engine's eBPF object loads through {@link OBJECT_LOADER}: hits were answered by an
   * object already loaded in this process (by another engine, or a plugin of this one), misses
   * loaded one; `loaded` is the objects this engine holds now. All 0 when no plugin registered a loader.
   */
  programCache: ProgramCacheStats;
  /** Collections that read the sources; cache hits are not counted. */
  collects: number;
  /** Resident set size of the process, bytes. */
  rssBytes: number;
}

/** Options of {@link Engine.stream}. */
export interface StreamOptions {
  /** Time between snapshots, ms. @default config.intervalMs */
  intervalMs?: number;
  /** Ends the stream. */
  signal?: AbortSignal;
}

interface PluginEntry {
  plugin: Plugin;
  container: DependencyContainer;
  runtimes: CollectorRuntime[];
  /** Filters and aggregators, resolved once when the plugin starts (stateful ones keep their state). */
  resolved: Map<InjectionToken<unknown>, unknown[]>;
}

/**
 * Runs the collectors of its plugins. Create it with {@link createEngine}.
 * Each engine owns one child container; each plugin registers into a container of its own below it.
 */
export class Engine {
  readonly #container: DependencyContainer;
  readonly #plugins = new Map<string, PluginEntry>();
  #started: Promise<void> | null = null;
  #startErrors: FamilyError[] = [];
  #closed = false;
  #inFlight = new Set<Promise<unknown>>();
  /** Aborted by close(): ends recovery's waits between attempts. */
  readonly #closing = new AbortController();
  /** Wakes each waiting stream when the engine closes. */
  readonly #wakers = new Set<() => void>();
  #cached: Snapshot | null = null;
  /** The engine's object loader, once a plugin provided one (kept for stats after close). */
  #loader: ObjectLoader | null = null;
  #cacheHits = 0;
  #cacheMisses = 0;
  #collects = 0;

  /** @internal use {@link createEngine} */
  constructor(
    /** The validated configuration, defaults filled in. */
    readonly config: ResolvedConfig,
    /** Where the engine and its sources log: the logger given to `createEngine`, or JSON lines on stderr. */
    readonly logger: Logger,
  ) {
    this.#container = tsyringe.container.createChildContainer();
    this.#container.register(CONFIG, { useValue: config });
    this.#container.register(LOGGER, { useValue: logger });
    this.#container.register(PROCFS_READER, { useValue: createProcfsReader(config.procRoot, config.sysRoot) });
    this.#container.register(CLOCK, { useValue: systemClock });
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
    if (this.#plugins.has(plugin.name)) {
      throw new ConfigError('plugins', plugin.name, 'plugins with distinct names (this one is already registered)');
    }
    const container = this.#container.createChildContainer();
    for (const [family, schema] of Object.entries(plugin.optionSchemas ?? {})) {
      const options = validateFamilyOptions(family, schema, this.config.families[family]);
      container.register(familyOptionsToken(family), { useValue: options });
    }
    plugin.register(container);
    // One loader per engine: the first plugin's loader serves every plugin (see OBJECT_LOADER).
    if (container.isRegistered(OBJECT_LOADER, false) && this.#loader === null) {
      this.#loader = container.resolve(OBJECT_LOADER);
      this.#container.register(OBJECT_LOADER, { useValue: this.#loader });
    }
    this.#plugins.set(plugin.name, { plugin, container, runtimes: [], resolved: new Map() });
    if (this.#started) this.#started = this.#started.then(() => this.#startPlugin(plugin.name));
    return async () => {
      const entry = this.#plugins.get(plugin.name);
      if (!entry) return;
      this.#plugins.delete(plugin.name);
      await Promise.all(entry.runtimes.map((r) => r.close()));
      await entry.plugin.shutdown?.();
      this.#cached = null;
    };
  }

  /**
   * Initialise every plugin and select each collector's source.
   * @throws the first error of a family whose mode is `ebpf` (strict) and whose eBPF source failed
   */
  async start(): Promise<void> {
    if (this.#closed) throw new Closed('engine');
    // Plugins start in parallel (their objects load concurrently); each family still tries its sources in order.
    this.#started ??= Promise.all([...this.#plugins.keys()].map((name) => this.#startPlugin(name))).then(() => undefined);
    await this.#started;
    const strict = this.#startErrors.find((e) => this.#runtime(e.family)?.mode === 'ebpf');
    if (strict) throw strict.error;
  }

  async #startPlugin(name: string): Promise<void> {
    const entry = this.#plugins.get(name);
    if (!entry) return;
    await entry.plugin.initialize?.(entry.container);
    const collectors = entry.container.isRegistered(COLLECTOR, false) ? entry.container.resolveAll(COLLECTOR) : [];
    for (const c of collectors) {
      if (this.#runtime(c.family)) throw new ConfigError('plugins', name, `plugins with distinct families (${c.family} is provided twice)`);
      const enabled = this.config.families[c.family]?.enabled ?? true;
      if (!enabled) continue;
      entry.runtimes.push(new CollectorRuntime(c, this.config, this.logger));
    }
    const results = await Promise.all(entry.runtimes.map(async (r) => ({ family: r.family, error: await r.init() })));
    for (const { family, error } of results) if (error) this.#startErrors.push({ family, error });
  }

  #runtime(family: string): CollectorRuntime | undefined {
    for (const e of this.#plugins.values()) for (const r of e.runtimes) if (r.family === family) return r;
    return undefined;
  }

  #runtimes(): CollectorRuntime[] {
    return [...this.#plugins.values()].flatMap((e) => e.runtimes);
  }

  #resolveAll<T>(token: InjectionToken<T>): T[] {
    return [...this.#plugins.values()].flatMap((e) => {
      let found = e.resolved.get(token);
      if (found === undefined) {
        found = e.container.isRegistered(token, false) ? e.container.resolveAll<T>(token) : [];
        e.resolved.set(token, found);
      }
      return found as T[];
    });
  }

  /**
   * Read every family in parallel. Never throws for one bad family: its error is in `snapshot.errors`.
   * @param options - `signal` aborts the reads
   * @returns the snapshot
   * @throws {@link Closed} after close
   */
  async collect(options: { signal?: AbortSignal } = {}): Promise<Snapshot> {
    if (this.#closed) throw new Closed('engine');
    const now = Date.now();
    if (this.config.cache.enabled && this.#cached && now - this.#cached.timestamp < this.config.cache.ttlMs) {
      this.#cacheHits++;
      for (const rt of this.#runtimes()) if (this.#cached.get(rt.family)) rt.countCacheHit();
      return this.#cached;
    }
    this.#cacheMisses++;
    return this.#tracked(this.#collect(options.signal));
  }

  async #collect(signal?: AbortSignal): Promise<Snapshot> {
    if (this.#started) await this.#started;
    else await this.start().catch(() => undefined);
    this.#collects++;
    const filters = this.#resolveAll(FILTER);
    const aggregators = this.#resolveAll(AGGREGATOR);
    const families = new Map<string, FamilyResult>();
    const errors: FamilyError[] = [];
    await Promise.all(
      this.#runtimes().map(async (rt) => {
        if (!rt.selected) {
          const error = rt.failure ?? this.#startErrors.find((e) => e.family === rt.family)?.error;
          if (error) errors.push({ family: rt.family, error });
          return;
        }
        try {
          let result = await rt.read(signal);
          let data = result.data;
          for (const f of filters) if (f.family === rt.family) data = f.apply(data);
          for (const a of aggregators) if (a.family === rt.family) data = a.apply(data);
          if (data !== result.data) result = { ...result, data };
          families.set(rt.family, result);
        } catch (e) {
          errors.push({ family: rt.family, error: asBpfscopeError(e, rt.family) });
        }
      }),
    );
    const ordered = new Map([...families].sort(([a], [b]) => a.localeCompare(b)));
    return new Snapshot(Date.now(), ordered, errors.sort((a, b) => a.family.localeCompare(b.family)));
  }

  /**
   * Snapshots every `intervalMs` until `signal` aborts or the engine closes. Each snapshot is
   * a fresh reading of the sources (the `collect()` cache never answers a stream). Readings
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
    return this.#stream(interval, options.signal);
  }

  async *#stream(interval: number, signal: AbortSignal | undefined): AsyncGenerator<Snapshot, void, undefined> {
    // One wake-up for the stream's whole life, shared by the caller's signal and close():
    // a listener per wait would pile up on a long-lived signal.
    let wake: (() => void) | null = null;
    const onEnd = (): void => wake?.();
    signal?.addEventListener('abort', onEnd);
    this.#wakers.add(onEnd);
    try {
      while (!this.#closed && !signal?.aborted) {
        const started = performance.now();
        const snap = await this.#tracked(this.#collect(signal));
        // The caller stopped the stream while this reading ran: its reads were aborted, so it is not a reading.
        if (signal?.aborted) return;
        yield snap;
        const wait = interval - (performance.now() - started);
        if (wait <= 0 || this.#closed || signal?.aborted) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => { wake = null; resolve(); }, wait);
          wake = () => { clearTimeout(timer); wake = null; resolve(); };
        });
      }
    } finally {
      signal?.removeEventListener('abort', onEnd);
      this.#wakers.delete(onEnd);
    }
  }

  /** Registers a read as in flight (close() waits for it) and caches its snapshot. */
  async #tracked(work: Promise<Snapshot>): Promise<Snapshot> {
    this.#inFlight.add(work);
    try {
      const snap = await work;
      this.#cached = snap;
      return snap;
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
  async attemptRecovery(options: { signal?: AbortSignal } = {}): Promise<{
    /** Families that now have a working source (their preferred one, for a family that had fallen back). */
    recovered: string[];
    /** Families for which no source initialised, each with the last error. */
    failing: FamilyError[];
  }> {
    if (this.#closed) throw new Closed('engine');
    await this.start().catch(() => undefined);
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    const work = Promise.all(this.#runtimes().map(async (rt) => ({ rt, outcome: await rt.recover(signal) })));
    // close() waits for a recovery under way, so no source is initialised after it.
    this.#inFlight.add(work);
    const outcomes = await work.finally(() => this.#inFlight.delete(work));
    const recovered: string[] = [];
    const failing: FamilyError[] = [];
    for (const { rt, outcome } of outcomes) {
      if (!outcome) continue;
      this.#startErrors = this.#startErrors.filter((e) => e.family !== rt.family);
      if (outcome.recovered) recovered.push(rt.family);
      else if (!rt.selected && outcome.error) {
        this.#startErrors.push({ family: rt.family, error: outcome.error });
        failing.push({ family: rt.family, error: outcome.error });
      }
    }
    this.#cached = null;
    return { recovered, failing };
  }

  /**
   * The typed events of one family (`proc`: fork, exec, exit; `mem`: OOM kills), from the
   * family's selected source. Events wait in a bounded queue (`queue`); when the consumer
   * is slower the oldest are dropped and counted. The counts of every stream appear in
   * `engine.stats()` under the family's `events`.
   * @param family - the family
   * @param options - `signal` ends the stream, `queue` bounds it, and the family's own options (e.g. proc's `tree`)
   * @returns the stream at once; `await stream.ready` before starting what it should see.
   *   Iterating throws {@link ConfigError} for an unknown family or a bad option, the family's
   *   init error when it has no source, and {@link DataUnavailable} when its selected source
   *   gives no events (e.g. a procfs fallback)
   * @throws {@link ConfigError} when `queue` is not an integer ≥ 1
   * @throws {@link Closed} after close
   * @example
   * ```ts
   * for await (const e of engine.events('proc', { signal })) if (e.type === 'exit') console.log(e.pid, e.totals?.runtimeSeconds);
   * ```
   */
  events<F extends string>(family: F, options: EventOptions & FamilyEventFilter<F> = {} as EventOptions & FamilyEventFilter<F>): EventStream<FamilyEvent<F>> {
    if (this.#closed) throw new Closed('engine');
    const { signal, queue = 4096, ...rest } = options as EventOptions & Record<string, unknown>;
    if (!Number.isInteger(queue) || queue < 1) throw new ConfigError('events.queue', queue, 'an integer of 1 or more');
    const ended = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    const open = async (): Promise<EventStream<FamilyEvent<F>>> => {
      await this.start().catch(() => undefined);
      const rt = this.#runtime(family);
      if (!rt) throw new ConfigError('events.family', family, `a family of a started plugin (${this.#runtimes().map((r) => r.family).join(', ') || 'none'})`);
      rt.events.add(stream);
      const source = rt.selected;
      if (!source) throw rt.failure ?? this.#startErrors.find((e) => e.family === family)?.error ?? new DataUnavailable(`${family} events`, 'the family has no initialised source');
      if (!source.events) {
        throw new DataUnavailable(`${family} events`, `its selected source ${source.name} (${source.kind}) gives no events`, {
          remedy: `Events come from the family's eBPF source: run where it can load (see checkSupport()) and set families.${family}.mode to 'ebpf' to fail loudly when it cannot.`,
        });
      }
      return source.events({ ...rest, signal: ended, queue }) as EventStream<FamilyEvent<F>>;
    };
    const stream = new EngineEventStream<FamilyEvent<F>>(open());
    return stream;
  }

  /** Errors recorded while starting, per family. */
  startErrors(): readonly FamilyError[] {
    return [...this.#startErrors];
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
    const rt = this.#runtime(family);
    if (!rt) throw new ConfigError('filter', family, `a family of this engine (${this.#runtimes().map((r) => r.family).join(', ') || 'none'})`);
    const result = await rt.setFilter(valid);
    this.#cached = null;
    return result;
  }

  /** Counters and timings of the engine and each collector. */
  stats(): EngineStats {
    return {
      plugins: [...this.#plugins.keys()],
      collectors: this.#runtimes().map((r) => r.stats()),
      cache: { hits: this.#cacheHits, misses: this.#cacheMisses },
      programCache: this.#loader?.stats() ?? { hits: 0, misses: 0, loaded: 0 },
      collects: this.#collects,
      rssBytes: process.memoryUsage.rss(),
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
    const closing: Array<Promise<unknown>> = [];
    for (const e of this.#plugins.values()) {
      closing.push(...e.runtimes.map((r) => r.close().catch((err: unknown) => this.logger.error('close failed', { family: r.family, error: String(err) }))));
    }
    await Promise.all(closing);
    for (const e of this.#plugins.values()) await e.plugin.shutdown?.().catch((err: unknown) => this.logger.error('shutdown failed', { plugin: e.plugin.name, error: String(err) }));
    this.#container.clearInstances();
  }
}

export type { BpfscopeError };
