// Whole-library overhead as a user embedding it sees it (all four families, eBPF mode),
// each figure from a process of its own (overhead-child.mjs): import time, cold start,
// 1 Hz streaming (user-space CPU right after start and once V8 has compiled the read paths,
// kernel BPF run time over the same windows, RSS),
// an idle started engine, the CPU of a read, and the slowdown of a pipe ping-pong pinned
// to one CPU with the families attached vs bare, in interleaved pairs, beside its floor:
// empty programs on the two hooks the ping-pong runs through (c/sys_enter_floor.bpf.c).
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DEFAULT_CONFIG } from '@bpfscope/core';
import { BpfObject } from '@bpfscope/native';
import { buildBpf, buildC } from './c-build.mjs';
import { fmt, quartiles } from './measure.mjs';

const CHILD = new URL('./overhead-child.mjs', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_OVERHEAD_RUNS ?? 3);
const STEADY_S = Number(process.env.BENCH_OVERHEAD_STEADY_S ?? 20);
// When the second steady window opens: V8 has compiled most of the read paths by then.
const WARM_S = Number(process.env.BENCH_OVERHEAD_WARM_S ?? 90);
// And a third (0: none): V8 goes on optimising read-path functions one by one as they
// reach its thresholds at one call a second (--trace-opt over 7 minutes: 0.3-2.5 ms of
// compile per second on its threads from 60 to 180 s, 0.1-0.2 ms from 180 to 240 s).
const LATER_S = Number(process.env.BENCH_OVERHEAD_LATER_S ?? 240);
/** Seconds of snapshots before the snapshot is measured again (half that for each family). */
const READS_WARM_S = Number(process.env.BENCH_OVERHEAD_READS_WARM_S ?? 60);
const IDLE_S = Number(process.env.BENCH_OVERHEAD_IDLE_S ?? 5);
const PAIRS = Number(process.env.BENCH_OVERHEAD_PAIRS ?? 5);
const ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 50000);
/** Ping-pong triples (bare, families attached, the floor's empty programs): each of the six orders once by default. */
const TRIPLES = Number(process.env.BENCH_OVERHEAD_TRIPLES ?? 6);
const ORDERS = [
  ['bare', 'attached', 'floor'], ['floor', 'bare', 'attached'], ['attached', 'floor', 'bare'],
  ['bare', 'floor', 'attached'], ['attached', 'bare', 'floor'], ['floor', 'attached', 'bare'],
];

const child = (...args) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', CHILD, ...args.map(String)], { encoding: 'utf8' }).trim().split('\n').at(-1));

