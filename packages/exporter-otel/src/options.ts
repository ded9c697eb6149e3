import { ConfigError, FAMILY_UP, type FamilyMetricMapper, type MetricDescriptor, type MetricDetail, type MetricPointOptions, type MetricPoints, type MetricSeries, type Snapshot } from '@bpfscope/core';

/**
 * What the bridge needs of an engine: `Engine` from `@bpfscope/core` has it. The reads
 * go through `collect()`, so the engine's snapshot cache (`cache.ttlMs`) may answer a
 * collection that follows another closely.
 */
export interface MetricsEngine {
  /** Read every family (or return the cached snapshot). */
  collect(): Promise<Snapshot>;
  /** The mappers of the registered plugins. */
  metricMappers(): readonly FamilyMetricMapper[];
  /** The flat metric-point view of a snapshot. */
  metricPoints(snapshot: Snapshot, options?: MetricPointOptions): MetricPoints;
}

/** What to export, shared by {@link createOtelBridge} and {@link createHistogramProducer}. */
export interface ExportSelection {
  /**
   * Families whose metrics are exported (`bpfscope.family.up` keeps the points of these only).
   * @default every family with a mapper
   */
  readonly families?: readonly string[];
  /**
   * High-cardinality series to export (once per process, connection or file), forwarded
   * to `engine.metricPoints()`.
   * @default none
   */
  readonly detail?: readonly MetricDetail[];
  /**
   * Most processes, connections or files one detail metric keeps points of per collection (the points of the rest are counted in the view's `capped`).
   * @default 100
   */
  readonly maxDetailEntities?: number;
}

/** A selection checked against the engine. */
export interface ResolvedSelection {
  readonly families: ReadonlySet<string>;
  readonly pointOptions: MetricPointOptions;
  /** The descriptors exported: the selected families' (detail ones only when asked for), and `bpfscope.family.up`. */
  readonly descriptors: readonly MetricDescriptor[];
}

const DETAILS: readonly MetricDetail[] = ['process', 'connection', 'file'];

/**
 * Checks a selection against the engine's mappers.
 * @throws {@link @bpfscope/core!ConfigError} for an unknown family or detail, a cap that is not a positive integer,
 * or two families declaring one metric name differently
 */
export function resolveSelection(engine: MetricsEngine, selection: ExportSelection, path: string): ResolvedSelection {
  const mappers = engine.metricMappers();
  const known = mappers.map((m) => m.family);
  const families = new Set(selection.families ?? known);
  for (const f of families) if (!known.includes(f)) throw new ConfigError(`${path}.families`, f, known.length > 0 ? `one of ${known.join(', ')} (families with a metric mapper)` : 'a family with a metric mapper (the engine has none)');
  const detail = selection.detail ?? [];
  if (!Array.isArray(detail)) throw new ConfigError(`${path}.detail`, detail, `an array of ${DETAILS.join(', ')}`);
  for (const d of detail) if (!DETAILS.includes(d)) throw new ConfigError(`${path}.detail`, d, DETAILS.join(', '));
  const max = selection.maxDetailEntities;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) throw new ConfigError(`${path}.maxDetailEntities`, max, 'a positive integer');
  const byName = new Map<string, MetricDescriptor>([[FAMILY_UP.name, FAMILY_UP]]);
  for (const m of mappers) {
    if (!families.has(m.family)) continue;
    for (const d of m.descriptors) {
      if (d.detail !== undefined && !detail.includes(d.detail)) continue;
      const seen = byName.get(d.name);
      if (seen && (seen.kind !== d.kind || seen.unit !== d.unit)) throw new ConfigError(`${path}.families`, m.family, `families that do not declare ${d.name} differently (${seen.family}: ${seen.kind} in ${seen.unit}, ${d.family}: ${d.kind} in ${d.unit})`);
      byName.set(d.name, d);
    }
  }
  return {
    families,
    pointOptions: { detail: [...detail], ...(max === undefined ? {} : { maxDetailEntities: max }) },
    descriptors: [...byName.values()],
  };
}

/** Whether a point of `bpfscope.family.up` belongs to a selected family (the engine's metric covers every family). */
export function upPointSelected(selection: ResolvedSelection, attributes: Readonly<Record<string, unknown>>): boolean {
  const family = attributes['bpfscope.family'];
  return typeof family === 'string' && selection.families.has(family);
}

/** A series of histogram points. */
export type HistogramSeries = Extract<MetricSeries, { descriptor: { kind: 'histogram' } }>;

/** Narrows a series by its descriptor's kind (TypeScript does not narrow on the nested discriminant). */
export function isHistogramSeries(s: MetricSeries): s is HistogramSeries {
  return s.descriptor.kind === 'histogram';
}
