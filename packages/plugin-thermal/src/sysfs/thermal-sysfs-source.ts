import { ConfigError, createEventStream, DataUnavailable, EMPTY_SOURCE_STATS, type EventStream, type ReadContext, type Source, type SourceContext, type SourceEventOptions, type SourceStats } from '@bpfscope/core';
import type { ResolvedThermalOptions } from '../options.js';
import { requireSensors, ThermalReader } from '../read/thermal-reader.js';
import type { ThermalEvent } from '../records-events.js';
import type { ThermalMetrics } from '../records.js';
import type { ThermalServices } from '../services.js';
import type { thermal, ThermalCollector } from '../plugin.js';

/** Why the sysfs source has no trip crossings or kernel readings. @internal */
export const SYSFS_NO_CROSSINGS =
  'sysfs shows one temperature per poll: the readings the kernel takes between two polls, their minimum and maximum, and the trip crossings between them need the eBPF source (tp_btf thermal_temperature, thermal_zone_trip)';

/**
 * The thermal events of a source's reader (both sources): its options checked, the alert
 * changes its reads raise (and what else the source pushes to the reader's sinks).
 * @param options - signal and queue; thermal events take no other option
 * @param source - the source's closing signal, its reader (null when not running), its name for the error, and the kernel's drops
 * @throws {@link @bpfscope/core!ConfigError} for any other option
 * @internal
 */
export function thermalEvents(
  options: SourceEventOptions,
  source: { closing: AbortSignal; reader: () => ThermalReader | null; what: string; kernelDropped: () => number | null },
): EventStream<ThermalEvent> {
  const { signal: _s, queue: _q, ...rest } = options;
  for (const key of Object.keys(rest)) throw new ConfigError(`events.${key}`, rest[key], 'no such option of thermal events (only signal and queue)');
  return createEventStream<ThermalEvent>({
    family: 'thermal',
    queue: options.queue,
    signal: AbortSignal.any([options.signal, source.closing]),
    start: async (push) => {
      const reader = source.reader();
      if (reader === null) throw new DataUnavailable('thermal events', `the ${source.what} is not running`);
      reader.sinks.add(push);
      return { stop: () => void reader.sinks.delete(push), kernelDropped: source.kernelDropped };
    },
  });
}

/**
 * The sysfs fallback of the thermal family: thermal zones and cooling devices
 * (`class/thermal`) and hwmon temperature channels (`class/hwmon`), polled at each read.
 * Alert-level changes are events; trip crossings are unavailable.
 */
export class ThermalSysfsSource implements Source<ThermalMetrics> {
  readonly kind = 'sysfs' as const;
  readonly name = 'thermal-sysfs';
  #reader: ThermalReader | null = null;
  #closing = new AbortController();

  /**
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's sysfs reader and clock (the {@link ThermalCollector} resolves them)
   * @internal use the {@link thermal} plugin factory
   */
  constructor(private readonly options: ResolvedThermalOptions, private readonly services: Pick<ThermalServices, 'procfs' | 'clock'>) {}

  async init(_context: SourceContext): Promise<void> {
    requireSensors(this.services.procfs);
    this.#reader = new ThermalReader(this.services.procfs, this.services.clock, this.options);
  }

  async read(_context: ReadContext): Promise<ThermalMetrics> {
    const reader = this.#reader;
    if (!reader) throw new DataUnavailable('thermal-sysfs', 'the source is not initialised');
    const m = reader.read();
    m.unavailable.tripCrossings = SYSFS_NO_CROSSINGS;
    m.unavailable.kernel = 'kernel-side counters exist only with the eBPF source';
    return m;
  }

  /**
   * The thermal family's events from this source: alert-level changes, raised when a read
   * (collect or stream) sees them.
   * @param options - signal and queue; thermal events take no other option
   * @returns the stream of events from now on
   * @throws {@link @bpfscope/core!ConfigError} for any other option
   */
  events(options: SourceEventOptions): EventStream<ThermalEvent> {
    return thermalEvents(options, { closing: this.#closing.signal, reader: () => this.#reader, what: 'thermal sysfs source', kernelDropped: () => null });
  }

  stats(): SourceStats {
    return { ...EMPTY_SOURCE_STATS, counters: this.#reader?.stats() ?? {} };
  }

  async close(): Promise<void> {
    this.#reader = null;
    this.#closing.abort();
    this.#closing = new AbortController();
  }
}
