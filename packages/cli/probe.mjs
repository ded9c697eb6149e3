import { createEngine } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
for (let run = 0; run < 4; run++) {
const engine = createEngine({ plugins: [cpu()], config: { mode: 'ebpf' } });
const c = new AbortController(); const out = [];
for await (const snap of engine.stream({ intervalMs: 20, signal: c.signal })) {
  const d = snap.get('cpu').data; out.push(`${d.total.contextSwitches}[${d.perCpu.map((x) => x.contextSwitches).join('/')}]`);
  if (out.length === 12) c.abort();
}
await engine.close();
console.log(out.join(' '));
}
