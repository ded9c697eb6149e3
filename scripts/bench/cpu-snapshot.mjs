// cpu snapshot cost: eBPF mode vs procfs fallback vs systeminformation.currentLoad().
// The modes are interleaved (every round runs each once, in an order that rotates), so
// that a change of load on this shared machine reaches all of them alike. The eBPF mode
// also costs time outside its reads: its programs run in the kernel on every context
// switch, interrupt and tick. BPF run-time statistics measure that time, inside the
// programs, over the same windows; the eBPF engine is attached only during its own windows.
import { createEngine } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import si from 'systeminformation';
import { setTimeout as sleep } from 'node:timers/promises';
import { childCpuMs, fmt, measure, quartiles, tickMs } from './measure.mjs';

// `bare` makes no call: the same sleeps, the baseline the others are compared against.
const MODES = ['bare', 'ebpf', 'fallback', 'systeminformation'];

/** Kernel run time per program, from the source's BPF statistics (`sourceStats.programs`). */
function kernelRunTime(engine) {
  const programs = engine.stats().collectors.find((c) => c.family === 'cpu')?.sourceStats?.programs ?? [];
  const out = new Map();
  for (const p of programs) if (p.runs > 0) out.set(p.program, { runs: p.runs, ns: p.runTimeNs });
  return out;
}

/** One window of `calls` calls `gapMs` apart: CPU of this process and its children, and wall time. */
async function spacedWindow(fn, { calls, gapMs }) {
  const c0 = process.cpuUsage();
  const ch0 = childCpuMs();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    await sleep(gapMs);
    await fn();
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const ownCpuMs = (c.user + c.system) / 1000;
  const childrenMs = childCpuMs() - ch0;
  return { wallMs, ownCpuMs, childCpuMs: childrenMs, userCpuMs: ownCpuMs + childrenMs, calls };
}

