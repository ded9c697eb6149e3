// The script the consumer app runs: every plugin in strict eBPF mode, one reading each.
// The machine may be busy: a generous time limit, so a slow read is not taken for a failure.
/** Source of strict-snapshot.mjs, written into the consumer app. */
export const STRICT_SNAPSHOT_MJS = `
import { createEngine, isBpfscopeError } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { fs } from '@bpfscope/plugin-fs';
import { mem } from '@bpfscope/plugin-mem';
import { net } from '@bpfscope/plugin-net';
import { proc } from '@bpfscope/plugin-proc';
import { syscall } from '@bpfscope/plugin-syscall';

const engine = createEngine({ plugins: [cpu(), fs(), mem(), net(), proc(), syscall()], config: { mode: 'ebpf', operationTimeoutMs: 30_000 } });
try {
  await engine.start();
  const snap = await engine.collect();
  const families = Object.fromEntries(snap.families().sort().map((f) => [f, { source: snap.get(f).source, fallback: snap.get(f).fallback?.code ?? null }]));
  console.log(JSON.stringify({ ok: true, families, errors: snap.errors.map((e) => \`\${e.family}: \${e.error.code} \${e.error.message}\`) }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, taxonomy: isBpfscopeError(e), code: e?.code, message: String(e), remedy: e?.remedy }));
} finally {
  await engine.close();
}
`;

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
