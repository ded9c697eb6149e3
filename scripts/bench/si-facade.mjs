// @bpfscope/si's currentLoad() + mem() + processes() against systeminformation's same three
// calls, interleaved in one run (order alternating per round), each round after a pause
// longer than systeminformation's own reuse windows (200 ms for currentLoad, 500 ms for
// processes) and the facade's (200 ms), so that both really read. Cost: CPU time of this
// process (process.cpuUsage) plus that of the children it waited for (cutime + cstime of
// /proc/self/stat, in clock ticks read from the auxiliary vector): systeminformation runs
// ps and cat as children, the facade none. The facade's eBPF programs run in the kernel
// whether it is called or not; their run time over the whole run (BPF_ENABLE_STATS) is
// reported beside, per round, and in a second ratio. The rounds are measured twice: right
// after start, and after BENCH_SI_WARM_S seconds (default 60) of the same rounds unmeasured,
// when V8 has compiled what runs at every round (docs/overhead.md: the first minute costs
// about three times the rest).
import { createConsoleLogger } from '@bpfscope/core';
import { enableRunStats } from '@bpfscope/native';
import { SystemInformation } from '@bpfscope/si';
import si from 'systeminformation';
import { childCpuMs, median } from './measure.mjs';

const ROUNDS = 15;
const GAP_MS = 700;
const WARM_S = Number(process.env.BENCH_SI_WARM_S ?? 60);

const cpuMs = (u) => (u.user + u.system) / 1000;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

function kernelNs(engine) {
  let ns = 0;
  for (const c of engine?.stats().collectors ?? []) for (const p of c.sourceStats?.programs ?? []) ns += p.runTimeNs;
  return ns;
}

async function cost(fn) {
  const child0 = childCpuMs();
  const c0 = process.cpuUsage();
  const out = await fn();
  const self = cpuMs(process.cpuUsage(c0));
  return { self, children: childCpuMs() - child0, out };
}

export async function benchSiFacade({ rounds = ROUNDS } = {}) {
  // The facade with its defaults (programStats off); its programs' kernel run time is counted
  // by a run-stats handle of this bench, held over the run, and read at its two ends.
  const runStats = enableRunStats();
  const facade = new SystemInformation({ logger: createConsoleLogger('silent') });
  const ours = async () => {
    await facade.currentLoad();
    await facade.mem();
    return (await facade.processes()).all;
  };
  const theirs = async () => {
    await si.currentLoad();
    await si.mem();
    return (await si.processes()).all;
  };
  try {
    // Warm-up: the facade's engine loads its programs; systeminformation takes its baselines.
    await ours();
    await theirs();
    /** Rounds of both, alternating which goes first; measured unless `keep` is false. */
    const measure = async (n, keep = true) => {
      const kernel0 = kernelNs(facade.engine);
      const t0 = Date.now();
      const f = [];
      const s = [];
      for (let i = 0; i < n; i++) {
        await pause(GAP_MS);
        if (i % 2 === 0) {
          f.push(await cost(ours));
          await pause(GAP_MS);
          s.push(await cost(theirs));
        } else {
          s.push(await cost(theirs));
          await pause(GAP_MS);
          f.push(await cost(ours));
        }
      }
      if (!keep) return null;
      const windowMs = Date.now() - t0;
      const kernelMs = (kernelNs(facade.engine) - kernel0) / 1e6;
      return { rounds: n, windowMs, kernelMsPerRound: kernelMs / n, kernelPct: (100 * kernelMs) / windowMs, facade: f, si: s };
    };
    const start = Date.now();
    const first = await measure(rounds);
    while (Date.now() - start < WARM_S * 1000) await measure(1, false);
    const late = await measure(rounds);
    return { ...first, late, warmS: Math.round((Date.now() - start) / 1000) - Math.round(late.windowMs / 1000) };
  } finally {
    await facade.close();
    runStats.close();
  }
}

function lines(r, label) {
  const sum = (rows, k) => rows.reduce((a, x) => a + x[k], 0) / rows.length;
  const fSelf = sum(r.facade, 'self');
  const fKids = sum(r.facade, 'children');
  const sSelf = sum(r.si, 'self');
  const sKids = sum(r.si, 'children');
  const ours = fSelf + fKids;
  const theirs = sSelf + sKids;
  const ratio = theirs / ours;
  const withKernel = theirs / (ours + r.kernelMsPerRound);
  const ms = (v) => v.toFixed(2).padStart(8);
  const procs = (rows) => [...new Set(rows.map((x) => x.out))].sort((a, b) => a - b);
  const p = procs(r.facade);
  return [
    `${label}: currentLoad() + mem() + processes(), ${r.rounds} rounds, ${GAP_MS} ms apart, order alternating; ${p[0]}–${p.at(-1)} processes listed`,
    `  CPU ms per round (mean; children = the processes it waited for)      self   children     total   self median`,
    `  @bpfscope/si (one engine: cpu, mem, proc families)          ${ms(fSelf)}   ${ms(fKids)}  ${ms(ours)}      ${ms(median(r.facade.map((x) => x.self)))}`,
    `  systeminformation ${si.version()}                                ${ms(sSelf)}   ${ms(sKids)}  ${ms(theirs)}      ${ms(median(r.si.map((x) => x.self)))}`,
    `  the facade's eBPF programs in the kernel over the run: ${r.kernelMsPerRound.toFixed(2)} ms per round (${r.kernelPct.toFixed(3)}% of a core, called or not)`,
    `  target: >= 20x less CPU including children: ${ratio.toFixed(1)}x (${withKernel.toFixed(1)}x counting the kernel programs too) -> ${ratio >= 20 ? 'met' : 'NOT met'}`,
  ];
}

export function reportSiFacade(r) {
  return [...lines(r, 'right after start'), ...lines(r.late, `after ${r.warmS} s of rounds`)].join('\n');
}
