import { awaitOrAbort, Closed, DataUnavailable, KeptSourceStats, isBpfscopeError, type EventStream, type Logger, type ReadContext, type Source, type SourceContext, type SourceEventOptions, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, loadNative, ProgramStatsReporter, readStatsCounters, type BpfObject, type LoadedBpfObject, type NativeObjectLoader, type RingBatch, type RingSubscription } from '@bpfscope/native';
import { THERMAL_OBJECT_PATH } from '../object-path.js';
import type { ResolvedThermalOptions } from '../options.js';
import { requireSensors, ThermalReader } from '../read/thermal-reader.js';
import type { ThermalEvent } from '../records-events.js';
import type { ThermalMetrics } from '../records.js';
import type { ThermalServices } from '../services.js';
import { thermalEvents } from '../sysfs/thermal-sysfs-source.js';
import type { thermal, ThermalCollector } from '../plugin.js';
import { decodeCoolingUpdates, decodeTrip, decodeZones, thermalLayouts, type ThermalLayouts } from './thermal-kernel.js';

export { THERMAL_OBJECT_PATH };

/** The programs, in attach order; `cdev_update` is optional (older kernels lack it). */
const PROGRAMS = ['thermal_temp', 'thermal_trip'] as const;
const OPTIONAL_PROGRAM = 'thermal_cdev';

/**
 * The eBPF source of the thermal family: the kernel's own readings of each zone
 * (tp_btf/thermal_temperature: count, minimum and maximum between two reads), its trip
 * crossings (tp_btf/thermal_zone_trip: counted per zone and sent as events) and cooling
 * state changes (tp_btf/cdev_update), beside the sysfs readings of zones, cooling devices
 * and hwmon channels (marked in `fieldSources`). The object is loaded per engine (not
 * shared): each read drains the zone maps, which another engine would otherwise empty.
 */
