// cpu snapshot cost: eBPF mode vs procfs fallback vs systeminformation.currentLoad().
import { createEngine } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import si from 'systeminformation';
import { fmt, measure } from './measure.mjs';

export async function benchCpuSnapshot({ calls = 2000, siCalls = 25 } = {}) {
  const results = {};
  for (const mode of ['ebpf', 'fallback']) {
    const engine = createEngine({ plugins: [cpu()], config: { mode, cache: { enabled: false }, logLevel: 'silent' } });
    await engine.start();
    const snap = await engine.collect();
    if (!snap.get('cpu')) throw new Error(`cpu family missing in ${mode} mode: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    results[mode] = await measure(() => engine.collect(), { calls });
    if (mode === 'ebpf') {
      // The same spacing as systeminformation below (caches go cold between calls).
      results['ebpf, spaced 210 ms'] = await measure(() => engine.collect(), { calls: siCalls, gapMs: 210, warmup: 0 });
    }
    await engine.close();
  }
  // currentLoad() re-reads only when 200 ms passed since its last reading; space calls so each one does its work.
  results.systeminformation = await measure(() => si.currentLoad(), { calls: siCalls, gapMs: 210, warmup: 1 });
  return results;
}

export function reportCpuSnapshot(r) {
  const total = (x) => x.cpuMs + x.childCpuMs;
  const lines = [
    'cpu snapshot (per call)              wall        CPU (own)   CPU (+children)',
    ...Object.entries(r).map(([k, v]) => `  ${k.padEnd(34)} ${fmt(v.wallMs).padStart(9)}  ${fmt(v.cpuMs).padStart(10)}  ${fmt(total(v)).padStart(12)}   (${v.calls} calls)`),
    `  ratio systeminformation / ebpf (CPU incl. children): ${(total(r.systeminformation) / total(r.ebpf)).toFixed(1)}x back to back, ${(total(r.systeminformation) / total(r['ebpf, spaced 210 ms'])).toFixed(1)}x at the same spacing`,
    `  ratio systeminformation / ebpf (own CPU only, same spacing): ${(r.systeminformation.cpuMs / r['ebpf, spaced 210 ms'].cpuMs).toFixed(1)}x`,
    `  ratio fallback / ebpf (CPU):                         ${(total(r.fallback) / total(r.ebpf)).toFixed(2)}x`,
    `  target: ebpf <= 0.3 ms CPU per call: ${total(r.ebpf) <= 0.3 ? 'met' : 'NOT met'}; >= 2x cheaper than systeminformation (same spacing, own CPU only): ${r.systeminformation.cpuMs / r['ebpf, spaced 210 ms'].cpuMs >= 2 ? 'met' : 'NOT met'}`,
  ];
  return lines.join('\n');
}
