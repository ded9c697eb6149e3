// Cost of one user-space sampling decision, ns per event, for each strategy of
// @bpfscope/core's sampling module, against a bare loop over the same events in the same
// run (the loop reads the event's timestamp and adds it up: what any consumer does at
// least) and against a loop that calls an empty sink per event. The events are 200,000
// objects with a timestamp (Poisson arrivals at 100,000/s), a latency and a pid, made once
// from a seeded generator; every variant walks the same array. Rounds interleave the
// variants so that the machine's load reaches all alike; the median round counts.
import {
  adaptiveSampler,
  createAdaptiveBatcher,
  prioritySampler,
  reservoirSampler,
  seededRandom,
  tailSampler,
  tokenBucket,
  uniformSampler,
} from '@bpfscope/core';
import { median } from './measure.mjs';
import { benchKernelDecisions, reportKernelDecisions } from './sampling-kernel.mjs';

const EVENTS = 200_000;
const ROUNDS = Number(process.env.BENCH_SAMPLING_ROUNDS ?? 9);

function events() {
  const random = seededRandom(1);
  let t = 0;
  return Array.from({ length: EVENTS }, () => {
    t += -Math.log(1 - random()) / 100; // ms, 100,000 events/s
    return { t, latency: Math.floor(Math.exp(8 + 2 * random())), pid: 100 + Math.floor(random() * 50) };
  });
}

const timeMs = (e) => e.t;
const latencyOf = (e) => e.latency;

/** Each variant makes fresh state per round and returns a function walking all events. */
const VARIANTS = [
  ['bare loop (reference)', () => (evs) => {
    let s = 0;
    for (let i = 0; i < evs.length; i++) s += evs[i].t;
    return s;
  }],
  ['loop calling an empty sink', () => {
    let n = 0;
    const sink = () => void n++;
    return (evs) => {
      for (let i = 0; i < evs.length; i++) sink(evs[i], 1);
      return n;
    };
  }],
  ['uniform 1-in-10, counter', () => decideAll(uniformSampler({ every: 10 }))],
  ['uniform 1-in-10, random', () => decideAll(uniformSampler({ every: 10, mode: 'random', random: seededRandom(2) }))],
  ['adaptive, 5,000/s (100 ms windows)', () => decideAll(adaptiveSampler({ targetPerSecond: 5000, windowMs: 100, timeMs }))],
  ['token bucket, 5,000/s burst 100', () => decideAll(tokenBucket({ ratePerSecond: 5000, burst: 100, timeMs }))],
  ['tail, fixed threshold', () => decideAll(tailSampler({ latencyOf, threshold: 20_000 }))],
  ['tail, p99 of a 1,024-value window', () => decideAll(tailSampler({ latencyOf, timeMs, percentile: 99, windowMs: 1000 }))],
  ['reservoir, 100 per 100 ms', () => offerAll(reservoirSampler({ size: 100, windowMs: 100, timeMs, random: seededRandom(3) }))],
  ['priority, 1 high pid, others 1-in-10', () => offerAll(prioritySampler({
    classify: (e) => (e.pid === 100 ? 'high' : `pid:${e.pid}`),
    high: ['high'],
    innerFor: () => uniformSampler({ every: 10 }),
  }))],
  ['adaptive batcher, push (max 100, 5 ms)', () => {
    let n = 0;
    const b = createAdaptiveBatcher({ deliver: (batch) => void (n += batch.length), maxSize: 100, maxDelayMs: 5 });
    return (evs) => {
      for (let i = 0; i < evs.length; i++) b.push(evs[i]);
      b.close();
      return n;
    };
  }],
  ['adaptive batcher, pushAll of 100-event drains', () => {
    let n = 0;
    const b = createAdaptiveBatcher({ deliver: (batch) => void (n += batch.length), maxSize: 100, maxDelayMs: 5 });
    return (evs) => {
      for (let i = 0; i < evs.length; i += 100) b.pushAll(evs.slice(i, i + 100));
      b.close();
      return n;
    };
  }],
];

function decideAll(s) {
  return (evs) => {
    let kept = 0;
    for (let i = 0; i < evs.length; i++) if (s.decide(evs[i]).keep) kept++;
    return kept;
  };
}

function offerAll(s) {
  let kept = 0;
  const sink = () => void kept++;
  return (evs) => {
    for (let i = 0; i < evs.length; i++) s.offer(evs[i], sink);
    s.flush(sink);
    return kept;
  };
}

/** @returns per variant: median ns per event over the rounds, and the kept count of the last round */
export async function benchSampling() {
  const evs = events();
  const ns = Object.fromEntries(VARIANTS.map(([name]) => [name, []]));
  const kept = {};
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [name, make] of VARIANTS) {
      const run = make();
      const t0 = process.hrtime.bigint();
      kept[name] = run(evs);
      const dt = Number(process.hrtime.bigint() - t0);
      if (round > 0) ns[name].push(dt / evs.length); // round 0 warms the JIT
    }
  }
  return { events: evs.length, rounds: ROUNDS, medianNs: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, median(v)])), kept, kernel: await kernelBucket(), decisions: await benchKernelDecisions() };
}

