// The test: a child allocates 4 MiB more every 100 ms inside a memory cgroup with a
// 96 MiB limit (no swap) that the test creates, while the test reads the mem family about
// every 200 ms. The cgroup's prediction must reach warning or critical before the kernel's
// OOM killer ends the child, and the kill must then arrive as an event naming the child,
// through engine.events('mem') (the source's events(), the only door), in two engines.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startWorkload, workloadBinary, type Workload } from '../test/mem-workloads.js';
import { mem } from './plugin.js';
import type { OomVictim } from './records-oom.js';
import type { MemMetrics, MemPrediction } from './records.js';
import { removeCgroupDir } from '../../../test/cgroup-dir.js';

const LIMIT = 96 * 1024 * 1024;
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') && readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('memory');
const name = `bpfscope-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const dir = v2 ? join('/sys/fs/cgroup', name) : join('/sys/fs/cgroup/memory', name);
const key = `cgroup:/${name}`;

interface Reading {
  /** CLOCK_MONOTONIC when the reading had returned, ms. */
  doneMs: number;
  data: MemMetrics;
  prediction: MemPrediction | undefined;
}

describeKernel(`mem family: OOM prediction and the OOM kill of a child in a ${v2 ? 'v2' : 'v1'} memory cgroup`, () => {
  let engine: Engine;
  // A second engine in the process: it shares the first's object, hook and ring buffer.
  let engine2: Engine;
  let victim2: OomVictim | undefined;
  /** Events each engine's stream gave the test up to and with the victim (other OOM kills on the machine may come first). */
  const received = [0, 0];
  let hog: Workload;
  const readings: Reading[] = [];
  let victim: OomVictim | undefined;
  let exit: [number | null, NodeJS.Signals | null];

  beforeAll(async () => {
    mkdirSync(dir);
    if (v2) {
      writeFileSync(join(dir, 'memory.max'), String(LIMIT));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    } else {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(LIMIT));
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(LIMIT));
    }
    engine = createEngine({ plugins: [mem({ topProcesses: 5 })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine.start();
    engine2 = createEngine({ plugins: [mem({ topProcesses: 5 })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine2.start();
    const controller = new AbortController();
    const events = engine.events('mem', { signal: controller.signal });
    const events2 = engine2.events('mem', { signal: controller.signal });
    await Promise.all([events.ready, events2.ready]);
    hog = await startWorkload(workloadBinary('memhog'), [String(4 * 1024 * 1024), '100'], join(dir, 'cgroup.procs'));
    const seen = (async () => {
      for await (const v of events) {
        received[0]++;
        if (v.pid === hog.pid) return v;
      }
      return undefined;
    })();
    const seen2 = (async () => {
      for await (const v of events2) {
        received[1]++;
        if (v.pid === hog.pid) return v;
      }
      return undefined;
    })();
    hog.send('go');
    let running = true;
    void hog.exited.then(() => (running = false));
    while (running) {
      const snap = await engine.collect();
      const data = snap.get('mem')?.data;
      if (!data) throw new Error(`no mem family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
      readings.push({ doneMs: Number(process.hrtime.bigint()) / 1e6, data, prediction: data.predictions.find((p) => p.key === key) });
      await sleep(200);
    }
    exit = await hog.exited;
    victim = await seen;
    victim2 = await seen2;
    controller.abort();
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    await engine2?.close();
    if (hog && hog.child.exitCode === null && hog.child.signalCode === null) {
      hog.child.kill('SIGKILL'); // the test's own child, when a failure left it running
      await hog.exited;
    }
    removeCgroupDir(dir);
  });

  it('the child was OOM-killed (SIGKILL) after several readings', () => {
    expect(exit).toEqual([null, 'SIGKILL']);
    expect(readings.length).toBeGreaterThanOrEqual(3);
  });

  it('the cgroup is listed with its limit while the child runs', () => {
    const entry = readings[0]?.data.cgroups?.entries.find((e) => e.path === `/${name}`);
    expect(entry).toMatchObject({ hierarchy: v2 ? 'v2' : 'v1', limitBytes: LIMIT, error: null });
  });

  it("the cgroup's prediction reaches warning or critical before the kill", () => {
    const killedAt = victim!.monotonicMs;
    const before = readings.filter((r) => r.doneMs < killedAt);
    const warned = before.find((r) => r.prediction?.level === 'warning' || r.prediction?.level === 'critical');
    expect(warned, `levels before the kill: ${before.map((r) => r.prediction?.level).join(', ')}`).toBeDefined();
    expect(warned!.prediction!.limit).toBe(LIMIT);
    expect(warned!.prediction!.latestUsage).toBeLessThan(LIMIT);
  });

  it('the OOM kill arrives as an event naming the child: exact PID, its command, its memory cgroup', () => {
    expect(victim).toBeDefined();
    expect(victim!.pid).toBe(hog.pid);
    expect(victim!.comm).toBe('memhog');
    expect(victim!.memoryCgroup).toMatchObject({ hierarchy: v2 ? 'v2' : 'v1', path: `/${name}` });
    expect(victim!.anonRssBytes).toBeGreaterThan(LIMIT / 2);
  });

  it('a second engine in the process loaded no object and gets the same OOM event from the shared ring buffer', () => {
    expect(engine.stats().programCache).toEqual({ hits: 0, misses: 1, loaded: 1 });
    expect(engine2.stats().programCache).toEqual({ hits: 1, misses: 0, loaded: 1 });
    // The same kernel record (same monotonic time); `timestamp` is each decoder's wall-clock conversion.
    expect({ ...victim2, timestamp: 0 }).toEqual({ ...victim, timestamp: 0 });
  });

  it("each engine's stream is counted in its family's stats: one stream, ended, nothing dropped", () => {
    for (const [i, e] of [engine, engine2].entries()) {
      const s = e.stats().collectors.find((c) => c.family === 'mem')?.events;
      expect(s).toMatchObject({ streams: 1, open: 0, droppedQueue: 0, droppedKernel: 0 });
      expect(s?.delivered).toBe(received[i]); // exactly what the test's loop took: the victim, and any OOM kill elsewhere before it
    }
  });

  it('the next reading lists the victim and counts the kill in the cgroup', async () => {
    const m = (await engine.collect()).get('mem')!.data;
    expect(m.oom.victims?.some((v) => v.pid === hog.pid && v.comm === 'memhog')).toBe(true);
    expect(m.oom.events).toBeGreaterThanOrEqual(1);
    expect(m.oom.sinceStart).toBeGreaterThanOrEqual(1);
    expect(m.cgroups?.entries.find((e) => e.path === `/${name}`)?.oomKills).toBe(1);
    expect(m.kernel?.drops).toBe(0);
  });
});
