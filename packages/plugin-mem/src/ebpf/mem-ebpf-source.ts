import { awaitOrAbort, Closed, ConfigError, createEventStream, DataUnavailable, KeptSourceStats, isBpfscopeError, splitSamplingForKernel, type EventStream, type KernelSamplingCounts, type KernelSamplingState, type SamplingConfig, type SamplingPushdownResult, type Logger, type ReadContext, type Source, type SourceContext, type SourceEventOptions, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, IteratorTable, loadNative, SharedSamplingSlot, type NativeObjectLoader, ProgramStatsReporter, type BpfObject, type LoadedBpfObject, readStatsCounters, type RingBatch, type RingSubscription } from '@bpfscope/native';
import type { ResolvedMemOptions } from '../options.js';
import { MemReader, type FaultsResult } from '../read/mem-reader.js';
import { countCgroupChanges } from './cgroup-changes.js';
import type { OomVictim } from '../records-oom.js';
import type { MemServices } from '../services.js';
import type { MemMetrics } from '../records.js';
import type { mem, MemCollector } from '../plugin.js';
import { FaultDecoder } from './decode-faults.js';
import { memLayouts, type MemLayouts } from './mem-layouts.js';
import { OomVictimDecoder } from './oom-victims.js';
import { MEM_OBJECT_PATH } from '../object-path.js';

export { MEM_OBJECT_PATH };

const SAMPLING_PATH = 'families.mem.sampling';


/**
 * The eBPF source of the mem family: per-process page faults from the task iterator
 * (every thread, and the exited threads' totals), OOM victims from tp_btf/mark_victim
 * through a ring buffer. System memory, vmstat and the cgroups come from procfs and sysfs
 * (marked in `fieldSources`); the cgroup hierarchy is walked again only when the kernel
 * counted a cgroup made, removed or renamed since the last walk (tp_btf/cgroup_*).
 */
