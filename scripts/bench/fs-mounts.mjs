// fs family, user-space reads: the mounts part alone (statfs on each mount point of
// /proc/self/mountinfo, as both sources read it) against systeminformation's fsSize()
// (which runs df and parses it) and a df -B1 run, interleaved round by round; then the
// whole family read from whichever sources exist here, with what could not be measured.
import { execFileSync } from 'node:child_process';
import { createEngine, createProcfsReader } from '@bpfscope/core';
import { fs } from '@bpfscope/plugin-fs';
import si from 'systeminformation';
import { FsSideReader } from '../../packages/plugin-fs/dist/procfs/fs-side-reader.js';
import { childCpuMs, quartiles } from './measure.mjs';

const ROUNDS = 21;
const READS = 100;

async function timed(fn) {
  const c0 = process.cpuUsage();
  const k0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 + (childCpuMs() - k0) };
}

export async function benchFsMounts({ rounds = ROUNDS } = {}) {
  const side = new FsSideReader(createProcfsReader('/proc', '/sys'), { allMounts: false });
  const df = () => execFileSync('df', ['-B1', '--output=source,fstype,size,used,avail,target'], { encoding: 'utf8' });
  const kinds = { ours: () => side.mounts(), si: () => si.fsSize(), df };
  const ms = { ours: [], si: [], df: [] };
  const cpu = { ours: [], si: [], df: [] };
  const seen = {};
  for (const k of Object.keys(kinds)) await kinds[k](); // warm: module loads, first statfs
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(kinds);
    for (let i = 0; i < r % order.length; i++) order.push(order.shift());
    for (const k of order) {
      const t = await timed(kinds[k]);
      ms[k].push(t.wall);
      cpu[k].push(t.cpu);
      seen[k] = k === 'ours' ? t.value.mounts.length : k === 'si' ? t.value.length : t.value.trim().split('\n').length - 1;
    }
  }
  const ratio = (k, m) => quartiles(m[k].map((t, i) => t / m.ours[i]));
  return {
    rounds, seen,
    ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, quartiles(v)])),
    cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, quartiles(v)])),
    ratios: { si: ratio('si', ms), df: ratio('df', ms) },
    cpuRatios: { si: ratio('si', cpu), df: ratio('df', cpu) },
  };
}

/** The family read (engine.collect) per mode that starts here; a mode that does not is reported with its reason. */
export async function benchFsFamilyRead({ reads = READS } = {}) {
  const out = {};
  for (const mode of ['fallback', 'ebpf']) {
    const engine = createEngine({ plugins: [fs()], config: { mode, cache: { enabled: false }, logLevel: 'silent' } });
    try {
      await engine.start();
      const first = await engine.collect();
      const r = first.get('fs');
      if (!r) {
        out[mode] = { skipped: first.errors.map((e) => `${e.error.code}: ${e.error.message}`).join('; ') || 'no fs result' };
        continue;
      }
      const wall = [];
      const cpu = [];
      for (let i = 0; i < reads; i++) {
        const t = await timed(() => engine.collect());
        wall.push(t.wall);
        cpu.push(t.cpu);
      }
      out[mode] = { source: r.source, devices: r.data.devices.length, processes: r.data.processes.length, mounts: r.data.mounts.length, wall: quartiles(wall), cpu: quartiles(cpu) };
    } catch (e) {
      out[mode] = { skipped: `${e.code ?? e.name}: ${e.message}` };
    } finally {
      await engine.close();
    }
  }
  return { reads, modes: out };
}

export function reportFsMounts(m, f) {
  const q = (v) => `${v.median.toFixed(3)} [${v.q1.toFixed(3)}–${v.q3.toFixed(3)}]`;
  const x = (v) => `${v.median.toFixed(1)}x [${v.q1.toFixed(1)}–${v.q3.toFixed(1)}]`;
  const label = { ours: 'fs mounts: mountinfo + statfs per mount', si: "systeminformation fsSize()", df: 'df -B1 (one run)' };
  const lines = [
    `fs mounts, ${m.rounds} rounds, order rotating; wall and CPU ms (CPU includes waited-for children: df), median [quartiles]`,
    ...Object.keys(label).map((k) => `  ${label[k].padEnd(42)} wall ${q(m.ms[k]).padEnd(24)} CPU ${q(m.cpu[k]).padEnd(24)} ${m.seen[k]} filesystems`),
    `  per round, x the fs mounts read: systeminformation ${x(m.ratios.si)} wall, ${x(m.cpuRatios.si)} CPU; df ${x(m.ratios.df)} wall, ${x(m.cpuRatios.df)} CPU`,
    `fs family read (engine.collect, default options), ${f.reads} reads per mode:`,
  ];
  for (const [mode, r] of Object.entries(f.modes)) {
    if (r.skipped) lines.push(`  ${mode.padEnd(9)} not measured: ${r.skipped}`);
    else lines.push(`  ${mode.padEnd(9)} source ${r.source}: wall ${q(r.wall)} ms, CPU ${q(r.cpu)} ms (${r.devices} devices, ${r.processes} processes, ${r.mounts} mounts)`);
  }
  return lines.join('\n');
}
