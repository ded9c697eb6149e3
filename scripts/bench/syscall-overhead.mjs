// Syscall overhead: a tight getppid loop (C, pinned to CPU 1) without eBPF, with the
// syscall family in counts-only mode and in latency mode, each without and with its
// per-process detail (opt-in); plus the kernel-side ns per event from program run statistics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@bpfscope/core';
import { BpfObject } from '@bpfscope/native';
import { syscall } from '@bpfscope/plugin-syscall';
import { buildBpf } from './c-build.mjs';
import { median, quartiles } from './measure.mjs';

const CALLS = 2_000_000;
const ROUNDS = 15;

function build() {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-bench-sc-'));
  const bin = join(dir, 'loop');
  execFileSync('gcc', ['-O2', '-o', bin, new URL('./c/getppid_loop.c', import.meta.url).pathname]);
  return bin;
}

const nsPerCall = (bin) => Number(execFileSync('taskset', ['-c', '1', bin, String(CALLS)], { encoding: 'utf8' }));
/**
 * Bare and attached runs in pairs, the order alternating from round to round, so that
 * the machine's drift (a shared VM) weighs on both sides of every ratio alike.
 * `attach()` returns a detach function.
 */
async function paired(bin, attach) {
  const bare = [];
  const attached = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    let b;
    let a;
    if (r % 2 === 0) b = nsPerCall(bin);
    const detach = await attach();
    try {
      a = nsPerCall(bin);
    } finally {
      await detach();
    }
    if (r % 2 === 1) b = nsPerCall(bin);
    bare.push(b);
    attached.push(a);
    ratios.push(a / b);
  }
  return { bare: median(bare), attached: median(attached), slowdown: quartiles(ratios) };
}

function withFamily(mode, processes = false) {
  return async () => {
    const engine = createEngine({ plugins: [syscall({ mode, processes })], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent' } });
    await engine.start();
    return () => engine.close();
  };
}

export async function benchSyscallOverhead() {
  const bin = build();
  const counts = await paired(bin, withFamily('counts'));
  const latency = await paired(bin, withFamily('latency'));
  const countsProcesses = await paired(bin, withFamily('counts', true));
  const latencyProcesses = await paired(bin, withFamily('latency', true));
  // Before the run statistics section: statistics cost every program run a little.
  const floor = await hookFloor(bin);
  const kernel = await kernelNsPerEvent(bin);
  return { counts, latency, countsProcesses, latencyProcesses, kernel, floor };
}

// What the hook costs on this kernel and CPU before any counting: an empty program on
// tp_btf/sys_enter, and one that only asks who is calling (bpf_get_current_pid_tgid).
async function hookFloor(bin) {
  const built = buildBpf('sys_enter_floor');
  const out = {};
  try {
    for (const prog of ['floor_empty', 'floor_pid']) {
      const obj = BpfObject.open(built.path);
      try {
        obj.setAutoload(prog === 'floor_empty' ? 'floor_pid' : 'floor_empty', false);
        obj.setAutoload('floor_sched_switch', false);
        await obj.load();
        out[prog] = await paired(bin, () => {
          const link = obj.attach(prog);
          return () => link.destroy();
        });
      } finally {
        obj.close();
      }
    }
  } finally {
    built.cleanup();
  }
  return out;
}

// Kernel-side cost per event: run time / run count of each program while the loop
// runs, from the engine's program statistics.
async function kernelNsPerEvent(bin) {
  const out = {};
  for (const [key, mode, processes] of [['counts', 'counts', false], ['latency', 'latency', false], ['countsProcesses', 'counts', true], ['latencyProcesses', 'latency', true]]) {
    const engine = createEngine({ plugins: [syscall({ mode, processes })], config: { mode: 'ebpf', cache: { enabled: false }, programStats: true, logLevel: 'silent' } });
    await engine.start();
    nsPerCall(bin);
    const programs = engine.stats().collectors[0]?.sourceStats?.programs ?? [];
    out[key] = programs.filter((p) => p.nsPerRun !== null).map((p) => `${p.program} ${p.nsPerRun} ns/run`).join(', ') || 'n/a';
    await engine.close();
  }
  return out;
}

export function reportSyscallOverhead(r) {
  const x = (v) => `${v.toFixed(2)}x`;
  const row = (label, v) =>
    `  ${label.padEnd(44)} ${v.bare.toFixed(1).padStart(6)} ${v.attached.toFixed(1).padStart(8)}   ${x(v.slowdown.median)} [${x(v.slowdown.q1)}–${x(v.slowdown.q3)}]`;
  const met = r.counts.slowdown.median <= 1.5;
  return [
    `syscall overhead: getppid loop, ${CALLS.toLocaleString()} calls per run, pinned to CPU 1; ${ROUNDS} pairs of a bare and an attached run each, order alternating`,
    `  ${''.padEnd(44)} ${'bare'.padStart(6)} ${'attached'.padStart(8)}   slowdown per pair: median [quartiles]   (ns/call, medians)`,
    row('counts-only mode', r.counts),
    row('latency mode', r.latency),
    row('counts-only mode, per-process detail on', r.countsProcesses),
    row('latency mode, per-process detail on', r.latencyProcesses),
    row('floor: an empty tp_btf/sys_enter program', r.floor.floor_empty),
    row('floor: one calling bpf_get_current_pid_tgid', r.floor.floor_pid),
    `  target: counts-only slowdown <= 1.5x (speed >= 1/1.5 of bare), median of pairs: ${x(r.counts.slowdown.median)} -> ${met ? 'met' : 'NOT met'}`,
    `    (the last line is the cost of one helper call per event, which counts-only mode now makes too: the tgid judges the call in every engine slot)`,
    `  kernel ns per event, counts-only: ${r.kernel.counts}`,
    `  kernel ns per event, latency:     ${r.kernel.latency}`,
    `  kernel ns per event, counts-only, per-process detail on: ${r.kernel.countsProcesses}`,
    `  kernel ns per event, latency, per-process detail on:     ${r.kernel.latencyProcesses}`,
  ].join('\n');
}
