// The proc family's full process table with 10,000 processes alive: the eBPF source
// (task iterator + one-pass decode into ProcessRecords), the procfs fallback scan, and
// systeminformation's processes(), with the collector's RSS. The bench starts the
// processes itself (`sleep 600` children of a few shells, each in its own process
// group) and kills those groups at the end, even on failure.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConsoleLogger, validateConfig } from '@bpfscope/core';
import { BpfObject } from '@bpfscope/native';
import { ProcEbpfSource, ProcProcfsSource } from '@bpfscope/plugin-proc';
import si from 'systeminformation';

const countProcesses = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
const OBJECT = new URL('../../packages/plugin-proc/bpf/proc.bpf.o', import.meta.url).pathname;

/** Start `n` sleepers from `shells` shells in parallel, each shell its own process group. */
async function startSleepers(n, shells = 8) {
  const groups = [];
  const stop = () => {
    for (const pid of groups.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL'); // a group this bench created, by its id
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', stop);
  // Stop some of the groups (to measure at a lower count): each holds about n / shells sleepers.
  const stopSome = async (count) => {
    const before = countProcesses();
    for (const pid of groups.splice(0, count)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (let i = 0; i < 200 && countProcesses() > before - count * per * 0.95; i++) await sleep(50);
  };
  const before = countProcesses();
  const per = Math.ceil(n / shells);
  for (let s = 0; s < shells && n > 0; s++) {
    const k = Math.min(per, n - s * per);
    if (k <= 0) break;
    const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${k} ]; do sleep 600 & i=$((i+1)); done; wait`], { detached: true, stdio: 'ignore' });
    groups.push(sh.pid);
  }
  for (let i = 0; i < 1200 && countProcesses() < before + n; i++) await sleep(50);
  // Stop all and wait (up to 30 s) until the count is back near where it was, so that
  // a section or a bench run after this one does not count dying sleepers as alive.
  const stopAndWait = async () => {
    stop();
    for (let i = 0; i < 600 && countProcesses() > before + 50; i++) await sleep(50);
  };
  return { stop, stopAndWait, stopSome, started: countProcesses() - before };
}

/**
 * One systeminformation processes() call. It throws from inside a child-process callback
 * (an uncaught exception, e.g. E2BIG when the PID list no longer fits in a command line),
 * so the call is guarded to report the failure instead of ending the bench.
 */
async function siProcesses() {
  const t0 = performance.now();
  let onError;
  const failed = new Promise((resolve) => {
    onError = (e) => resolve({ error: `${e.code ?? e.name}: ${e.message}` });
    process.once('uncaughtException', onError);
  });
  try {
    const r = await Promise.race([si.processes().then((p) => ({ n: p.list.length })), failed]);
    return { ms: performance.now() - t0, ...r };
  } finally {
    process.removeListener('uncaughtException', onError);
  }
}

// The collector alone in a fresh process: init, then `rounds` full tables, each kept
// until the next one is read (as a caller would); its peak RSS (VmHWM) is what
// embedding the eBPF source costs. At the end: where the resident memory is.
const COLLECTOR_ONLY = String.raw`
import { readFileSync } from 'node:fs';
import { createConsoleLogger, validateConfig } from '@bpfscope/core';
import { ProcEbpfSource } from '@bpfscope/plugin-proc';
import { pinMallocMmapThreshold } from '@bpfscope/native';
if (process.argv[2] === 'pin') pinMallocMmapThreshold();
const kb = (k) => Number(new RegExp('^' + k + ':\\s+(\\d+) kB', 'm').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const source = new ProcEbpfSource();
await source.init({ config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
const afterInit = kb('VmRSS');
let table = null;
const times = [];
for (let i = 0; i < Number(process.argv[1]); i++) {
  const t0 = performance.now();
  table = await source.read({ signal: new AbortController().signal });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const m = process.memoryUsage();
process.stdout.write(JSON.stringify({
  afterInit, peak: kb('VmHWM'), last: kb('VmRSS'), file: kb('RssFile'), anon: kb('RssAnon'),
  v8Heap: m.heapTotal, external: m.external, processes: table.total, medianMs: times[times.length >> 1],
}));
await source.close();`;

/**
 * Node's defaults (a library in an application that keeps them); the settings the
 * bpfscope command runs with (packages/cli/bin/bpfscope.js): a young generation that
 * stays at 2 × 1 MB and glibc's mmap threshold pinned at its default (libbpf frees
 * the 5 MB kernel BTF after each load, which otherwise raises it for good).
 */
const RSS_CONFIGS = [
  { label: "Node's defaults", flags: [], pin: false },
  { label: 'the bpfscope command', flags: ['--max-semi-space-size=1'], pin: true },
];

async function collectorRss(rounds, flags, pin) {
  const cwd = new URL('../..', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--input-type=module', '-e', COLLECTOR_ONLY, String(rounds), pin ? 'pin' : ''], { cwd, maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

// Node itself with the packages imported and nothing read: the floor under the collector.
const BASELINE = String.raw`
import { readFileSync } from 'node:fs';
await import('@bpfscope/core'); await import('@bpfscope/plugin-proc');
process.stdout.write(readFileSync('/proc/self/status', 'utf8').match(/^VmRSS:\s+(\d+)/m)[1]);`;

async function time(fn, rounds, warmup = 1) {
  const c0 = performance.now();
  await fn(); // the first call runs cold (code not yet optimized by the JIT)
  const coldMs = performance.now() - c0;
  for (let i = 1; i < warmup; i++) await fn();
  const times = [];
  let out;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    out = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { coldMs, meanMs: times.reduce((a, b) => a + b, 0) / times.length, medianMs: sorted[sorted.length >> 1], bestMs: sorted[0], out };
}

export async function benchProcTable({ target = 10_000, rounds = 20 } = {}) {
  const sleepers = await startSleepers(Math.max(0, target - countProcesses()));
  const context = { config: validateConfig({ operationTimeoutMs: 120_000 }), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
  const read = { signal: new AbortController().signal };
  const ebpf = new ProcEbpfSource();
  const procfs = new ProcProcfsSource();
  const raw = BpfObject.open(OBJECT);
  try {
    const processes = countProcesses();
    for (const p of ['proc_fork', 'proc_exec', 'proc_exit']) raw.setAutoload(p, false);
    await raw.load();
    await ebpf.init(context);
    await procfs.init(context);
    const iter = await time(async () => (await raw.readIterator('proc_iter')).length, rounds);
    const table = await time(() => ebpf.read(read), rounds, 5);
    const tasks = ebpf.stats().counters.tasks;
    // CPU contention during the timed reads: other work on the machine slows every column alike.
    let cpuPressure = null;
    try {
      cpuPressure = Number(/^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1]);
    } catch {
      // no PSI on this kernel
    }
    // 60 tables: enough for several major GCs, so the peak is the steady state's.
    const rss = { configs: [] };
    for (const c of RSS_CONFIGS) rss.configs.push({ ...c, ...(await collectorRss(60, c.flags, c.pin)) });
    rss.baseline = Number((await promisify(execFile)(process.execPath, ['--input-type=module', '-e', BASELINE], { cwd: new URL('../..', import.meta.url).pathname })).stdout) * 1024;
    const procfsScan = await time(() => procfs.read(read), 2);
    const siFull = await siProcesses();
    // systeminformation cannot list 10,000 processes: compare again at about half.
    await sleepers.stopSome(4);
    const half = countProcesses();
    const ebpfHalf = await time(() => ebpf.read(read), rounds, 5);
    const siHalf = await siProcesses();
    return {
      processes, started: sleepers.started, rounds,
      tasks, iterBytes: iter.out, cpuPressure,
      iter, ebpf: { coldMs: table.coldMs, meanMs: table.meanMs, medianMs: table.medianMs, bestMs: table.bestMs, n: table.out.total },
      procfs: { meanMs: procfsScan.meanMs, bestMs: procfsScan.bestMs, n: procfsScan.out.total, vanished: procfsScan.out.vanished },
      si: siFull,
      half: { processes: half, ebpf: { meanMs: ebpfHalf.meanMs, bestMs: ebpfHalf.bestMs, n: ebpfHalf.out.total }, si: siHalf },
      rss,
    };
  } finally {
    await ebpf.close();
    await procfs.close();
    raw.close();
    await sleepers.stopAndWait();
  }
}

export function reportProcTable(r) {
  const ms = (v) => `${v.toFixed(2)} ms`.padStart(11);
  const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
  return [
    `proc table: ${r.processes} processes (${r.started} sleepers started by the bench), ${r.tasks} tasks; mean (median, best); CPU pressure (PSI some avg10) ${r.cpuPressure ?? 'n/a'}%`,
    `  iterator bytes only (${(r.iterBytes / 1048576).toFixed(2)} MB)          ${ms(r.iter.meanMs)} (${r.iter.medianMs.toFixed(2)}, ${r.iter.bestMs.toFixed(2)} ms)`,
    `  eBPF source, full table → ProcessRecord[]   ${ms(r.ebpf.meanMs)} (${r.ebpf.medianMs.toFixed(2)}, ${r.ebpf.bestMs.toFixed(2)} ms)   ${r.ebpf.n} processes, ${r.rounds} rounds (target <= 20 ms: ${r.ebpf.medianMs <= 20 ? 'met' : 'NOT met'} by the median); first read, cold: ${r.ebpf.coldMs.toFixed(1)} ms`,
    `  procfs fallback scan                        ${ms(r.procfs.meanMs)} (${r.procfs.bestMs.toFixed(2)} ms)   ${r.procfs.n} processes, 2 rounds`,
    `  systeminformation processes()              ${ms(r.si.ms)}   ${r.si.error ? `FAILED (${r.si.error})` : `${r.si.n} processes`}, 1 call`,
    `  ratios: procfs/eBPF ${(r.procfs.meanMs / r.ebpf.meanMs).toFixed(1)}x, eBPF/iterator-only ${(r.ebpf.meanMs / r.iter.meanMs).toFixed(2)}x`,
    `  at ${r.half.processes} processes: eBPF source ${r.half.ebpf.meanMs.toFixed(2)} ms (${r.half.ebpf.n} processes); systeminformation ${r.half.si.error ? `FAILED (${r.half.si.error})` : `${r.half.si.ms.toFixed(0)} ms (${r.half.si.n} processes), ratio systeminformation/eBPF ${(r.half.si.ms / r.half.ebpf.meanMs).toFixed(0)}x`}`,
    `  collector RSS, the eBPF source alone in a fresh node process reading 60 full tables (${r.rss.configs[0].processes} processes); node + packages imported, nothing read: ${mb(r.rss.baseline)}`,
    ...r.rss.configs.map((c) => `    ${c.label}${c.flags.length > 0 || c.pin ? ` (${[...c.flags, ...(c.pin ? ['pinMallocMmapThreshold()'] : [])].join(' ')})` : ''}: ${mb(c.afterInit)} after init, peak ${mb(c.peak)} (target < 100 MB: ${c.peak < 100 * 1048576 ? 'met' : 'NOT met'}); at the end ${mb(c.last)} = files ${mb(c.file)} (node binary, libraries) + anonymous ${mb(c.anon)} (V8 heap ${mb(c.v8Heap)}, external ${mb(c.external)}); median read ${c.medianMs.toFixed(2)} ms`),
  ].join('\n');
}