export class MemEbpfSource implements Source<MemMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'mem-ebpf';
  #obj: BpfObject | null = null;
  #handle: LoadedBpfObject | null = null;
  readonly #loader: NativeObjectLoader;
  #consumer: RingSubscription | null = null;
  #layouts: MemLayouts | null = null;
  #reader: MemReader | null = null;
  readonly #faults = new FaultDecoder();
  /** The processes' fault table, read into one kept buffer (on this thread while it is small). */
  readonly #table = new IteratorTable('mem_iter');
  #victims: OomVictim[] = [];
  #events = 0;
  #evicted = 0;
  #badEvents = 0;
  /** The open `events()` streams: each gets every victim. */
  readonly #sinks = new Set<(v: OomVictim) => void>();
  /** Ends the `events()` streams when the source closes. */
  #closing = new AbortController();
  #logger: Logger | null = null;
  #generation = 0;
  #loaded = false;
  readonly #kept = new KeptSourceStats();
  readonly #programStats = new ProgramStatsReporter();
  /** The process's kernel sampling of OOM events (one setting for every engine: the object is shared). */
  readonly #sampling: SharedSamplingSlot;
  /** The kernel sampling counts when the source started. */
  #samplingBase: KernelSamplingCounts | null = null;

  /**
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's object loader, procfs reader and clock (the {@link MemCollector} resolves them from the container)
   * @internal use the {@link mem} plugin factory
   */
  constructor(private readonly options: ResolvedMemOptions, private readonly services: MemServices) {
    this.#loader = asNativeLoader(services.loader);
    this.#sampling = SharedSamplingSlot.of('mem_smp', options.objectPath, 0, () => 0, SAMPLING_PATH);
  }

  async init(context: SourceContext): Promise<void> {
    this.#victims = [];
    this.#events = this.#evicted = this.#badEvents = 0;
    // close() during an init (a timed-out one) bumps the generation: the init must not go on.
    const generation = ++this.#generation;
    const closed = (): void => {
      if (generation !== this.#generation) throw new Closed('mem-ebpf source', { details: { call: 'init' } });
    };
    loadNative();
    this.#logger = context.logger;
    const path = this.options.objectPath;
    // Shared with other engines: nothing per engine is written into the object, the OOM hook is
    // attached once, and one ring buffer consumer hands every OOM event to every engine's source.
    // The engine's init time limit is the only one: on abort the handle the load gives is closed.
    const loading = this.#loader.load({ path });
    const handle = await awaitOrAbort(loading, context.signal, () => void loading.then((h) => h.close(), () => undefined));
    if (generation !== this.#generation) {
      handle.close();
      closed();
    }
    this.#handle = handle;
    const obj = handle.object;
    this.#obj = obj;
    this.#loaded = true;
    this.#programStats.start(context.config.programStats);
    this.#layouts = memLayouts(handle.structLayouts());
    const decoder = new OomVictimDecoder(this.#layouts.oom, this.services.procfs, this.services.clock);
    const consumer = handle.subscribeRing('mem_oom_events', { statsMap: 'mem_stats', batchSize: context.config.batchSize });
    this.#consumer = consumer;
    consumer.onError((e) => this.#logger?.warn('mem OOM ring buffer failed', { code: e.code, message: e.message }));
    consumer.onBatch((batch) => this.#onBatch(batch, decoder));
    handle.attach('mem_oom_victim');
    const changes = this.options.cgroups ? countCgroupChanges(handle, this.#layouts.cgroupChanges, this.#logger) : null;
    // An iterator that cannot run should reject the source now, not fail every read.
    const faultLayout = this.#layouts.faults;
    // Decoded once here too: a table of malformed records rejects init (not after an abort).
    if (this.options.processes) await awaitOrAbort(this.#table.read(obj, (bytes) => void (context.signal.aborted || this.#faults.decode(bytes, faultLayout))), context.signal);
    closed();
    const reader = new MemReader(this.services.procfs, this.services.clock, this.options, changes);
    reader.start();
    this.#reader = reader;
    this.#sampling.opened(obj);
    this.#samplingBase = this.#sampling.counts();
  }

  #onBatch(batch: RingBatch, decoder: OomVictimDecoder): void {
    for (let i = 0; i < batch.length; i++) {
      this.#events++;
      let victim: OomVictim;
      try {
        victim = decoder.decode(batch.data(i));
      } catch (e) {
        this.#badEvents++;
        this.#logger?.warn('mem OOM event could not be decoded', { code: isBpfscopeError(e) ? e.code : undefined, message: e instanceof Error ? e.message : String(e) });
        continue;
      }
      this.#victims.push(victim);
      if (this.#victims.length > this.options.maxOomVictims) {
        this.#victims.shift();
        this.#evicted++;
      }
      for (const sink of this.#sinks) sink(victim);
    }
  }

  /**
   * Sampling of OOM kill events in the kernel: uniform, priority by pid or cgroup, the token
   * bucket (no tail, no kinds: one kind of event without a latency). One setting per
   * process, as the mem object is shared by the engines of the process: the first engine
   * that puts a setting there holds the kernel until it removes it (null, or a setting with
   * no kernel part) or closes; meanwhile another engine's setting is applied in user space
   * whole (`kernel: null`) and nothing it does writes the kernel's setting.
   * @param config - the setting, or null for none
   * @returns the kernel part applied and the user-space rest
   * @throws {@link @bpfscope/core!ConfigError} for priority kinds
   */
  async samplingPushdown(config: SamplingConfig<unknown> | null): Promise<SamplingPushdownResult<unknown>> {
    if (!this.#obj || !this.#loaded) throw new Closed('the mem-ebpf source (not initialised, or closed)');
    const split = splitSamplingForKernel(config, { tail: false, priority: { pids: true, cgroups: true, kinds: false } }, SAMPLING_PATH);
    return this.#sampling.push(this, split.kernel) ? split : { kernel: null, rest: config };
  }

  /**
   * The kernel sampling counts of OOM events since the source started: the process's (every
   * engine's OOM events meet the one setting in force).
   * @returns the counts, or null before init
   */
  samplingCounts(): KernelSamplingCounts | null {
    return this.#obj && this.#loaded && this.#samplingBase !== null ? this.#sampling.countsSince(this.#samplingBase) : null;
  }

  /** The kernel setting in force for OOM events and whether another engine put it there. @returns the state */
  samplingState(): KernelSamplingState {
    return this.#sampling.state(this);
  }

  /**
   * The mem family's events: each OOM kill's victim, through
   * `engine.events('mem', { signal, queue })`, from the shared `mem_oom_events` ring.
   * @param options - signal and queue; mem events take no other option
   * @returns the stream of victims from now on
   * @throws {@link @bpfscope/core!ConfigError} for any other option
   */
  events(options: SourceEventOptions): EventStream<OomVictim> {
    const { signal, queue, ...rest } = options;
    for (const key of Object.keys(rest)) throw new ConfigError(`events.${key}`, rest[key], 'no such option of mem events (only signal and queue)');
    return createEventStream<OomVictim>({
      family: 'mem',
      queue,
      signal: AbortSignal.any([signal, this.#closing.signal]),
      start: async (push) => {
        if (this.#reader === null) throw new DataUnavailable('mem OOM events', 'the mem eBPF source is not running');
        this.#sinks.add(push);
        return { stop: () => void this.#sinks.delete(push), kernelDropped: () => this.#consumer?.stats().kernelDropped ?? null };
      },
    });
  }

  async read(context: ReadContext): Promise<MemMetrics> {
    const obj = this.#obj;
    const reader = this.#reader;
    const layouts = this.#layouts;
    if (!obj || !reader || !layouts) throw new DataUnavailable('mem-ebpf', 'the source is not initialised');
    let m: MemMetrics | null = null;
    if (!this.options.processes) m = reader.read({ rows: null, error: null });
    else {
      // The rows (and their names) are used while the table's buffer is lent: the reading is made
      // inside, once; a table that could not be read makes it without rows.
      let used = false;
      const use = (bytes: Uint8Array): MemMetrics | null => {
        if (context.signal.aborted) return null;
        used = true;
        return reader.read(this.#decodeFaults(bytes, layouts.faults));
      };
      try {
        m = await awaitOrAbort(this.#table.read(obj, use), context.signal);
      } catch (e) {
        if (used || !isBpfscopeError(e) || context.signal.aborted) throw e;
        m = reader.read({ rows: null, error: e });
      }
      if (m === null) throw context.signal.reason ?? new Error('mem-ebpf: the read was aborted');
    }
    m.oom.events = this.#events;
    m.oom.victims = [...this.#victims];
    m.oom.victimsEvicted = this.#evicted;
    try {
      const k = readStatsCounters(obj.map('mem_stats'));
      const c = this.#consumer?.stats();
      m.kernel = { invocations: k.invocations, events: k.events, drops: k.drops, delivered: c?.delivered ?? 0, lost: c?.lost ?? 0 };
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      m.errors.kernel = e;
    }
    m.fieldSources = { system: 'procfs', swap: 'procfs', vmstat: 'procfs', oomCounts: 'procfs', cgroups: 'sysfs' };
    return m;
  }

  /** The process faults in a table's output, or the taxonomy error that stopped their decode. */
  #decodeFaults(bytes: Uint8Array, layout: MemLayouts['faults']): FaultsResult {
    try {
      return { rows: this.#faults.decode(bytes, layout), error: null };
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      return { rows: null, error: e };
    }
  }

  /** Why the source no longer sees OOM kills though it was initialised (its link is gone), or null. */
  detached(): string | null {
    const gone = this.#reader ? (this.#handle?.detachedPrograms() ?? []) : [];
    return gone.length > 0 ? `program ${gone.join(', ')} of ${this.name} is no longer attached` : null;
  }

  stats(options?: SourceStatsOptions): SourceStats {
    if (!this.#obj || !this.#loaded) return this.#kept.last;
    const counters = {
      ...this.#reader?.stats(),
      oomEvents: this.#events,
      oomEventsUndecodable: this.#badEvents,
    };
    // Whole figures are kept for after close: the last counts stay readable.
    return this.#kept.keep(this.#programStats.sourceStats([{ object: this.#obj, statsMap: 'mem_stats' }], counters, options), options);
  }

  async close(): Promise<void> {
    if (this.#obj && this.#loaded) this.stats();
    this.#loaded = false;
    this.#programStats.stop();
    this.#generation++;
    this.#reader?.close();
    this.#reader = null;
    this.#closing.abort();
    this.#closing = new AbortController();
    this.#consumer?.close();
    this.#consumer = null;
    this.#sampling.release(this);
    if (this.#samplingBase !== null && this.#obj) this.#sampling.closed(this.#obj);
    this.#samplingBase = null;
    this.#handle?.close();
    this.#handle = null;
    this.#obj = null;
  }
}
