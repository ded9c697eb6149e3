// Syscall overhead: a tight getppid loop (C, pinned to CPU 1) without eBPF, with the
// syscall family in counts-only mode and in latency mode; plus the kernel-side ns per
// event from program run statistics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@bpfscope/core';
import { enableRunStats } from '@bpfscope/native';
import { syscall } from '@bpfscope/plugin-syscall';

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
  const stats = enableRunStats();
  const source = engine; // keep the engine alive while the loop runs
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(nsPerCall(bin));
  const snap = await source.collect();
  stats.close();
  await engine.close();
  return { ns: median(runs), calls: snap.get('syscall')?.data.total.count ?? null };
}

export async function benchSyscallOverhead() {
  const bin = build();
  const base = [];
  for (let i = 0; i < ROUNDS; i++) base.push(nsPerCall(bin));
  const counts = await withFamily('counts', bin);
  const latency = await withFamily('latency', bin);
  const kernel = await kernelNsPerEvent(bin);
  return { base: median(base), counts: counts.ns, latency: latency.ns, kernel };
}

// Kernel-side cost per event: run time / run count of each program while the loop runs.
async function kernelNsPerEvent(bin) {
  const out = {};
  for (const mode of ['counts', 'latency']) {
    const { SyscallEbpfSource } = await import('@bpfscope/plugin-syscall');
    void SyscallEbpfSource;
    const sc = syscall({ mode });
    const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent' } });
    await engine.start();
    const stats = enableRunStats();
    nsPerCall(bin);
    const obj = sc.object();
    out[mode] = obj ? obj.programStats().filter((p) => p.runCount > 0).map((p) => `${p.name} ${p.nsPerRun.toFixed(0)} ns/run`).join(', ') : 'n/a';
    stats.close();
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
    `  kernel ns per event, counts-only: ${r.kernel.counts}`,
    `  kernel ns per event, latency:     ${r.kernel.latency}`,
  ].join('\n');
}