async function startEngine(mode) {
  const engine = createEngine({ plugins: [cpu()], config: { mode, cache: { enabled: false }, programStats: mode === 'ebpf', logLevel: 'silent' } });
  await engine.start();
  const snap = await engine.collect();
  if (!snap.get('cpu')) throw new Error(`cpu family missing in ${mode} mode: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  return engine;
}

/** One round of one mode: back-to-back calls (not for systeminformation, which re-reads at most every 200 ms), then a spaced window. */
async function round(mode, { calls, spacedCalls, gapMs }) {
  if (mode === 'bare') return { spaced: await spacedWindow(async () => {}, { calls: spacedCalls, gapMs }) };
  if (mode === 'systeminformation') {
    await si.currentLoad();
    return { spaced: await spacedWindow(() => si.currentLoad(), { calls: spacedCalls, gapMs }) };
  }
  const engine = await startEngine(mode);
  try {
    const backToBack = await measure(() => engine.collect(), { calls });
    const k0 = mode === 'ebpf' ? kernelRunTime(engine) : null;
    const spaced = await spacedWindow(() => engine.collect(), { calls: spacedCalls, gapMs });
    if (k0) {
      const k1 = kernelRunTime(engine);
      spaced.kernel = [...k1].map(([name, v]) => ({ name, runs: v.runs - (k0.get(name)?.runs ?? 0), ns: v.ns - (k0.get(name)?.ns ?? 0) }));
    }
    return { backToBack, spaced };
  } finally {
    await engine.close();
  }
}

export async function benchCpuSnapshot({ rounds = 6, calls = 300, spacedCalls = 10, gapMs = 210 } = {}) {
  const perMode = Object.fromEntries(MODES.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]);
    for (const mode of order) perMode[mode].push(await round(mode, { calls, spacedCalls, gapMs }));
  }
  return { rounds, calls, spacedCalls, gapMs, perMode };
}

export function reportCpuSnapshot(r) {
  const q = (xs) => quartiles(xs);
  const span = (xs, f) => { const v = q(xs); return `${f(v.median)} [${f(v.q1)}–${f(v.q3)}]`; };
  const pct = (x) => `${x.toFixed(2)}%`;
  const lines = [
    `cpu snapshot: ${r.rounds} rounds, modes interleaved (order rotating per round); medians over rounds [quartiles]`,
    `  back to back (${r.calls} calls per round)      wall per call             CPU per call (own + children)`,
  ];
  const b2b = {};
  for (const mode of ['ebpf', 'fallback']) {
    const rs = r.perMode[mode].map((x) => x.backToBack);
    b2b[mode] = q(rs.map((x) => x.cpuMs + x.childCpuMs)).median;
    lines.push(`    ${mode.padEnd(36)} ${span(rs.map((x) => x.wallMs), fmt).padEnd(25)} ${span(rs.map((x) => x.cpuMs + x.childCpuMs), fmt)}`);
  }
  lines.push(
    `  one call every ${r.gapMs} ms (${r.spacedCalls} calls per round; currentLoad() re-reads only after 200 ms)`,
    `    per call: user-space CPU of this process (own + children it waited for), kernel run time of the eBPF programs in the call interval;`,
    `    total: both together in % of one core over the window; bare makes no call (the sleeps alone)`,
  );
  const core = {};
  for (const mode of MODES) {
    const ws = r.perMode[mode].map((x) => x.spaced);
    const kernelMs = (w) => (w.kernel ?? []).reduce((s, p) => s + p.ns, 0) / 1e6;
    const share = ws.map((w) => ((w.userCpuMs + kernelMs(w)) / w.wallMs) * 100);
    core[mode] = q(share).median;
    lines.push(
      `    ${mode.padEnd(18)} own ${span(ws.map((w) => w.ownCpuMs / w.calls), fmt).padEnd(26)} children ${span(ws.map((w) => w.childCpuMs / w.calls), fmt).padEnd(26)} kernel ${mode === 'ebpf' ? span(ws.map((w) => kernelMs(w) / w.calls), fmt).padEnd(26) : 'none (no programs)'.padEnd(26)} total ${span(share, pct)}`,
    );
  }
  const programs = new Map();
  for (const w of r.perMode.ebpf.map((x) => x.spaced)) {
    for (const p of w.kernel ?? []) {
      const e = programs.get(p.name) ?? { runs: 0, ns: 0, wallMs: 0 };
      programs.set(p.name, { runs: e.runs + p.runs, ns: e.ns + p.ns, wallMs: e.wallMs + w.wallMs });
    }
  }
  lines.push(`    eBPF programs over the spaced windows (BPF_ENABLE_STATS: time inside the programs, not the tracepoint dispatch around them):`);
  for (const [name, p] of [...programs].sort((a, b) => b[1].ns - a[1].ns)) {
    lines.push(`      ${name.padEnd(22)} ${Math.round(p.runs / (p.wallMs / 1000)).toLocaleString().padStart(9)} runs/s  ${(p.runs > 0 ? p.ns / p.runs : 0).toFixed(0).padStart(5)} ns/run  ${fmt(p.ns / 1e6 / (p.wallMs / 1000)).padStart(9)} per s`);
  }
  lines.push(
    `  ratio fallback / ebpf, CPU per call back to back (user space only): ${(b2b.fallback / b2b.ebpf).toFixed(2)}x`,
    `  share of one core at one call per ${r.gapMs} ms, user + kernel, above bare (${pct(core.bare)}): ebpf ${pct(core.ebpf - core.bare)}, fallback ${pct(core.fallback - core.bare)}, systeminformation ${pct(core.systeminformation - core.bare)}`,
    `  target: ebpf <= 0.3 ms CPU per call back to back: ${b2b.ebpf <= 0.3 ? 'met' : 'NOT met'}`,
    `  (children's CPU is counted in whole clock ticks of ${fmt(tickMs())}, read from the auxiliary vector)`,
  );
  return lines.join('\n');
}
