import type { Log2Histogram } from '../aggregate/log2-histogram.js';
import { ConfigError } from '../errors/taxonomy.js';
import type { Snapshot } from '../engine/snapshot.js';
import { DETAIL_IDENTITY, SOURCE_ATTRIBUTE, type FamilyMetricMapper, type HistogramPoint, type MetricAttributes, type MetricDescriptor, type MetricDetail, type MetricPointOptions, type MetricPoints, type MetricSeries, type MetricSink, type NumberPoint } from './metric-types.js';

/** The engine's own metric: whether each family produced data at the reading. */
export const FAMILY_UP: MetricDescriptor = {
  name: 'bpfscope.family.up',
  kind: 'gauge',
  unit: '1',
  description: '1 when the family produced data at this reading, 0 when it failed (error.type names the error code).',
  family: 'engine',
};

const DEFAULT_MAX_DETAIL_ENTITIES = 100;
const DETAILS: readonly MetricDetail[] = ['process', 'connection', 'file'];

interface Building {
  descriptor: MetricDescriptor;
  startTimeMs: number | null;
  points: Array<NumberPoint | HistogramPoint>;
  /** For a detail metric: the entities it keeps points of. */
  entities?: Set<string>;
}

/**
 * The flat metric-point view of a snapshot: every family's data through its plugin's
 * mapper, plus `bpfscope.family.up` per family. Detail series (per process, connection,
 * file) only when asked for, each capped at a number of entities with the points left out counted.
 * @param snapshot - the reading
 * @param mappers - the mappers of the engine's plugins (`engine.metricMappers()`)
 * @param options - detail series and their cap
 * @returns the series, the capped counts, the families without a mapper and mapper failures
 * @throws {@link ConfigError} for a bad option (an unknown detail, a cap that is not a positive integer)
 */
export function toMetricPoints(snapshot: Snapshot, mappers: readonly FamilyMetricMapper[], options: MetricPointOptions = {}): MetricPoints {
  const detail = new Set(options.detail ?? []);
  for (const d of detail) if (!DETAILS.includes(d)) throw new ConfigError('metrics.detail', d, DETAILS.join(', '));
  const max = options.maxDetailEntities ?? DEFAULT_MAX_DETAIL_ENTITIES;
  if (!Number.isSafeInteger(max) || max < 1) throw new ConfigError('metrics.maxDetailEntities', max, 'a positive integer');
  const byFamily = new Map(mappers.map((m) => [m.family, m]));
  const building = new Map<string, Building>();
  const capped: Record<string, number> = {};
  const unmapped: string[] = [];
  const mapErrors: { family: string; message: string }[] = [];
  const up: NumberPoint[] = [];
  for (const family of snapshot.families().sort()) {
    const result = snapshot.get(family)!;
    up.push({ attributes: { 'bpfscope.family': family, [SOURCE_ATTRIBUTE]: result.source }, value: 1 });
    const mapper = byFamily.get(family);
    if (!mapper) {
      unmapped.push(family);
      continue;
    }
    const staged = new Map<string, Building>();
    const stagedCapped: Record<string, number> = {};
    try {
      mapper.map(result as never, familySink(mapper, staged, stagedCapped, detail, max));
    } catch (e) {
      mapErrors.push({ family, message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    for (const [name, b] of staged) {
      // One name, one family: a second family's series of the same name would collide with
      // the first's in every exporter, so it is left out and said so.
      const owner = building.get(name);
      if (owner) mapErrors.push({ family, message: `${name} is also written by the ${owner.descriptor.family} family; this family's points of it are left out` });
      else building.set(name, b);
    }
    Object.assign(capped, stagedCapped);
  }
  for (const { family, error } of [...snapshot.errors].sort((a, b) => a.family.localeCompare(b.family))) {
    up.push({ attributes: { 'bpfscope.family': family, [SOURCE_ATTRIBUTE]: 'none', 'error.type': error.code }, value: 0 });
  }
  const series: MetricSeries[] = [{ descriptor: FAMILY_UP as MetricDescriptor & { kind: 'gauge' }, startTimeMs: null, points: up }];
  for (const { descriptor, startTimeMs, points } of building.values()) series.push({ descriptor, startTimeMs, points } as MetricSeries);
  return { timestamp: snapshot.timestamp, series, capped, unmapped, mapErrors };
}

function familySink(mapper: FamilyMetricMapper, out: Map<string, Building>, capped: Record<string, number>, detail: ReadonlySet<MetricDetail>, max: number): MetricSink {
  const declared = new Map(mapper.descriptors.map((d) => [d.name, d]));
  const slot = (d: MetricDescriptor, startTimeMs: number | null, attributes: MetricAttributes, histogram: boolean): Building | null => {
    if (declared.get(d.name) !== d) throw new TypeError(`${mapper.family} mapper wrote ${d.name}, which it does not declare (as this descriptor object)`);
    if ((d.kind === 'histogram') !== histogram) throw new TypeError(`${d.name} is a ${d.kind}: written with the wrong sink method`);
    if (typeof attributes[SOURCE_ATTRIBUTE] !== 'string') throw new TypeError(`${d.name}: a point without the ${SOURCE_ATTRIBUTE} attribute`);
    if (d.detail !== undefined && !detail.has(d.detail)) return null;
    let b = out.get(d.name);
    if (!b) out.set(d.name, (b = { descriptor: d, startTimeMs, points: [] }));
    if (d.detail !== undefined) {
      const key = DETAIL_IDENTITY[d.detail].map((k) => String(attributes[k] ?? '')).join('\u0000');
      b.entities ??= new Set();
      if (!b.entities.has(key)) {
        if (b.entities.size >= max) {
          capped[d.name] = (capped[d.name] ?? 0) + 1;
          return null;
        }
        b.entities.add(key);
      }
    }
    return b;
  };
  return {
    number(d, startTimeMs, attributes, value) {
      if (!Number.isFinite(value)) throw new TypeError(`${d.name}: ${value} is not a finite number`);
      slot(d, startTimeMs, attributes, false)?.points.push({ attributes, value });
    },
    histogram(d, startTimeMs, attributes, histogram: Log2Histogram, sum) {
      slot(d, startTimeMs, attributes, true)?.points.push({ attributes, histogram, sum });
    },
    wants: (d) => detail.has(d),
  };
}
