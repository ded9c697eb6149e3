// The script the consumer app runs to scrape the installed Prometheus exporter.
/** Source of prometheus-scrape.mjs: the exporter over the cpu and mem plugins, one scrape in each format. */
export const PROMETHEUS_SCRAPE_MJS = `
import { createEngine } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { mem } from '@bpfscope/plugin-mem';
import { prometheusExporter } from '@bpfscope/exporter-prometheus';

const engine = createEngine({ plugins: [cpu(), mem()], config: { operationTimeoutMs: 30_000 } });
try {
  const exporter = prometheusExporter(engine);
  const text = await exporter.registry.metrics();
  const om = await exporter.scrape('application/openmetrics-text');
  console.log(JSON.stringify({
    cpuTime: /^bpfscope_system_cpu_time_seconds_total\\{/m.test(text),
    memoryUsage: /^bpfscope_system_memory_usage_bytes\\{/m.test(text),
    readError: /^bpfscope_exporter_read_error (\\d)$/m.exec(text)?.[1],
    contentType: om.contentType,
    eof: om.body.endsWith('# EOF\\n'),
  }));
} finally {
  await engine.close();
}
`;
