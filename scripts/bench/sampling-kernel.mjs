// Kernel cost of the sampling decisions of bpf/include/bpfscope_sampling.h inside the syscall
// family's programs, from the kernel's own run statistics (BPF_ENABLE_STATS: run_time_ns /
// run_cnt) over the same workload: a C loop of getppid calls pinned to CPU 1, with an
// engine's syscall stream open (events on) and its filter on getppid of this process's
// children (so the loop's calls are the events). A run's events fit in the ring (1 MiB) and the stream drains it before
// the next run, so no variant meets a full ring: a full ring refuses at once, and a
// comparison against it would time the drop path, not the decision. Rounds interleave the
// variants; the median round counts. sc_enter sends the events in counts
// mode; the tail decision needs a duration, which exists only in latency mode, where
// sc_exit sends them: tail is measured on sc_exit against sc_exit with no decision.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEngine } from '@bpfscope/core';
import { median } from './measure.mjs';

const CALLS = 10_000; // × 88 bytes of sc_event and header: within the 1 MiB ring
const ROUNDS = Number(process.env.BENCH_SAMPLING_KERNEL_ROUNDS ?? 21);

/** Variants per mode: [label, setting or null]. Settings that pass every event time the decision alone. */
const VARIANTS = {
  counts: [
    ['events on, no decision (reference)', null],
    ['uniform 1-in-1 (decided, all pass)', { strategy: 'uniform', every: 1 }],
    ['uniform 1-in-10, counter', { strategy: 'uniform', every: 10 }],
    ['uniform 1-in-10, random', { strategy: 'uniform', every: 10, mode: 'random' }],
    ['uniform 1-in-1000, counter', { strategy: 'uniform', every: 1000 }],
    ['priority by syscall (hash hit, all pass)', { strategy: 'priority', match: { kinds: ['getppid'] } }],
    ['priority by pid (miss) + 1-in-10', { strategy: 'priority', match: { pids: [1] }, otherwise: { strategy: 'uniform', every: 10 } }],
    ['token bucket, never empty (CAS, all pass)', { strategy: 'token-bucket', ratePerSecond: 1_000_000_000, burst: 1_000_000_000 }],
    ['token bucket 10,000/s burst 100', { strategy: 'token-bucket', ratePerSecond: 10_000, burst: 100 }],
  ],
  latency: [
    ['events on, no decision (reference)', null],
    ['tail ≥ 1 ns (all pass)', { strategy: 'tail', threshold: 1 }],
    ['tail ≥ 1 ms (all sampled away)', { strategy: 'tail', threshold: 1_000_000 }],
  ],
};

function buildLoop() {
  const bin = join(mkdtempSync(join(tmpdir(), 'bpfscope-bench-ks-')), 'loop');
  execFileSync('gcc', ['-O2', '-o', bin, new URL('./c/getppid_loop.c', import.meta.url).pathname]);
  return bin;
}

async function measureMode(mode, bin) {
  const { syscall, syscallNumber } = await import('@bpfscope/plugin-syscall');
  const engine = createEngine({ plugins: [syscall({ mode })], config: { mode: 'ebpf', cache: { enabled: false }, programStats: true, logLevel: 'silent' } });
  const ac = new AbortController();
  const program = mode === 'counts' ? 'sc_enter' : 'sc_exit';
  try {
    await engine.start();
    // This process's children only: other processes on a shared machine call getppid too.
    await engine.setFilter('syscall', { syscalls: [syscallNumber('getppid')], descendantsOf: [process.pid] });
    const stream = engine.events('syscall', { signal: ac.signal, queue: 1 << 16 });
    await stream.ready;
    let delivered = 0;
    const draining = (async () => {
      for await (const _ of stream) delivered++; // eslint-disable-line no-unused-vars
    })();
    const stat = () => {
      const c = engine.stats().collectors.find((x) => x.family === 'syscall');
      const p = c.sourceStats.programs.find((x) => x.program === program);
      return { runs: p.runs, ns: p.runTimeNs, dropped: c.sourceStats.counters.eventsDropped ?? 0, sent: c.sourceStats.counters.eventsSent ?? 0 };
    };
    const drained = async () => {
      while (delivered < stat().sent) await new Promise((r) => setTimeout(r, 2));
    };
    const per = Object.fromEntries(VARIANTS[mode].map(([label]) => [label, { ns: [], dropped: 0 }]));
    for (let round = 0; round < ROUNDS + 1; round++) {
      for (const [label, setting] of VARIANTS[mode]) {
        await engine.setSampling('syscall', setting);
        await drained();
        const a = stat();
        await promisify(execFile)('taskset', ['-c', '1', bin, String(CALLS)]);
        const b = stat();
        if (round === 0) continue; // warm-up
        per[label].ns.push((b.ns - a.ns) / (b.runs - a.runs));
        per[label].dropped += b.dropped - a.dropped;
      }
    }
    ac.abort();
    await draining;
    return { program, rows: VARIANTS[mode].map(([label]) => ({ label, ns: median(per[label].ns), dropped: per[label].dropped })) };
  } finally {
    ac.abort();
    await engine.close();
  }
}

/** @returns per mode: the program measured and per variant the median ns per run and the ring drops */
export async function benchKernelDecisions() {
  if (process.getuid?.() !== 0) return { skipped: 'not root: the kernel part needs to load eBPF programs' };
  const bin = buildLoop();
  return { calls: CALLS, rounds: ROUNDS, counts: await measureMode('counts', bin), latency: await measureMode('latency', bin) };
}

export function reportKernelDecisions(r) {
  if (r.skipped) return `kernel sampling decisions: left out (${r.skipped})`;
  const lines = [`kernel sampling decisions in the syscall programs: ns per run (bpf_stats run_time_ns / run_cnt), median of ${r.rounds} interleaved rounds of ${r.calls.toLocaleString('en')} getppid calls (pinned to CPU 1), events on`];
  for (const m of [r.counts, r.latency]) {
    const ref = m.rows[0].ns;
    lines.push(`  ${m.program} (${m === r.counts ? 'counts mode: events sent at entry' : 'latency mode: events sent at return'})`);
    for (const row of m.rows) {
      lines.push(`    ${row.label.padEnd(44)} ${row.ns.toFixed(1).padStart(7)} ns  ${(row.ns - ref >= 0 ? '+' : '') + (row.ns - ref).toFixed(1).padStart(6)} ns vs reference   ring drops ${row.dropped}`);
    }
  }
  lines.push('  (each run also serves the machine\'s other syscalls, which the filter rejects: the loop\'s calls are most but not all of the runs;');
  lines.push('   a setting that passes every event times the decision itself; a thinning one also changes what the passed events cost: docs/sampling.md)');
  return lines.join('\n');
}