export class ThermalEbpfSource implements Source<ThermalMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'thermal-ebpf';
  readonly #loader: NativeObjectLoader;
  #handle: LoadedBpfObject | null = null;
  #obj: BpfObject | null = null;
  #layouts: ThermalLayouts | null = null;
  #reader: ThermalReader | null = null;
  #consumer: RingSubscription | null = null;
  #cdevAttached = false;
  #trips = 0;
  #badTrips = 0;
  #generation = 0;
  #logger: Logger | null = null;
  #closing = new AbortController();
  readonly #kept = new KeptSourceStats();
  readonly #programStats = new ProgramStatsReporter();

  /**
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's object loader, sysfs reader and clock (the {@link ThermalCollector} resolves them)
   * @internal use the {@link thermal} plugin factory
   */
  constructor(private readonly options: ResolvedThermalOptions, private readonly services: ThermalServices) {
    this.#loader = asNativeLoader(services.loader);
  }

  async init(context: SourceContext): Promise<void> {
    this.#trips = this.#badTrips = 0;
    const generation = ++this.#generation;
    // No sensor, no family: checked before anything is loaded.
    requireSensors(this.services.procfs);
    loadNative();
    this.#logger = context.logger;
    const loading = this.#loader.load({ path: this.options.objectPath, shared: false });
    const handle = await awaitOrAbort(loading, context.signal, () => void loading.then((h) => h.close(), () => undefined));
    if (generation !== this.#generation) {
      handle.close();
      throw new Closed('thermal-ebpf source', { details: { call: 'init' } });
    }
    this.#handle = handle;
    this.#obj = handle.object;
    try {
      this.#start(handle, context);
    } catch (e) {
      // A foreign object (no thermal layouts) or a failed attach: nothing of it stays loaded.
      await this.close();
      throw e;
    }
    this.#reader = new ThermalReader(this.services.procfs, this.services.clock, this.options);
  }

  /** Whether the object in hand is the thermal object, started (its stats map can be read). */
  get #running(): boolean {
    return this.#obj !== null && this.#reader !== null;
  }

  /** Check the layouts, subscribe to the trip ring and attach the programs. */
  #start(handle: LoadedBpfObject, context: SourceContext): void {
    const layouts = thermalLayouts(handle.structLayouts());
    this.#layouts = layouts;
    this.#programStats.start(context.config.programStats);
    const consumer = handle.subscribeRing('thermal_trips', { statsMap: 'thermal_stats', batchSize: context.config.batchSize });
    this.#consumer = consumer;
    consumer.onError((e) => this.#logger?.warn('thermal trip ring buffer failed', { code: e.code, message: e.message }));
    consumer.onBatch((batch) => this.#onBatch(batch, layouts));
    for (const p of PROGRAMS) handle.attach(p);
    try {
      handle.attach(OPTIONAL_PROGRAM);
      this.#cdevAttached = true;
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      this.#cdevAttached = false;
      this.#logger?.info('thermal: cdev_update is not attached; cooling state changes are not counted', { code: e.code, message: e.message });
    }
  }

  #onBatch(batch: RingBatch, layouts: ThermalLayouts): void {
    for (let i = 0; i < batch.length; i++) {
      let trip: ThermalEvent;
      try {
        trip = decodeTrip(batch.data(i), layouts.trip, this.services.clock);
      } catch (e) {
        this.#badTrips++;
        this.#logger?.warn('thermal trip event could not be decoded', { message: e instanceof Error ? e.message : String(e) });
        continue;
      }
      this.#trips++;
      for (const sink of this.#reader?.sinks ?? []) sink(trip);
    }
  }

  async read(context: ReadContext): Promise<ThermalMetrics> {
    const obj = this.#obj;
    const reader = this.#reader;
    const layouts = this.#layouts;
    if (!obj || !reader || !layouts) throw new DataUnavailable('thermal-ebpf', 'the source is not initialised');
    const m = reader.read();
    m.fieldSources = { zones: 'sysfs', cooling: 'sysfs', sensors: 'sysfs', cpus: 'sysfs', packages: 'sysfs' };
    try {
      // Drained: what the kernel saw since the previous read.
      const zones = decodeZones(await awaitOrAbort(obj.map('thermal_zones').lookupAndDeleteBatch(), context.signal), layouts.zone);
      for (const z of m.zones) z.kernel = zones.get(z.id) ?? { readings: 0, tripCrossings: 0, minCelsius: null, maxCelsius: null };
      if (this.#cdevAttached) {
        const cdevs = decodeCoolingUpdates(await awaitOrAbort(obj.map('thermal_cdevs').lookupAndDeleteBatch(), context.signal), layouts.cdev);
        for (const c of m.cooling) c.kernelUpdates = cdevs.get(c.id) ?? 0;
      }
      const k = readStatsCounters(obj.map('thermal_stats'));
      m.kernel = { invocations: k.invocations, events: k.events, drops: k.drops };
    } catch (e) {
      if (!isBpfscopeError(e) || context.signal.aborted) throw e;
      m.errors.kernel = e;
    }
    if (!this.#cdevAttached) m.unavailable.cooling = 'thermal:cdev_update could not be attached on this kernel: cooling state changes between reads are not counted';
    return m;
  }

  /**
   * The thermal family's events: trip crossings as the kernel reports them, and alert-level
   * changes raised when a read sees them.
   * @param options - signal and queue; thermal events take no other option
   * @returns the stream of events from now on
   * @throws {@link @bpfscope/core!ConfigError} for any other option
   */
  events(options: SourceEventOptions): EventStream<ThermalEvent> {
    return thermalEvents(options, {
      closing: this.#closing.signal,
      reader: () => this.#reader,
      what: 'thermal eBPF source',
      kernelDropped: () => this.#consumer?.stats().kernelDropped ?? null,
    });
  }

  /** Why the source no longer sees the kernel's readings though it was initialised, or null. */
  detached(): string | null {
    const gone = this.#reader ? (this.#handle?.detachedPrograms() ?? []) : [];
    return gone.length > 0 ? `program ${gone.join(', ')} of ${this.name} is no longer attached` : null;
  }

  stats(options?: SourceStatsOptions): SourceStats {
    if (!this.#running) return this.#kept.last;
    const counters = { ...this.#reader?.stats(), tripEvents: this.#trips, tripEventsUndecodable: this.#badTrips };
    // Whole figures are kept for after close.
    return this.#kept.keep(this.#programStats.sourceStats([{ object: this.#obj!, statsMap: 'thermal_stats' }], counters, options), options);
  }

  async close(): Promise<void> {
    if (this.#running) this.stats();
    this.#programStats.stop();
    this.#generation++;
    this.#reader = null;
    this.#closing.abort();
    this.#closing = new AbortController();
    this.#consumer?.close();
    this.#consumer = null;
    this.#handle?.close();
    this.#handle = null;
    this.#obj = null;
    this.#layouts = null;
  }
}
