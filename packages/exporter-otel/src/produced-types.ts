import type { Attributes, HrTime, ValueType } from '@opentelemetry/api';

// The shapes of @opentelemetry/sdk-metrics' MetricProducer and its data, written out here so
// that this package needs the SDK neither at run time nor for its types. A producer of this
// package is accepted where the SDK wants a MetricProducer (`metricProducers` of a
// MetricReader); the README's example, type-checked against the installed SDK, holds that.

/** `DataPointType.EXPONENTIAL_HISTOGRAM` of `@opentelemetry/sdk-metrics`. */
export const EXPONENTIAL_HISTOGRAM_POINT = 1;
/** `AggregationTemporality.CUMULATIVE` of `@opentelemetry/sdk-metrics`. */
export const CUMULATIVE = 1;

/** A resource as the SDK's `Resource` interface has it. The reader replaces a producer's resource with the SDK's own. */
export interface ProducedResource {
  /** Its attributes (none: the SDK's resource is the one exported). */
  readonly attributes: Attributes;
  /** Merges: the other resource, or this one when there is none. */
  merge(other: ProducedResource | null): ProducedResource;
  /** Its attributes as pairs. */
  getRawAttributes(): [string, unknown][];
}

/** An exponential histogram data point's value, as `ExponentialHistogram` of `@opentelemetry/sdk-metrics`. */
export interface ProducedExponentialHistogram {
  /** Values counted: zeroCount plus every positive bucket. */
  count: number;
  /** Sum of the values, when the kernel keeps it. */
  sum?: number;
  /** Always 0 (base 2): the kernel's log2 slots. */
  scale: number;
  /** Values equal to 0. */
  zeroCount: number;
  /** Buckets above zero. */
  positive: ProducedBuckets;
  /** Buckets below zero: none (the kernel counts no negative values). */
  negative: ProducedBuckets;
}

/** Consecutive buckets of an exponential histogram: `bucketCounts[i]` has index `offset + i`, bounds (2^index, 2^(index+1)] at scale 0. */
export interface ProducedBuckets {
  /** Index of the first bucket. */
  offset: number;
  /** Counts from `offset` on, empty buckets between non-empty ones included. */
  bucketCounts: number[];
}

/** One data point, as `DataPoint` of `@opentelemetry/sdk-metrics`. */
export interface ProducedDataPoint {
  /** When the cumulative counts began: the series' start time. */
  readonly startTime: HrTime;
  /** When the snapshot was read. */
  readonly endTime: HrTime;
  /** The point's attributes. */
  readonly attributes: Attributes;
  /** The distribution. */
  readonly value: ProducedExponentialHistogram;
}

/** One histogram metric, as `ExponentialHistogramMetricData` of `@opentelemetry/sdk-metrics`. */
export interface ProducedHistogramMetric {
  /** Name, description, unit and value type of the metric. */
  readonly descriptor: {
    /** The descriptor's dotted name. */
    readonly name: string;
    /** The descriptor's description. */
    readonly description: string;
    /** The descriptor's UCUM unit (the kernel's, e.g. `ns`). */
    readonly unit: string;
    /** Always `ValueType.DOUBLE`. */
    readonly valueType: ValueType;
  };
  /** Always cumulative (1). */
  readonly aggregationTemporality: typeof CUMULATIVE;
  /** Always exponential histogram (1). */
  readonly dataPointType: typeof EXPONENTIAL_HISTOGRAM_POINT;
  /** One point per attribute set. */
  readonly dataPoints: ProducedDataPoint[];
}

/** What {@link HistogramProducer.collect} returns, as `CollectionResult` of `@opentelemetry/sdk-metrics`. */
export interface ProducedCollection {
  /** The metrics, under one scope (`@bpfscope/exporter-otel`). */
  resourceMetrics: {
    /** An empty resource: a reader uses its SDK's own. */
    resource: ProducedResource;
    /** One entry (none when there is nothing to export). */
    scopeMetrics: {
      /** This package as the instrumentation scope. */
      scope: {
        /** `@bpfscope/exporter-otel`. */
        name: string;
        /** This package's version. */
        version?: string;
      };
      /** One metric per histogram descriptor with points. */
      metrics: ProducedHistogramMetric[];
    }[];
  };
  /** What went wrong (the engine could not be read); the metrics are then empty. */
  errors: unknown[];
}

/**
 * A `MetricProducer` of `@opentelemetry/sdk-metrics`: give it to a reader's
 * `metricProducers` option.
 */
export interface HistogramProducer {
  /**
   * Reads the engine (sharing a read in flight with the bridge's callback) and returns its
   * histograms as exponential histograms.
   */
  collect(options?: { timeoutMillis?: number }): Promise<ProducedCollection>;
  /** Stops producing: later collections return no metrics. Idempotent. */
  close(): void;
}
