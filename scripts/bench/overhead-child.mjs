// One measurement of the "overhead" bench section, in a process of its own so that its
// CPU time, RSS and import time are the library's alone. Prints one JSON line.
//   import                      time to import every package
//   steady <s> <warm> [<later>] all four families with the engine's defaults, engine.stream() at
//                               1 Hz: CPU over the first <s> seconds, over <s> seconds after
//                               <warm> (the governor's figures printed) and, with <later>, over <s>
//                               seconds after <later>; kernel run time counted by a run-stats
//                               handle of this process, not the engine's, right after <warm> + <s>
//   idle <s> <family...>        a started engine that nobody reads, for <s> seconds
//   reads <warm>                CPU per snapshot (all four) and per family read, each a real
//                               read (the snapshot cache off), right after start and after
//                               <warm> s (the snapshot; <warm>/2 s for each family) of reads
//   hold <stats:0|1>            all four families started and streaming at 1 Hz until stdin
//                               ends; prints "ready" first, the program run deltas at the end
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const FAMILIES = ['cpu', 'mem', 'proc', 'syscall'];
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const [mode, ...args] = process.argv.slice(2);

async function load() {
  const t0 = performance.now();
  const [core, c, m, p, s] = await Promise.all([
    import('@bpfscope/core'), import('@bpfscope/plugin-cpu'), import('@bpfscope/plugin-mem'),
    import('@bpfscope/plugin-proc'), import('@bpfscope/plugin-syscall'),
  ]);
  const importMs = performance.now() - t0;
  const plugins = { cpu: c.cpu, mem: m.mem, proc: p.proc, syscall: s.syscall };
  // cache: false for the reads, which are closer together than the snapshot cache's ttlMs
  // (500 ms): with it, most calls would be answered from the cache and nothing read.
  const engine = (families, { programStats = false, cache = true, governor = false } = {}) => core.createEngine({
    plugins: families.map((f) => plugins[f]()),
    config: { mode: 'ebpf', programStats, cache: { enabled: cache }, governor: { enabled: governor }, families: Object.fromEntries(families.map((f) => [f, { mode: 'ebpf' }])) },
    logger: silent,
  });
  return { importMs, engine };
}

/** Every program's runs and run time, summed per program name over the families. */
function programRuns(e) {
  const out = {};
  for (const c of e.stats().collectors) {
    for (const p of c.sourceStats?.programs ?? []) {
      const o = (out[p.program] ??= { runs: 0, runTimeNs: 0 });
      o.runs += p.runs;
      o.runTimeNs += p.runTimeNs;
    }
  }
  return out;
}

function delta(a, b) {
  const out = {};
  for (const [k, v] of Object.entries(b)) out[k] = { runs: v.runs - (a[k]?.runs ?? 0), runTimeNs: v.runTimeNs - (a[k]?.runTimeNs ?? 0) };
  return out;
}

const cpuMs = (u) => (u.user + u.system) / 1000;
/** CPU time of this process's main thread alone (the JS thread), ms, from its schedstat. */
const mainThreadMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