/** Starts a `hold` child; resolves when its engine streams, with stop() → its final line, once it has exited. */
async function hold(stats) {
  const p = spawn(process.execPath, [CHILD, 'hold', stats ? '1' : '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => p.once('exit', resolve));
  const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done || !JSON.parse(first.value).ready) throw new Error('overhead: the holding engine did not start');
  return {
    async stop() {
      p.stdin.end();
      const last = await lines.next();
      await exited; // its teardown (detaching, freeing) is not left to overlap the next run
      return JSON.parse(last.value);
    },
  };
}

/** @returns every measurement, raw */
export async function benchOverhead() {
  const out = { imports: [], steady: [], idle: {}, reads: [], pingpong: [], statsPairs: [], loadedRuns: null };
  for (let i = 0; i < RUNS; i++) out.imports.push(child('import').importMs);
  for (let i = 0; i < Math.max(1, RUNS - 1); i++) out.steady.push(child('steady', STEADY_S, WARM_S, LATER_S));
  for (const set of [[], ['cpu', 'mem', 'proc', 'syscall'], ['cpu'], ['proc'], ['syscall'], ['mem']]) {
    out.idle[set.join('+')] = Array.from({ length: 2 }, () => child('idle', IDLE_S, ...set).cpuPct);
  }
  out.reads.push(child('reads', READS_WARM_S));
  const pp = buildC('pipe_pingpong');
  let floor = null;
  try {
    floor = buildBpf('sys_enter_floor');
    pp.run([1000, 0]);
    for (let i = 0; i < TRIPLES; i++) {
      // Every order of the three in turn (six), so a drift in the machine's load, and what
      // one case leaves behind for the next, reach all three alike.
      const order = ORDERS[i % ORDERS.length];
      const triple = {};
      for (const kind of order) {
        const h = kind === 'attached' ? await hold(false) : kind === 'floor' ? await emptyHooks(floor.path) : null;
        try {
          triple[kind] = pp.run([ROUNDS, 0]).nsPerRound;
        } finally {
          await h?.stop();
        }
      }
      out.pingpong.push(triple);
    }
    // What the governor's calibration windows cost the traced work while open: the same
    // ping-pong with the families attached, run-time statistics off vs on, in pairs.
    for (let i = 0; i < PAIRS; i++) {
      const pair = {};
      for (const stats of i % 2 === 0 ? [false, true] : [true, false]) {
        const h = await hold(stats);
        pair[stats ? 'stats' : 'attached'] = pp.run([ROUNDS, 0]).nsPerRound;
        await h.stop();
      }
      out.statsPairs.push(pair);
    }
    // Kernel ns per run on a loaded machine: the same ping-pong with run-time statistics on.
    const h = await hold(true);
    pp.run([ROUNDS, 0]);
    out.loadedRuns = (await h.stop()).runs;
  } finally {
    pp.cleanup();
    floor?.cleanup();
  }
  return out;
}

/** The floor's empty programs loaded and attached in this process; stop() detaches them. */
async function emptyHooks(path) {
  const obj = BpfObject.open(path);
  const links = [];
  const stop = () => {
    for (const l of links) l.destroy();
    obj.close();
  };
  try {
    obj.setAutoload('floor_pid', false);
    await obj.load();
    for (const p of ['floor_empty', 'floor_sched_switch']) links.push(obj.attach(p));
  } catch (e) {
    stop();
    throw e;
  }
  return { stop };
}

const pct = (x) => `${x.toFixed(2)}%`;
const span = (xs, f) => { const q = quartiles(xs); return `${f(q.median)} [${f(Math.min(...xs))}-${f(Math.max(...xs))}]`; };
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;

export function reportOverhead(o) {
  const rows = [];
  const row = (what, now, target) => rows.push(`  ${what.padEnd(64)} ${now.padEnd(32)} ${target}`);
  row('what (median [min-max])', 'measured', 'target');
  row(`1 Hz stream, ${STEADY_S} s after ${WARM_S} s: user-space CPU, % of a core`, span(o.steady.map((s) => s.late.userCpuPct), pct), '<= 0.3%');
  row('  of which the main (JS) thread', span(o.steady.map((s) => s.late.mainThreadPct), pct), '');
  row(`  the next ${STEADY_S} s, run-time statistics on: kernel BPF run time, % of a core`, span(o.steady.map((s) => s.kernelPct), pct), '<= 0.1%');
  const later = o.steady.filter((s) => s.lateR);
  if (later.length > 0) {
    row(`  ${STEADY_S} s after ${later[0].later} s (V8's late compiles mostly done): user-space CPU`, span(later.map((s) => s.lateR.userCpuPct), pct), '<= 0.3%');
    row('    of which the main (JS) thread', span(later.map((s) => s.lateR.mainThreadPct), pct), '');
  }
  row(`  the first ${STEADY_S} s after start (V8 still compiling), user-space CPU`, span(o.steady.map((s) => s.userCpuPct), pct), '');
  row('    of which the main (JS) thread', span(o.steady.map((s) => s.mainThreadPct), pct), '');
  for (const [set, xs] of Object.entries(o.idle)) {
    if (set === '') row('  reference: an engine with no families (Node alone)', span(xs, pct), '(the floor)');
    else row(`started engine, no reads (${set}), % of a core`, span(xs, pct), '<= 0.02%');
  }
  const r = o.reads[0];
  row(`one snapshot of all four families (250 ms apart), CPU: first / after ${READS_WARM_S} s`, `${fmt(r.snapshotCpuMs.first)} / ${fmt(r.snapshotCpuMs.late)}`, '<= 1 ms');
  for (const [f, ms] of Object.entries(r.perFamily)) row(`  ${f} read alone (100 ms apart): first / after ${READS_WARM_S / 2} s`, `${fmt(ms.first)} / ${fmt(ms.late)}`, '<= 0.3 ms');
  row(`RSS with four families at 1 Hz, after ${o.steady[0]?.later ? o.steady[0].later + STEADY_S : WARM_S + 2 * STEADY_S} s`, span(o.steady.map((s) => s.rss), mb), '<= 70 MB');
  row("  the library's own share (minus packages imported)", span(o.steady.map((s) => s.rss - s.rssImported), mb), '<= 20 MB');
  const ratios = o.pingpong.map((p) => p.attached / p.bare);
  row(`pipe ping-pong on one CPU, attached / bare (${o.pingpong.length} triples)`, span(ratios, (x) => `${x.toFixed(3)}x`), '<= 1.05x');
  row('  floor: empty programs on sys_enter and sched_switch / bare', span(o.pingpong.map((p) => p.floor / p.bare), (x) => `${x.toFixed(3)}x`), '(no program on these hooks costs less)');
  row('  attached / that floor: the programs, and the engine reading at 1 Hz', span(o.pingpong.map((p) => p.attached / p.floor), (x) => `${x.toFixed(3)}x`), '');
  const g = DEFAULT_CONFIG.governor;
  const duty = g.calibrationMs / (g.calibrationMs + g.calibrateEvery * g.windowMs);
  const statsRatios = o.statsPairs.map((p) => p.stats / p.attached);
  row(`  run-time stats on (calibrating), / stats off (${o.statsPairs.length} pairs)`, span(statsRatios, (x) => `${x.toFixed(3)}x`), '');
  row(`  governor calibration: that for ${(100 * duty).toFixed(1)}% of the time (defaults)`, span(statsRatios, (x) => `${(100 * duty * (x - 1)).toFixed(3)}% slower`), '');
  row('import of all packages', span(o.imports, fmt), '<= 100 ms');
  row('cold start of four families (a new process)', span(o.steady.map((s) => s.startMs), fmt), '<= 200 ms');
  const lines = ['overhead of the whole library, all four families in eBPF mode, each figure from a process of its own', ...rows];
  lines.push('  kernel ns per run during the ping-pong (bpf_stats; programs that ran):');
  for (const [p, v] of Object.entries(o.loadedRuns ?? {})) {
    if (v.runs > 0) lines.push(`    ${p.padEnd(18)} ${String(Math.round(v.runTimeNs / v.runs)).padStart(6)} ns  (${v.runs} runs)`);
  }
  lines.push('  overhead governor in the steady runs (defaults: its windows measured through its calibration):');
  for (const f of Object.keys(o.steady[0]?.governor ?? {})) {
    const gs = o.steady.map((s) => s.governor[f]).filter(Boolean);
    if (gs.length === 0) continue;
    const ns = gs.map((g) => g.nsPerSec ?? 0);
    lines.push(`    ${f.padEnd(8)} last window ${span(ns, (x) => `${Math.round(x)}`)} ns/s of ${gs[0].budget} ns/s; level ${gs.map((g) => g.level).join('/')}; over budget with nothing to shed: ${gs.map((g) => (g.over ? 'yes' : 'no')).join('/')}`);
  }
  lines.push('  (warm start of a second engine: see the "init" section)');
  return lines.join('\n');
}
