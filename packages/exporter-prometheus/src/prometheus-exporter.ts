import { ConfigError, FAMILY_UP, Snapshot, type MetricDescriptor, type MetricDetail } from '@bpfscope/core';
import { Registry, type OpenMetricsContentType } from 'prom-client';
import { OWN_METRICS, type ExporterTotals } from './exporter-metrics.js';
import { negotiateContentType, type ExpositionContentType } from './negotiate.js';
import { prometheusShape, type PrometheusShape } from './prom-names.js';
import { readOnce, type ExporterEngine, type Reading } from './reading.js';
import { ReadingMetric, type PromType, type PromValue } from './reading-metric.js';

/** Options of {@link prometheusExporter}. */
export interface PrometheusExporterOptions {
  /**
   * Families to export (their metrics and their `bpfscope_family_up` points).
   * @default every family with a metric mapper in the engine
   */
  readonly families?: readonly string[];
  /**
   * High-cardinality series to export: once per process, connection or file.
   * @default none
   */
  readonly detail?: readonly MetricDetail[];
  /**
   * Most processes, connections or files one detail metric keeps per scrape (in the family's
   * own ranking); the points of the rest are counted in `bpfscope_exporter_capped_points`.
   * @default 100
   */
  readonly maxDetailEntities?: number;
  /**
   * Prefix of every metric name, not added again to a name that already starts with it
   * (`bpfscope.cpu.…` is `bpfscope_cpu_…`, `system.memory.usage` is `bpfscope_system_memory_usage_bytes`).
   * @default 'bpfscope_'
   */
  readonly prefix?: string;
}

/** A scrape's answer. */
export interface Exposition {
  /** The Content-Type header to send. */
  readonly contentType: ExpositionContentType;
  /** The metrics, in that format. */
  readonly body: string;
}

/** The engine's metrics in prom-client registries, read at scrape time. */
export interface PrometheusExporter {
  /** The metrics in the text format 0.0.4 (`registry.metrics()`); can be merged with an application's registry (`Registry.merge`). */
  readonly registry: Registry;
  /** The same metrics in OpenMetrics 1.0.0. */
  readonly openMetricsRegistry: Registry<OpenMetricsContentType>;
  /**
   * Answer one scrape: the format chosen from the request's Accept header, the engine read once.
   * @param accept - the Accept header (OpenMetrics when it is preferred, else text 0.0.4)
   */
  scrape(accept?: string): Promise<Exposition>;
  /** Prometheus name of each exported metric, by its OpenTelemetry name. */
  readonly names: ReadonlyMap<string, string>;
}

const PROM_TYPE: Readonly<Record<MetricDescriptor['kind'], PromType>> = { counter: 'counter', updown: 'gauge', gauge: 'gauge', histogram: 'histogram' };

/**
 * Export an engine's metric points to Prometheus. Nothing runs between scrapes: each scrape
 * reads the engine once (`collect()`, which the engine's snapshot cache may answer) and maps
 * every family's points (`engine.metricPoints()`) to Prometheus metrics.
 * @param engine - the engine (its plugins' metric mappers give the metrics, registered now)
 * @param options - families, detail series and their cap, name prefix
 * @returns the registries and a scrape function
 * @throws {@link @bpfscope/core!ConfigError} for an unknown family or detail, a bad cap or prefix, or two metrics that map to one Prometheus name
 * @example
 * ```ts
 * import { createEngine } from '@bpfscope/core';
 * import { cpu } from '@bpfscope/plugin-cpu';
 * import { prometheusExporter } from '@bpfscope/exporter-prometheus';
 *
 * const engine = createEngine({ plugins: [cpu()] });
 * const exporter = prometheusExporter(engine);
 * console.log(await exporter.registry.metrics());
 * ```
 */
