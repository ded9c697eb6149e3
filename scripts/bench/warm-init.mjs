// Engine init, cold vs warm. Cold: the first engine of the process with all families, no
// object loaded (every earlier engine closed, so the object cache is empty). Warm: a second
// engine started while the first is open, in the same process: shared objects come from the
// object cache with their links (syscall too: each engine takes a slot of the shared object
// for its own filter and counters). Rounds interleave cold and warm so
// that the machine's load reaches both alike. Cold here is measured after the first round's
// imports and JIT warm-up, so it is if anything lower than a new process's first init.
import { createEngine } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { cpu } from '@bpfscope/plugin-cpu';
import { mem } from '@bpfscope/plugin-mem';
import { proc } from '@bpfscope/plugin-proc';
import { syscall } from '@bpfscope/plugin-syscall';
import { fmt, quartiles } from './measure.mjs';

const ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 7);
const FAMILIES = ['cpu', 'mem', 'proc', 'syscall'];
const PLUGINS = { cpu, mem, proc, syscall };
// The second set leaves syscall out, for comparison with runs from before its object was shared.
const SETS = [FAMILIES, ['cpu', 'mem', 'proc']];
const silent = { error() {}, warn() {}, info() {}, debug() {} };

function engine(families) {
  return createEngine({
    plugins: families.map((f) => PLUGINS[f]()),
    config: { mode: 'ebpf', families: Object.fromEntries(families.map((f) => [f, { mode: 'ebpf' }])) },
    logger: silent,
  });
}

async function timedStart(e) {
  const t0 = performance.now();
  await e.start();
  const ms = performance.now() - t0;
  const perFamily = Object.fromEntries(e.stats().collectors.map((c) => [c.family, c.initMs]));
  return { ms, perFamily, programCache: e.stats().programCache };
}

/** @returns per set of families, per round: cold and warm start times, ms, per family, and the warm engine's cache counts */
export async function benchWarmInit() {
  const out = [];
  for (const families of SETS) out.push({ families, rounds: await rounds(families) });
  return out;
}

async function rounds(families) {
  const rounds = [];
  // One round not counted: module loading, the addon, JIT.
  for (let r = -1; r < ROUNDS; r++) {
    clearCache();
    const first = engine(families);
    const second = engine(families);
    try {
      const cold = await timedStart(first);
      const warm = await timedStart(second);
      if (r >= 0) rounds.push({ cold, warm });
    } finally {
      await second.close();
      await first.close();
    }
  }
  return rounds;
}

export function reportWarmInit(sets) {
  return sets.map(({ families, rounds }) => reportSet(families, rounds)).join('\n');
}

function reportSet(families, rounds) {
  const q = (xs) => quartiles(xs);
  const cold = q(rounds.map((r) => r.cold.ms));
  const warm = q(rounds.map((r) => r.warm.ms));
  const ratios = q(rounds.map((r) => r.warm.ms / r.cold.ms));
  const lines = [
    `engine.start() with ${families.join(', ')} (mode ebpf), ${rounds.length} interleaved rounds; median [q1-q3]`,
    `  cold (first engine, nothing loaded)   ${fmt(cold.median)} [${fmt(cold.q1)}-${fmt(cold.q3)}]`,
    `  warm (second engine, same process)    ${fmt(warm.median)} [${fmt(warm.q1)}-${fmt(warm.q3)}]`,
    `  warm / cold per round                 ${(ratios.median * 100).toFixed(1)} % [${(ratios.q1 * 100).toFixed(1)}-${(ratios.q3 * 100).toFixed(1)}]  (target <= 10 %)`,
    `  warm engine's program cache (last round): ${JSON.stringify(rounds.at(-1)?.warm.programCache)}`,
    '  per family init, ms (median cold / warm):',
  ];
  for (const f of families) {
    const c = q(rounds.map((r) => r.cold.perFamily[f] ?? NaN)).median;
    const w = q(rounds.map((r) => r.warm.perFamily[f] ?? NaN)).median;
    lines.push(`    ${f.padEnd(8)} ${fmt(c).padStart(8)} / ${fmt(w).padStart(8)}`);
  }
  return lines.join('\n');
}
