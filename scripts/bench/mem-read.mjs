// mem family read cost: eBPF mode (task iterator for per-process faults) vs the procfs
// fallback (one /proc/<pid>/stat per process); both read meminfo, vmstat and the cgroups.
import { readdirSync } from 'node:fs';
import { createEngine } from '@bpfscope/core';
import { mem } from '@bpfscope/plugin-mem';
import { fmt, measure } from './measure.mjs';

export async function benchMemRead({ calls = 300 } = {}) {
  const results = {};
  for (const mode of ['ebpf', 'fallback']) {
    const engine = createEngine({ plugins: [mem()], config: { mode, cache: { enabled: false }, logLevel: 'silent' } });
    await engine.start();
    const snap = await engine.collect();
    if (!snap.get('mem')) throw new Error(`mem family missing in ${mode} mode: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    results[mode] = await measure(() => engine.collect(), { calls });
    await engine.close();
  }
  results.processes = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  return results;
}

export function reportMemRead(r) {
  return [
    `mem family read (per call, ${r.processes} processes)   wall        CPU`,
    ...['ebpf', 'fallback'].map((k) => `  ${k.padEnd(36)} ${fmt(r[k].wallMs).padStart(9)}  ${fmt(r[k].cpuMs).padStart(10)}   (${r[k].calls} calls)`),
    `  ratio fallback / ebpf: wall ${(r.fallback.wallMs / r.ebpf.wallMs).toFixed(2)}x, CPU ${(r.fallback.cpuMs / r.ebpf.cpuMs).toFixed(2)}x`,
  ].join('\n');
}
