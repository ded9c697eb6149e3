// mem family read cost: eBPF mode (task iterator for per-process faults) vs the procfs
// fallback (one /proc/<pid>/stat per process); both read meminfo, vmstat and the cgroups.
// Calls alternate between the two engines, so that load from other work on the machine
// (which changes the number of processes too) falls on both alike.
import { readdirSync } from 'node:fs';
import { createEngine } from '@bpfscope/core';
import { mem } from '@bpfscope/plugin-mem';
import { fmt } from './measure.mjs';

const countProcesses = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;

export async function benchMemRead({ calls = 300, warmup = 5 } = {}) {
  const engines = {};
  for (const mode of ['ebpf', 'fallback']) {
    const engine = createEngine({ plugins: [mem({ processes: true })], config: { mode, cache: { enabled: false }, logLevel: 'silent' } });
    await engine.start();
    const snap = await engine.collect();
    if (!snap.get('mem') || snap.get('mem').source !== (mode === 'ebpf' ? 'ebpf' : 'procfs')) {
      throw new Error(`mem family not from ${mode}: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    }
    engines[mode] = engine;
  }
  const samples = { ebpf: { wall: [], cpu: [] }, fallback: { wall: [], cpu: [] } };
  const processes = [countProcesses()];
  for (let i = 0; i < warmup + calls; i++) {
    for (const mode of ['ebpf', 'fallback']) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await engines[mode].collect();
      if (i < warmup) continue;
      samples[mode].wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const c = process.cpuUsage(c0);
      samples[mode].cpu.push((c.user + c.system) / 1000);
    }
  }
  processes.push(countProcesses());
  for (const e of Object.values(engines)) await e.close();
  const stat = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { mean: xs.reduce((s, x) => s + x, 0) / xs.length, median: sorted[Math.floor(sorted.length / 2)] };
  };
  const out = { calls, processes };
  for (const mode of ['ebpf', 'fallback']) out[mode] = { wall: stat(samples[mode].wall), cpu: stat(samples[mode].cpu) };
  return out;
}

export function reportMemRead(r) {
  const row = (k) => `  ${k.padEnd(10)} wall mean ${fmt(r[k].wall.mean).padStart(9)} median ${fmt(r[k].wall.median).padStart(9)}   CPU mean ${fmt(r[k].cpu.mean).padStart(9)} median ${fmt(r[k].cpu.median).padStart(9)}`;
  return [
    `mem family read, ${r.calls} calls each, alternating (${r.processes.join(' -> ')} processes on the machine)`,
    row('ebpf'),
    row('fallback'),
    `  ratio fallback / ebpf: CPU ${(r.fallback.cpu.mean / r.ebpf.cpu.mean).toFixed(2)}x mean, ${(r.fallback.cpu.median / r.ebpf.cpu.median).toFixed(2)}x median`,
  ].join('\n');
}
