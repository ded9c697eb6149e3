export { createOtelBridge, type OtelBridge, type OtelBridgeOptions } from './otel-bridge.js';
export { createHistogramProducer } from './histogram-producer.js';
export type { ExportSelection, MetricsEngine } from './options.js';
export type {
  HistogramProducer,
  ProducedBuckets,
  ProducedCollection,
  ProducedDataPoint,
  ProducedExponentialHistogram,
  ProducedHistogramMetric,
  ProducedResource,
} from './produced-types.js';
