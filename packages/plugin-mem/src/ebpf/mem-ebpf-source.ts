import { fileURLToPath } from 'node:url';
import { Closed, DataUnavailable, isBpfscopeError, type BpfscopeError, type Logger, type ObjectLoader, type ReadContext, type Source, type SourceContext } from '@bpfscope/core';
import { asNativeLoader, NativeObjectLoader, loadNative, type BpfObject, type LoadedBpfObject, readObjectFile, readStatsCounters, readStructLayouts, type RingBatch, type RingSubscription } from '@bpfscope/native';
import type { ResolvedMemOptions } from '../options.js';
import { MemReader, type FaultsResult } from '../read/mem-reader.js';
import type { OomEventsOptions, OomVictim } from '../records-oom.js';
import type { MemMetrics } from '../records.js';
import type { mem } from '../plugin.js';
import { decodeFaults } from './decode-faults.js';
import { memLayouts, type MemLayouts } from './mem-layouts.js';
import { OomStream } from './oom-stream.js';
import { OomVictimDecoder } from './oom-victims.js';

/** Where the compiled object ships in this package. @internal */
export const MEM_OBJECT_PATH = fileURLToPath(new URL('../../bpf/mem.bpf.o', import.meta.url));

/**
 * The eBPF source of the mem family: per-process page faults from the task iterator
 * (every thread, and the exited threads' totals), OOM victims from tp_btf/mark_victim
 * through a ring buffer. System memory, vmstat and the cgroups come from procfs and sysfs
 * (marked in `fieldSources`).
 */
export class MemEbpfSource implements Source<MemMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'mem-ebpf';
  #obj: BpfObject | null = null;
  #handle: LoadedBpfObject | null = null;
  #loader: NativeObjectLoader | null = null;
  #consumer: RingSubscription | null = null;
  #layouts: MemLayouts | null = null;
  #reader: MemReader | null = null;
  #victims: OomVictim[] = [];
  #events = 0;
  #evicted = 0;
  #badEvents = 0;
  #stream = new OomStream();
  #logger: Logger | null = null;
  #initError: BpfscopeError | null = null;
  #generation = 0;

  /** @internal use the {@link mem} plugin factory */
  constructor(private readonly options: ResolvedMemOptions) {}

  /** True between a successful init and close. */
  get active(): boolean {
    return this.#reader !== null;
  }

  /** Why the last init failed, or null. */
  get initError(): BpfscopeError | null {
    return this.#initError;
  }

  async init(context: SourceContext): Promise<void> {
    this.#initError = null;
    this.#victims = [];
    this.#events = this.#evicted = this.#badEvents = 0;
    try {
      await this.#init(context);
    } catch (e) {
      if (isBpfscopeError(e)) this.#initError = e;
      throw e;
    }
  }

  /**
   * Load through the engine's object loader ({@link @bpfscope/core!OBJECT_LOADER}); without one the source uses a loader of its own.
   * @internal the collector calls it with the container's loader
   */
  useLoader(loader: ObjectLoader): void {
    this.#loader = asNativeLoader(loader);
  }

  async #init(context: SourceContext): Promise<void> {
    // close() during an init (a timed-out one) bumps the generation: the init must not go on.
    const generation = ++this.#generation;
    const closed = (): void => {
      if (generation !== this.#generation) throw new Closed('mem-ebpf source', { details: { call: 'init' } });
    };
    loadNative();
    this.#logger = context.logger;
    const path = this.options.objectPath;
    const bytes = await readObjectFile(path);
    closed();
    // Shared with other engines: nothing per engine is written into the object, the OOM hook is
    // attached once, and one ring buffer consumer hands every OOM event to every engine's source.
    this.#loader ??= new NativeObjectLoader();
    const handle = await this.#loader.load({ path, timeoutMs: Math.max(context.config.operationTimeoutMs, 10_000) });
    if (generation !== this.#generation) {
      handle.close();
      closed();
    }
    this.#handle = handle;
    const obj = handle.object;
    this.#obj = obj;
    this.#layouts = memLayouts(readStructLayouts(bytes, path));
    const decoder = new OomVictimDecoder(this.#layouts.oom, context.config.procRoot, context.config.sysRoot);
    const consumer = handle.subscribeRing('mem_oom_events', { statsMap: 'mem_stats' });
    this.#consumer = consumer;
    consumer.onError((e) => this.#logger?.warn('mem OOM ring buffer failed', { code: e.code, message: e.message }));
    consumer.onBatch((batch) => this.#onBatch(batch, decoder));
    handle.attach('mem_oom_victim');
    // An iterator that cannot run should reject the source now, not fail every read.
    decodeFaults(await obj.readIterator('mem_iter'), this.#layouts.faults);
    closed();
    const reader = new MemReader(context.config.procRoot, context.config.sysRoot, this.options);
    reader.start();
    this.#reader = reader;
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
      this.#stream.push(victim);
    }
  }

  /**
   * A stream of OOM victims from now on.
   * @param options - abort signal, queue bound
   * @throws {@link @bpfscope/core!DataUnavailable} when the source is not running
   */
  oomEvents(options?: OomEventsOptions): AsyncIterableIterator<OomVictim> {
    if (!this.active) throw new DataUnavailable('mem OOM events', 'the mem eBPF source is not running');
    return this.#stream.subscribe(options);
  }

  async read(_context: ReadContext): Promise<MemMetrics> {
    const obj = this.#obj;
    const reader = this.#reader;
    const layouts = this.#layouts;
    if (!obj || !reader || !layouts) throw new DataUnavailable('mem-ebpf', 'the source is not initialised');
    let faults: FaultsResult;
    try {
      faults = { totals: decodeFaults(await obj.readIterator('mem_iter'), layouts.faults), error: null };
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      faults = { totals: null, error: e };
    }
    const m = reader.read(faults);
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

  stats(): Readonly<Record<string, number>> {
    return {
      ...this.#reader?.stats(),
      oomEvents: this.#events,
      oomEventsUndecodable: this.#badEvents,
      oomStreamReaders: this.#stream.readers,
      oomStreamDropped: this.#stream.dropped,
    };
  }

  async close(): Promise<void> {
    this.#generation++;
    this.#reader = null;
    this.#stream.end();
    this.#stream = new OomStream();
    this.#consumer?.close();
    this.#consumer = null;
    this.#handle?.close();
    this.#handle = null;
    this.#obj = null;
  }
}