export function prometheusExporter(engine: ExporterEngine, options: PrometheusExporterOptions = {}): PrometheusExporter {
  const prefix = options.prefix ?? 'bpfscope_';
  if (!/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix)) throw new ConfigError('prefix', prefix, 'letters, digits, _ and :, not starting with a digit');
  const pointOptions = { ...(options.detail ? { detail: options.detail } : {}), ...(options.maxDetailEntities !== undefined ? { maxDetailEntities: options.maxDetailEntities } : {}) };
  // The view's own checks of detail and cap, now rather than at the first scrape.
  engine.metricPoints(new Snapshot(0, new Map(), []), pointOptions);
  const mappers = engine.metricMappers();
  const known = mappers.map((m) => m.family);
  const families = options.families ? new Set(options.families) : null;
  for (const f of families ?? []) if (!known.includes(f)) throw new ConfigError('families', f, known.length > 0 ? `one of ${known.join(', ')}` : 'a family whose plugin declares a metric mapper');
  const detail = new Set(options.detail ?? []);
  const descriptors: MetricDescriptor[] = [];
  for (const d of [FAMILY_UP, ...mappers.filter((m) => families === null || families.has(m.family)).flatMap((m) => m.descriptors)]) {
    if (d.detail !== undefined && !detail.has(d.detail)) continue;
    // One metric declared by two families (e.g. process.disk.io): one Prometheus family, if they agree on what it is.
    const same = descriptors.find((x) => x.name === d.name);
    if (same === undefined) descriptors.push(d);
    else if (same.kind !== d.kind || same.unit !== d.unit) throw new ConfigError('metrics', `${d.name} (${d.family}: ${d.kind} in ${d.unit})`, `the kind and unit ${same.family} declares it with (${same.kind} in ${same.unit})`);
  }

  const shapes = new Map<string, PrometheusShape>();
  const names = new Map<string, string>();
  const byProm = new Map<string, string>();
  for (const d of descriptors) {
    const shape = prometheusShape(d, prefix);
    const name = shape.name;
    // Keyed as OpenMetrics names the family (a counter without `_total`), where a counter `x_total` and a gauge `x` collide.
    const family = d.kind === 'counter' ? name.replace(/_total$/, '') : name;
    const other = byProm.get(family);
    if (other !== undefined && other !== d.name) throw new ConfigError('metrics', d.name, `a name that does not map to ${name}, as ${other} does`);
    byProm.set(family, d.name);
    names.set(d.name, name);
    shapes.set(d.name, shape);
  }

  const totals: ExporterTotals = { readings: 0, failures: 0 };
  let inFlight: Promise<Reading> | null = null;
  // All metrics of one registry.metrics() call ask while it starts (synchronously): they share one reading.
  const reading = (): Promise<Reading> => {
    if (inFlight === null) {
      totals.readings++;
      inFlight = readOnce(engine, pointOptions, (n) => shapes.get(n), families).then((r) => {
        if (r.error !== null) totals.failures++;
        return r;
      });
      const clear = (): void => void (inFlight = null);
      inFlight.then(clear, clear);
    }
    return inFlight;
  };

  const registry = new Registry();
  const openMetricsRegistry = new Registry<OpenMetricsContentType>();
  openMetricsRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const add = (name: string, help: string, type: PromType, samples: () => Promise<readonly PromValue[]>): void => {
    new ReadingMetric(name, help, type, samples).registerIn(registry);
    // OpenMetrics names a counter family without `_total` and its sample with it (prom-client adds it).
    new ReadingMetric(type === 'counter' ? name.replace(/_total$/, '') : name, help, type, samples).registerIn(openMetricsRegistry);
  };
  for (const d of descriptors) {
    const name = names.get(d.name)!;
    add(name, `${d.description} (${d.name}, unit ${d.unit})`, PROM_TYPE[d.kind], async () => (await reading()).samples.get(name) ?? []);
  }
  for (const m of OWN_METRICS) {
    const name = `${prefix}${m.suffix}`;
    add(name, m.help, m.type, async () => m.samples(await reading(), totals, (n) => names.get(n)));
  }

  return {
    registry,
    openMetricsRegistry,
    names,
    async scrape(accept) {
      const contentType = negotiateContentType(accept);
      const body = await (contentType === Registry.OPENMETRICS_CONTENT_TYPE ? openMetricsRegistry : registry).metrics();
      return { contentType, body };
    },
  };
}
