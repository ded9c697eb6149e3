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