export function reportSampling(r) {
  const ref = r.medianNs['bare loop (reference)'];
  const lines = [`user-space sampling: ns per event, median of ${r.rounds} interleaved rounds over ${r.events.toLocaleString('en')} events; ratio to the bare loop in this run`];
  lines.push(`  ${'variant'.padEnd(42)} ${'ns/event'.padStart(9)} ${'× bare loop'.padStart(12)} ${'kept'.padStart(9)}`);
  for (const [name, v] of Object.entries(r.medianNs)) {
    const k = name.startsWith('bare') ? '' : String(r.kept[name]);
    lines.push(`  ${name.padEnd(42)} ${v.toFixed(1).padStart(9)} ${(v / ref).toFixed(1).padStart(12)} ${k.padStart(9)}`);
  }
  const k = r.kernel;
  if (k.skipped) lines.push(`kernel token bucket: left out (${k.skipped})`);
  else {
    lines.push(`kernel token bucket (raw_tp sys_enter, ${k.calls.toLocaleString('en')} getppid calls per round, median of ${r.rounds}; timed in the program with bpf_ktime_get_ns):`);
    lines.push(`  decision (3 map lookups + compare-and-swap + counts), clock pair included  ${k.decisionNs.toFixed(1)} ns`);
    lines.push(`  the clock pair alone (reference)                                        ${k.referenceNs.toFixed(1)} ns`);
    lines.push(`  the decision's own cost: ${(k.decisionNs - k.referenceNs).toFixed(1)} ns per event (${(k.decisionNs / k.referenceNs).toFixed(1)}× the reference)`);
  }
  lines.push(reportKernelDecisions(r.decisions));
  return lines.join('\n');
}

// Kernel: the cost of one token-bucket decision in an eBPF program
// (packages/core/src/sampling/bpf/bucket_test.bpf.c with bpf/include/bpfscope_sampling.h, built here with clang). This process
// is the target: each `process.ppid` read is a getppid call that a raw_tp program on
// sys_enter offers to the bucket. The program times its own work with bpf_ktime_get_ns:
// mode 1 around the decision (three map lookups and the compare-and-swap), mode 2 around
// nothing — the same two clock reads, the reference. Objects alternate round by round.
const KERNEL_CALLS = 100_000;

async function kernelBucket() {
  if (process.getuid?.() !== 0) return { skipped: 'not root: the kernel part needs to load eBPF programs' };
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { BpfObject } = await import('@bpfscope/native');
  const here = fileURLToPath(new URL('../../packages/core/src/sampling/bpf/', import.meta.url));
  const include = fileURLToPath(new URL('../../bpf/include/', import.meta.url));
  const out = join(mkdtempSync(join(tmpdir(), 'bpfscope-bench-bucket-')), 'bucket_test.bpf.o');
  execFileSync(process.env.CLANG ?? 'clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', '-mcpu=v3', '-I', include, '-I', here, '-c', join(here, 'bucket_test.bpf.c'), '-o', out]);
  const key = new Uint8Array(4);
  const objs = [];
  try {
    for (const mode of [1, 2]) {
      const obj = BpfObject.open(out, { constants: { target_tgid: process.pid, bench_mode: mode } });
      objs.push(obj);
      await obj.load();
      const cfg = obj.structLayout('bpfscope_bucket_cfg');
      const v = new Uint8Array(cfg.size);
      const dv = new DataView(v.buffer);
      dv.setBigUint64(cfg.fields.rate.offset, 100_000n, true);
      dv.setBigUint64(cfg.fields.burst.offset, 1000n, true);
      obj.map('bkt_cfg').update(key, v);
    }
    const read = (obj) => {
      const layout = obj.structLayout('bkt_offers');
      const raw = obj.map('bkt_offers').lookup(key);
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return { offered: Number(dv.getBigUint64(layout.fields.offered.offset, true)), timedNs: Number(dv.getBigUint64(layout.fields.timed_ns.offset, true)) };
    };
    const per = { 1: [], 2: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, mode] of [1, 2].entries()) {
        const before = read(objs[i]);
        const link = objs[i].attach('bkt_sys_enter');
        let s = 0;
        for (let c = 0; c < KERNEL_CALLS; c++) s += process.ppid;
        link.destroy();
        const after = read(objs[i]);
        const offered = after.offered - before.offered;
        if (offered !== KERNEL_CALLS) throw new Error(`bench: the program saw ${offered} getppid calls of ${KERNEL_CALLS} (${s})`);
        per[mode].push((after.timedNs - before.timedNs) / offered);
      }
    }
    return { decisionNs: median(per[1]), referenceNs: median(per[2]), calls: KERNEL_CALLS };
  } finally {
    for (const o of objs) o.close();
  }
}
