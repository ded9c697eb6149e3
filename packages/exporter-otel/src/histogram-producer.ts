import { ValueType, type HrTime } from '@opentelemetry/api';
import { log2ToExponential, type HistogramPoint, type MetricDescriptor, type MetricPoints } from '@bpfscope/core';
import { isHistogramSeries, resolveSelection, type ExportSelection, type MetricsEngine } from './options.js';
import { CUMULATIVE, EXPONENTIAL_HISTOGRAM_POINT, type HistogramProducer, type ProducedCollection, type ProducedDataPoint, type ProducedHistogramMetric, type ProducedResource } from './produced-types.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';
import { readView } from './shared-reading.js';

/**
 * A metric producer of the engine's log2 histograms as OpenTelemetry exponential
 * histograms (base 2, scale 0), bucket for bucket: kernel slot `k ≥ 1` is positive bucket
 * index `k - 1`, slot 0 the zero count (`log2ToExponential` of `@bpfscope/core`).
 * Cumulative, from the series' start time (program attach for eBPF histograms; the
 * producer's creation when a series has none) to the reading.
 *
 * Give it to a reader's `metricProducers` (`@opentelemetry/sdk-metrics`). The OpenTelemetry
 * API has no asynchronous histogram, and a synchronous one would re-bucket the values it
 * is given: only a producer hands the kernel's buckets over unchanged. It shares an
 * engine read in flight with {@link createOtelBridge}'s callback, so a collection's
 * histograms and counters come from one snapshot.
 * @param engine - the engine to read (an `Engine` of `@bpfscope/core`)
 * @param options - families, detail series and their cap
 * @returns the producer
 * @throws {@link @bpfscope/core!ConfigError} for an unknown family or detail, or a cap that is not a positive integer
 */
export function createHistogramProducer(engine: MetricsEngine, options: ExportSelection = {}): HistogramProducer {
  const selection = resolveSelection(engine, options, 'histogramProducer');
  const wanted = new Map(selection.descriptors.filter((d) => d.kind === 'histogram').map((d) => [d.name, d]));
  const createdMs = Date.now();
  let open = true;
  return {
    async collect() {
      if (!open || wanted.size === 0) return collection([], []);
      try {
        const view = await readView(engine, selection);
        return collection(histogramMetrics(view, wanted, createdMs), []);
      } catch (e) {
        return collection([], [e]);
      }
    },
    close() {
      open = false;
    },
  };
}

function histogramMetrics(view: MetricPoints, wanted: ReadonlyMap<string, MetricDescriptor>, fallbackStartMs: number): ProducedHistogramMetric[] {
  const out: ProducedHistogramMetric[] = [];
  const endTime = hrTime(view.timestamp);
  for (const s of view.series) {
    const d = wanted.get(s.descriptor.name);
    if (!isHistogramSeries(s) || d !== s.descriptor) continue;
    const startTime = hrTime(s.startTimeMs ?? fallbackStartMs);
    out.push({
      descriptor: { name: d.name, description: d.description, unit: d.unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: CUMULATIVE,
      dataPointType: EXPONENTIAL_HISTOGRAM_POINT,
      dataPoints: s.points.map((p) => dataPoint(p, startTime, endTime)),
    });
  }
  return out;
}

function dataPoint(p: HistogramPoint, startTime: HrTime, endTime: HrTime): ProducedDataPoint {
  const e = log2ToExponential(p.histogram);
  return {
    startTime,
    endTime,
    attributes: { ...p.attributes },
    value: {
      count: e.count,
      ...(p.sum === null ? {} : { sum: p.sum }),
      scale: e.scale,
      zeroCount: e.zeroCount,
      positive: { offset: e.offset, bucketCounts: [...e.bucketCounts] },
      negative: { offset: 0, bucketCounts: [] },
    },
  };
}

/** Milliseconds since the epoch (possibly fractional) as OpenTelemetry's [seconds, nanoseconds]. */
export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

const EMPTY_RESOURCE: ProducedResource = {
  attributes: {},
  merge: (other) => other ?? EMPTY_RESOURCE,
  getRawAttributes: () => [],
};

function collection(metrics: ProducedHistogramMetric[], errors: unknown[]): ProducedCollection {
  return {
    resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics: metrics.length === 0 ? [] : [{ scope: { name: SCOPE_NAME, version: SCOPE_VERSION }, metrics }] },
    errors,
  };
}
