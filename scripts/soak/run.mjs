// One soak run: an engine with every family this machine has, each on its eBPF source,
// read back to back `collects` times while the families' event streams are consumed and a
// workload child makes events; the process's memory, fds and BPF objects sampled as it goes;
// then the engine closed and what it held compared with what the process held before.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { aliveInKernel, leftovers, missing, objectCounts, processObjects } from './objects.mjs';

const WORKLOAD = fileURLToPath(new URL('./workload.mjs', import.meta.url));
/** Families with an event stream on their eBPF source (thermal's only where sensors exist). */
const EVENT_FAMILIES = ['proc', 'mem', 'net', 'fs', 'syscall', 'thermal'];
const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** The plugins of every family, with the options `bpfscope top`/`serve` use (the syscall family's per-process detail on). */
async function families(watchDir) {
  const [c, f, m, n, p, s, t] = await Promise.all([
    import('@bpfscope/plugin-cpu'), import('@bpfscope/plugin-fs'), import('@bpfscope/plugin-mem'), import('@bpfscope/plugin-net'),
    import('@bpfscope/plugin-proc'), import('@bpfscope/plugin-syscall'), import('@bpfscope/plugin-thermal'),
  ]);
  const all = {
    cpu: () => c.cpu(),
    fs: () => f.fs({ topK: 10, watchPaths: [watchDir] }),
    mem: () => m.mem({ processes: true, topProcesses: 10 }),
    net: () => n.net({ topK: 10 }),
    proc: () => p.proc({ topK: { by: 'cpu', k: 15 } }),
    syscall: () => s.syscall({ processes: true }),
    thermal: () => t.thermal(),
  };
  const thermalMissing = t.thermalSensorInventory().unavailable;
  const skipped = thermalMissing === null ? {} : { thermal: thermalMissing };
  return { all, names: Object.keys(all).filter((name) => !(name in skipped)), skipped };
}

async function startWorkload(dir, periodMs) {
  const child = spawn(process.execPath, [WORKLOAD, dir, String(periodMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the workload child exited (${code}) before it was ready`)));
    child.stdout.on('data', () => out.includes('ready\n') && resolve());
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopped = null;
  return {
    /** Ends the child (once) and returns the rounds it made. */
    stop() {
      stopped ??= (async () => {
        child.stdin.end();
        await exited;
        const last = out.trim().split('\n').at(-1);
        return last.startsWith('{') ? JSON.parse(last).rounds : null;
      })();
      return stopped;
    },
  };
}

function consume(engine, family, signal, options) {
  const counts = { family, events: 0, error: null };
  const stream = engine.events(family, { signal, ...options });
  counts.done = (async () => {
    try {
      for await (const _ of stream) counts.events++;
    } catch (err) {
      if (!signal.aborted) counts.error = `${err?.code ?? err?.name}: ${err?.message}`;
    }
  })();
  return { counts, ready: stream.ready.catch(() => undefined) };
}

const gc = globalThis.gc ?? (() => {});

/** Size of a V8 heap space, bytes. */
const spaceSize = (spaces, name) => spaces.find((s) => s.space_name === name)?.space_size ?? 0;

function sample(collects, t0) {
  const m = process.memoryUsage();
  const spaces = getHeapSpaceStatistics();
  const objects = processObjects();
  return { collects, seconds: (performance.now() - t0) / 1000, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, newSpace: spaceSize(spaces, 'new_space'), oldSpace: spaceSize(spaces, 'old_space'), ...objectCounts(objects), objects };
}

/**
 * Runs the soak.
 * @param {{ collects: number, sampleEvery: number, forceGc: boolean, workloadPeriodMs: number, maxSeconds: number | null, signal?: AbortSignal, progress: (s: object) => void }} o
 *   signal: ends the collects early (the run is then reported as it stands)
 */
export async function runSoak(o) {
  const core = await import('@bpfscope/core');
  const watchDir = mkdtempSync(join(tmpdir(), 'bpfscope-soak-'));
  const { all, names, skipped } = await families(watchDir);
  const workload = await startWorkload(watchDir, o.workloadPeriodMs);
  const gcNow = o.forceGc ? gc : () => {};
  try {
    gcNow();
    const before = processObjects();
    const engine = core.createEngine({
      plugins: names.map((f) => all[f]()),
      // Every collect a real read of every family at full detail: the snapshot cache and the
      // overhead governor would otherwise answer or thin most back-to-back reads.
      config: { mode: 'ebpf', cache: { enabled: false }, governor: { enabled: false }, families: Object.fromEntries(names.map((f) => [f, { mode: 'ebpf' }])) },
      logger: silent,
    });
    const t0 = performance.now();
    await engine.start();
    const startSeconds = (performance.now() - t0) / 1000;
    const abort = new AbortController();
    const consumers = EVENT_FAMILIES.filter((f) => names.includes(f)).map((f) => consume(engine, f, abort.signal, f === 'syscall' ? { sampleEvery: 1000 } : {}));
    await Promise.all(consumers.map((c) => c.ready));
    const errors = {};
    const samples = [];
    const seen = { prog: new Set(), map: new Set(), link: new Set() };
    const keep = (s) => {
      for (const k of ['prog', 'map', 'link']) for (const id of s.objects[k]) seen[k].add(id);
      const { objects: _, ...figures } = s;
      samples.push(figures);
      return figures;
    };
    const loopStart = performance.now();
    const cpu0 = process.cpuUsage();
    gcNow();
    keep(sample(0, loopStart));
    let lastProgress = loopStart;
    const deadline = o.maxSeconds === null ? Infinity : loopStart + o.maxSeconds * 1000;
    let done = 0;
    for (let i = 1; i <= o.collects; i++) {
      const snap = await engine.collect();
      for (const e of snap.errors) {
        const k = `${e.family}: ${e.error?.code ?? e.error?.name ?? 'error'}`;
        errors[k] = (errors[k] ?? 0) + 1;
      }
      done = i;
      const last = i === o.collects || performance.now() >= deadline || o.signal?.aborted === true;
      if (i % o.sampleEvery === 0 || last) {
        gcNow();
        const s = keep(sample(i, loopStart));
        const now = performance.now();
        if (now - lastProgress >= 2000 || i === o.collects) {
          lastProgress = now;
          o.progress({ collects: i, total: o.collects, rate: i / s.seconds, rss: s.rss, fds: s.fds, progs: s.progs, maps: s.maps });
        }
      }
      if (last) break;
    }
    const loopSeconds = (performance.now() - loopStart) / 1000;
    const stats = engine.stats();
    const sources = Object.fromEntries(stats.collectors.map((c) => [c.family, c.source]));
    // Mean wall time of one read per family (families are read in parallel: these overlap).
    const readMs = Object.fromEntries(stats.collectors.map((c) => [c.family, c.reads > 0 ? c.readCost.totalWallMs / c.reads : null]));
    const eventStats = Object.fromEntries(stats.collectors.filter((c) => c.events?.streams > 0).map((c) => [c.family, { delivered: c.events.delivered, droppedQueue: c.events.droppedQueue, droppedKernel: c.events.droppedKernel }]));
    abort.abort();
    await Promise.all(consumers.map((c) => c.counts.done));
    const heldAtEnd = processObjects();
    await engine.close();
    gcNow();
    const after = processObjects();
    const made = { prog: new Set(), map: new Set(), link: new Set() };
    for (const k of ['prog', 'map', 'link']) for (const id of seen[k]) if (!before[k].has(id)) made[k].add(id);
    const kernel = await aliveInKernel(made);
    return {
      families: names, skipped, sources, startSeconds, loopSeconds, planned: o.collects, collects: done, stoppedByTime: done < o.collects && o.signal?.aborted !== true, interrupted: o.signal?.aborted === true, rate: done / loopSeconds, readMs, processCpuSeconds: (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6, errors,
      events: consumers.map((c) => ({ family: c.counts.family, consumed: c.counts.events, error: c.counts.error, ...(eventStats[c.counts.family] ?? {}) })),
      samples,
      before: objectCounts(before), heldAtEnd: objectCounts(heldAtEnd), after: objectCounts(after),
      made: { progs: made.prog.size, maps: made.map.size, links: made.link.size },
      leftovers: leftovers(before, after), closedForeign: missing(before, after), kernel,
      workloadRounds: await workload.stop(),
    };
  } finally {
    await workload.stop().catch(() => undefined);
    rmSync(watchDir, { recursive: true, force: true });
  }
}
