// An SDK pipeline the test collects from explicitly: a reader with no schedule of its own
// whose collections the test starts, each exported into an in-memory exporter.
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, MetricReader, type MetricData, type MetricProducer, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

class ExplicitReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface SdkPipeline {
  provider: MeterProvider;
  /** Collects once, exports the result to the in-memory exporter and returns what it holds, with the collection's errors. */
  collect(): Promise<{ metrics: ResourceMetrics; errors: unknown[] }>;
  shutdown(): Promise<void>;
}

export function sdkPipeline(producers: MetricProducer[] = []): SdkPipeline {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new ExplicitReader({ metricProducers: producers });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      exporter.reset();
      const code = await new Promise<number>((resolve) => exporter.export(resourceMetrics, (r) => resolve(r.code)));
      if (code !== 0) throw new Error(`the in-memory exporter refused the export (${code})`);
      const all = exporter.getMetrics();
      if (all.length !== 1) throw new Error(`expected one export, got ${all.length}`);
      return { metrics: all[0]!, errors };
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Every metric of an export, by name (a name twice is an error). */
export function byName(rm: ResourceMetrics): Map<string, MetricData> {
  const out = new Map<string, MetricData>();
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics) {
      if (out.has(m.descriptor.name)) throw new Error(`${m.descriptor.name} exported twice`);
      out.set(m.descriptor.name, m);
    }
  }
  return out;
}
