import { metrics, ValueType, type BatchObservableResult, type Meter, type MeterProvider, type Observable } from '@opentelemetry/api';
import { ConfigError, FAMILY_UP, type MetricDescriptor, type MetricPoints } from '@bpfscope/core';
import { isHistogramSeries, resolveSelection, upPointSelected, type ExportSelection, type MetricsEngine, type ResolvedSelection } from './options.js';
import { readView } from './shared-reading.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';

/** Options of {@link createOtelBridge}. */
export interface OtelBridgeOptions extends ExportSelection {
  /** The meter to register the instruments on. Give this or `meterProvider`. */
  readonly meter?: Meter;
  /**
   * The provider to take a meter from (named `@bpfscope/exporter-otel`).
   * @default the global provider (`metrics.getMeterProvider()` of `@opentelemetry/api`)
   */
  readonly meterProvider?: MeterProvider;
}

/** The instruments a bridge registered, and how to stop it. */
export interface OtelBridge {
  /** Names of the observable instruments registered (counters, up-down counters, gauges). */
  readonly instruments: readonly string[];
  /**
   * Names of the selected histogram metrics, which the bridge does not observe: the
   * OpenTelemetry API has no asynchronous histogram; {@link createHistogramProducer} exports them.
   */
  readonly histograms: readonly string[];
  /**
   * The view of the last collection the callback observed (its `capped` counts,
   * `unmapped` families and `mapErrors`), null before the first.
   */
  lastView(): MetricPoints | null;
  /**
   * Removes the batch callback: later collections observe nothing from this engine. The
   * instruments stay registered on the meter (the API cannot remove them). Idempotent.
   */
  close(): void;
}

/**
 * Registers the engine's counters, up-down counters and gauges as observable instruments
 * on a meter: `counter` → ObservableCounter, `updown` → ObservableUpDownCounter, `gauge` →
 * ObservableGauge, with the descriptor's unit and description. One batch callback
 * observes them all at the reader's collection time from one engine read
 * (`engine.collect()`; its snapshot cache may answer), so every instrument of a
 * collection comes from the same snapshot. Attributes are the points' own.
 * @param engine - the engine to read (an `Engine` of `@bpfscope/core`)
 * @param options - meter or provider, families, detail series and their cap
 * @returns the registration; `close()` removes the callback
 * @throws {@link @bpfscope/core!ConfigError} for an unknown family or detail, or a cap that is not a positive integer
 * @example
 * ```ts
 * const bridge = createOtelBridge(engine, { meterProvider, families: ['cpu'] });
 * // ... the provider's readers collect ...
 * bridge.close();
 * ```
 */
export function createOtelBridge(engine: MetricsEngine, options: OtelBridgeOptions = {}): OtelBridge {
  if (options.meter !== undefined && options.meterProvider !== undefined) throw new ConfigError('otelBridge.meter', 'both meter and meterProvider', 'one of meter or meterProvider');
  const selection = resolveSelection(engine, options, 'otelBridge');
  const meter = options.meter ?? (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE_NAME, SCOPE_VERSION);
  const observables = new Map<string, Observable>();
  const histograms: string[] = [];
  for (const d of selection.descriptors) {
    if (d.kind === 'histogram') histograms.push(d.name);
    else observables.set(d.name, observableFor(meter, d));
  }
  let last: MetricPoints | null = null;
  const callback = async (result: BatchObservableResult): Promise<void> => {
    const view = await readView(engine, selection);
    last = view;
    observeView(result, view, observables, selection);
  };
  const all = [...observables.values()];
  let open = observables.size > 0;
  if (open) meter.addBatchObservableCallback(callback, all);
  return {
    instruments: [...observables.keys()],
    histograms,
    lastView: () => last,
    close() {
      if (!open) return;
      open = false;
      meter.removeBatchObservableCallback(callback, all);
    },
  };
}

function observableFor(meter: Meter, d: MetricDescriptor): Observable {
  // Values are doubles: CPU seconds and ratios are fractional, and counts stay exact up to 2^53.
  const opts = { description: d.description, unit: d.unit, valueType: ValueType.DOUBLE };
  if (d.kind === 'counter') return meter.createObservableCounter(d.name, opts);
  if (d.kind === 'updown') return meter.createObservableUpDownCounter(d.name, opts);
  return meter.createObservableGauge(d.name, opts);
}

function observeView(result: BatchObservableResult, view: MetricPoints, observables: ReadonlyMap<string, Observable>, selection: ResolvedSelection): void {
  for (const s of view.series) {
    if (isHistogramSeries(s)) continue;
    const observable = observables.get(s.descriptor.name);
    if (!observable) continue;
    const up = s.descriptor.name === FAMILY_UP.name;
    if (!up && !selection.families.has(s.descriptor.family)) continue;
    for (const p of s.points) {
      if (up && !upPointSelected(selection, p.attributes)) continue;
      result.observe(observable, p.value, p.attributes);
    }
  }
}
