// The script the consumer app runs for @bpfscope/exporter-otel: the installed bridge and
// histogram producer over the installed syscall plugin, through the OpenTelemetry SDK the
// app installed from the registry (the exporter's peer @opentelemetry/api with it).
/** Registry packages the app installs beside the tarballs: what exporter-otel's README sets up. */
export const OTEL_APP_DEPENDENCIES: Readonly<Record<string, string>> = {
  '@opentelemetry/sdk-metrics': '^3.1.1',
  '@opentelemetry/exporter-metrics-otlp-http': '^0.301.2',
};

/** Source of otel-export.mjs, written into the consumer app. */
export const OTEL_EXPORT_MJS = `
import { execFileSync } from 'node:child_process';
import { createEngine } from '@bpfscope/core';
import { syscall } from '@bpfscope/plugin-syscall';
import { createHistogramProducer, createOtelBridge } from '@bpfscope/exporter-otel';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const engine = createEngine({ plugins: [syscall({ mode: 'latency' })], config: { mode: 'ebpf', operationTimeoutMs: 30_000 } });
await engine.start();
// Calls for the family to count (not this process's own: those are left out by default).
execFileSync('/bin/true');
const reader = new Reader({ metricProducers: [createHistogramProducer(engine)] });
const provider = new MeterProvider({ readers: [reader] });
createOtelBridge(engine, { meterProvider: provider });
try {
  const { resourceMetrics, errors } = await reader.collect();
  const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  const kinds = Object.fromEntries(metrics.filter((m) => m.dataPoints.length > 0).map((m) => [m.descriptor.name, m.dataPointType]));
  const sources = [...new Set(metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes['bpfscope.source'])))];
  console.log(JSON.stringify({ errors: errors.map(String), kinds, sources }));
} finally {
  await provider.shutdown();
  await engine.close();
}
`;
