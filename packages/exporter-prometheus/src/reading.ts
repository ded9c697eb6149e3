// One reading of the engine per scrape: collect() (which the engine's snapshot cache may
// answer), the metric-point view, and every family's samples built once, so that each
// registered metric only looks its samples up.
import type { Engine, MetricPointOptions, MetricPoints } from '@bpfscope/core';
import { histogramValues } from './prom-histogram.js';
import { toLabels, type PrometheusShape } from './prom-names.js';
import type { PromValue } from './reading-metric.js';

/** What the exporter needs of an engine. */
export type ExporterEngine = Pick<Engine, 'collect' | 'metricPoints' | 'metricMappers'>;

/** The samples of one scrape. @internal */
export interface Reading {
  /** Samples by Prometheus family name. */
  readonly samples: ReadonlyMap<string, PromValue[]>;
  /** The view they came from; null when the engine could not be read. */
  readonly view: MetricPoints | null;
  /** Why the engine could not be read. */
  readonly error: string | null;
  /** Wall time of collect() and the mapping, s. */
  readonly seconds: number;
}

/** How a metric is written (its Prometheus name and value scale), or absent when it is not exported. @internal */
export type ShapeOf = (otelName: string) => PrometheusShape | undefined;

/**
 * Read the engine once and build the samples of every exported metric.
 * @param families - exported families (`bpfscope.family.up` keeps only their points)
 * @internal
 */
export async function readOnce(engine: ExporterEngine, options: MetricPointOptions, shapeOf: ShapeOf, families: ReadonlySet<string> | null): Promise<Reading> {
  const t0 = performance.now();
  let view: MetricPoints;
  try {
    view = engine.metricPoints(await engine.collect(), options);
  } catch (e) {
    return { samples: new Map(), view: null, error: e instanceof Error ? e.message : String(e), seconds: (performance.now() - t0) / 1000 };
  }
  const samples = new Map<string, PromValue[]>();
  for (const s of view.series) {
    const shape = shapeOf(s.descriptor.name);
    if (shape === undefined) continue;
    const { name, shift } = shape;
    const divisor = 10 ** shift;
    const out: PromValue[] = samples.get(name) ?? [];
    const engineOwn = s.descriptor.family === 'engine';
    for (const p of s.points) {
      if ('histogram' in p) histogramValues(name, shift, p, out);
      else {
        const family = p.attributes['bpfscope.family'];
        if (engineOwn && families !== null && typeof family === 'string' && !families.has(family)) continue;
        out.push({ labels: toLabels(p.attributes), value: shift === 0 ? p.value : p.value / divisor });
      }
    }
    samples.set(name, out);
  }
  return { samples, view, error: null, seconds: (performance.now() - t0) / 1000 };
}
