// Syscall overhead: a tight getppid loop (C, pinned to CPU 1) without eBPF, with the
// syscall family in counts-only mode and in latency mode; plus the kernel-side ns per
// event from program run statistics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@bpfscope/core';
import { BpfObject } from '@bpfscope/native';
import { syscall } from '@bpfscope/plugin-syscall';
import { buildBpf } from './c-build.mjs';

const CALLS = 2_000_000;
const ROUNDS = 7;

function build() {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-bench-sc-'));
  const bin = join(dir, 'loop');
  execFileSync('gcc', ['-O2', '-o', bin, new URL('./c/getppid_loop.c', import.meta.url).pathname]);
  return bin;
}

const nsPerCall = (bin) => Number(execFileSync('taskset', ['-c', '1', bin, String(CALLS)], { encoding: 'utf8' }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function withFamily(mode, bin) {
  const sc = syscall({ mode });
  const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent' } });
  await engine.start();
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(nsPerCall(bin));
  const snap = await engine.collect();
  await engine.close();
  return { ns: median(runs), calls: snap.get('syscall')?.data.total.count ?? null };
}

export async function benchSyscallOverhead() {
  const bin = build();
  const base = [];
  for (let i = 0; i < ROUNDS; i++) base.push(nsPerCall(bin));
  const counts = await withFamily('counts', bin);
  const latency = await withFamily('latency', bin);
  // Before the run statistics section: statistics cost every program run a little.
  const floor = await hookFloor(bin);
  const kernel = await kernelNsPerEvent(bin);
  return { base: median(base), counts: counts.ns, latency: latency.ns, kernel, floor };
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
        await obj.load();
        obj.attach(prog);
        const runs = [];
        for (let i = 0; i < ROUNDS; i++) runs.push(nsPerCall(bin));
        out[prog] = median(runs);
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
  for (const mode of ['counts', 'latency']) {
    const engine = createEngine({ plugins: [syscall({ mode })], config: { mode: 'ebpf', cache: { enabled: false }, programStats: true, logLevel: 'silent' } });
    await engine.start();
    nsPerCall(bin);
    const stats = engine.stats().collectors[0]?.sourceStats ?? {};
    out[mode] = Object.entries(stats).filter(([k]) => k.endsWith('.nsPerRun')).map(([k, v]) => `${k.replace('.nsPerRun', '')} ${v} ns/run`).join(', ') || 'n/a';
    await engine.close();
  }
  return out;
}

export function reportSyscallOverhead(r) {
  const speed = (x) => r.base / x;
  return [
    `syscall overhead: getppid loop, ${CALLS.toLocaleString()} calls per run, median of ${ROUNDS}, pinned to CPU 1`,
    `  no eBPF                  ${r.base.toFixed(1)} ns/call`,
    `  counts-only attached     ${r.counts.toFixed(1)} ns/call   speed ${speed(r.counts).toFixed(2)} of bare (slowdown ${(r.counts / r.base).toFixed(2)}x; target >= 1/1.5: ${speed(r.counts) >= 1 / 1.5 ? 'met' : 'NOT met'}; bcc syscount: 1.85x)`,
    `  latency mode attached    ${r.latency.toFixed(1)} ns/call   speed ${speed(r.latency).toFixed(2)} of bare (slowdown ${(r.latency / r.base).toFixed(2)}x)`,
    `  floor: an empty program on tp_btf/sys_enter ${r.floor.floor_empty.toFixed(1)} ns/call (slowdown ${(r.floor.floor_empty / r.base).toFixed(2)}x); one that only calls bpf_get_current_pid_tgid ${r.floor.floor_pid.toFixed(1)} ns/call (${(r.floor.floor_pid / r.base).toFixed(2)}x)`,
    `    (the second line is the cost of one helper call per event; counts-only mode learns the task from its pt_regs pointer instead, once per context switch)`,
    `  kernel ns per event, counts-only: ${r.kernel.counts}`,
    `  kernel ns per event, latency:     ${r.kernel.latency}`,
  ].join('\n');
}