if (mode === 'import') {
  const { importMs } = await load();
  print({ importMs });
} else if (mode === 'steady') {
  // CPU windows of <s> seconds each: the first right after start (V8 still compiles the
  // read paths' hot functions on its background threads), one after <warm> seconds of
  // streaming, and with <later> one after <later> seconds (V8's late compiles mostly done:
  // what a process that leaves the engine running pays from then on). Right after the
  // <warm> window, one for the kernel side: run-time statistics on (a handle of this bench)
  // and the programs' run time over it. The CPU windows run without that handle, as a
  // user's process does (with it, the engine's calibrations would find statistics already on).
  const seconds = Number(args[0]);
  const warm = Math.max(seconds + 1, Number(args[1] ?? 0));
  // A third CPU window, once V8's trickle of late compiles has mostly stopped (0 = none).
  const later = args[2] === undefined || Number(args[2]) === 0 ? 0 : Math.max(warm + 2 * seconds, Number(args[2]));
  const end = later > 0 ? later + seconds : warm + 2 * seconds;
  const { engine } = await load();
  globalThis.gc?.();
  const rssImported = process.memoryUsage().rss;
  // The engine runs with its defaults (programStats off, the governor on).
  const { enableRunStats } = await import('@bpfscope/native');
  let runStats = null;
  const e = engine(FAMILIES, { governor: true });
  const s0 = performance.now();
  await e.start();
  const startMs = performance.now() - s0;
  const mark = () => ({ runs: programRuns(e), cpu: process.cpuUsage(), t: performance.now(), main: mainThreadMs() });
  const window = (a, b) => {
    const wallMs = b.t - a.t;
    const kernelNs = Object.values(delta(a.runs, b.runs)).reduce((s, r) => s + r.runTimeNs, 0);
    const cpu = cpuMs(b.cpu) - cpuMs(a.cpu);
    return { wallMs, userCpuPct: (100 * cpu) / wallMs, mainThreadPct: (100 * (b.main - a.main)) / wallMs, kernelPct: (100 * kernelNs) / 1e6 / wallMs, runs: delta(a.runs, b.runs) };
  };
  const marks = new Map();
  let kernel = null;
  let snapshots = 0;
  for await (const _ of e.stream({ intervalMs: 1000 })) {
    snapshots++;
    if ([1, 1 + seconds, warm, warm + seconds, warm + 2 * seconds].includes(snapshots)) marks.set(snapshots, mark());
    if (snapshots === warm + seconds) {
      runStats = enableRunStats();
      marks.set('kernel', mark());
    }
    if (snapshots === warm + 2 * seconds) {
      kernel = window(marks.get('kernel'), marks.get(warm + 2 * seconds));
      runStats.close(); // the later window runs as a user's process does
      runStats = null;
    }
    if (later > 0 && (snapshots === later || snapshots === later + seconds)) marks.set(`later${snapshots}`, mark());
    if (snapshots >= end) break;
  }
  const first = window(marks.get(1), marks.get(1 + seconds));
  const late = window(marks.get(warm), marks.get(warm + seconds));
  const lateR = later > 0 ? window(marks.get(`later${later}`), marks.get(`later${later + seconds}`)) : null;
  const rss = process.memoryUsage().rss;
  const governor = Object.fromEntries(e.stats().collectors.map((c) => [c.family, c.governor && { level: c.governor.level, budget: c.governor.budgetNsPerSec, nsPerSec: c.governor.measuredNsPerSec, windows: c.governor.windowsJudged, over: c.governor.overBudget !== null }]));
  await e.close();
  runStats?.close();
  print({ startMs, snapshots, warm, later, ...first, late, lateR, kernelPct: kernel.kernelPct, runs: kernel.runs, rss, rssImported, governor });
} else if (mode === 'idle') {
  const [seconds, ...families] = args;
  const { engine } = await load();
  const e = engine(families);
  await e.start();
  await sleep(200); // let start-up work (first timers, GC of init garbage) settle before the window
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(Number(seconds) * 1000);
  const used = cpuMs(process.cpuUsage(c0));
  const wallMs = performance.now() - t0;
  await e.close();
  print({ families, wallMs, cpuPct: (100 * used) / wallMs });
} else if (mode === 'reads') {
  const { engine } = await load();
  const { measure } = await import('./measure.mjs');
  // Each measured right after start and again after <warm> seconds of the same reads (V8
  // compiles the read paths during the first minute, docs/overhead.md).
  const warm = Number(args[0] ?? 0);
  const twice = async (fn, calls, gapMs, warmS) => {
    const first = (await measure(fn, { calls, gapMs })).cpuMs;
    const until = performance.now() + warmS * 1000;
    while (performance.now() < until) {
      await fn();
      await sleep(gapMs);
    }
    return { first, late: (await measure(fn, { calls, gapMs, warmup: 0 })).cpuMs };
  };
  const all = engine(FAMILIES, { cache: false });
  await all.start();
  const snapshot = await twice(() => all.collect(), 20, 250, warm);
  await all.close();
  const perFamily = {};
  for (const f of FAMILIES) {
    const e = engine([f], { cache: false });
    await e.start();
    perFamily[f] = await twice(() => e.collect(), 30, 100, warm / 2);
    await e.close();
  }
  print({ snapshotCpuMs: snapshot, perFamily });
} else if (mode === 'hold') {
  const { engine } = await load();
  const e = engine(FAMILIES, { programStats: args[0] === '1' });
  await e.start();
  const stop = new AbortController();
  const streaming = (async () => { for await (const _ of e.stream({ intervalMs: 1000, signal: stop.signal })); })().catch(() => {});
  const runs0 = programRuns(e);
  print({ ready: true });
  process.stdin.resume();
  await new Promise((r) => process.stdin.on('end', r));
  const runs = delta(runs0, programRuns(e));
  stop.abort();
  await streaming;
  await e.close();
  print({ runs });
} else {
  throw new Error(`overhead-child: unknown mode ${mode}`);
}
