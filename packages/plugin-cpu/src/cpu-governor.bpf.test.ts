// The overhead governor on the cpu family: with a small budget, a ping-pong of two processes
// on one CPU (a wake-up and a context switch per hop) drives the family's kernel cost over
// it; the family sheds the run-queue latency (its wake-up programs detached, the latency
// unavailable with the reason) and takes it back when the ping-pong stops. Reads drive the
// governor: each step reads until its condition holds, at most MAX_READS times.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyResult, type GovernorStats } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { pingPong } from '../test/ping-pong.js';
import { cpu } from './plugin.js';
import type { CpuMetrics } from './records.js';

// 40 ms of kernel time per second: a ping-pong on one CPU costs the family several times
// that, a machine at rest a small part of it.
const BUDGET = 40_000_000;
const MAX_READS = 600;
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function read(engine: Engine): Promise<FamilyResult<CpuMetrics>> {
  const snap = await engine.collect();
  const r = snap.get('cpu');
  if (!r) throw new Error(`no cpu family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  expect(r.source).toBe('ebpf');
  return r;
}

const stats = (engine: Engine) => engine.stats().collectors.find((c) => c.family === 'cpu')!;
const governor = (engine: Engine): GovernorStats => stats(engine).governor!;
const links = (engine: Engine): number | undefined => stats(engine).sourceStats?.counters.links;

async function readUntil(engine: Engine, done: (r: FamilyResult<CpuMetrics>) => boolean): Promise<FamilyResult<CpuMetrics>> {
  let r = await read(engine);
  for (let i = 0; i < MAX_READS && !done(r); i++) {
    await sleep(60);
    r = await read(engine);
  }
  return r;
}

describeKernel('overhead governor (cpu family)', () => {
  it('turns run-queue latency off over its budget, with the reason, and back on when the load stops', { timeout: 180_000 }, async () => {
    const engine = createEngine({
      plugins: [cpu()],
      config: { mode: 'ebpf', cache: { enabled: false }, governor: { enabled: true, windowMs: 50, calibrationMs: 50, recoverWindows: 2, families: { cpu: { budgetNsPerSec: BUDGET } } } },
      logger: silent,
    });
    let load: ChildProcess | null = null;
    try {
      const first = await read(engine);
      expect(first.governor).toMatchObject({ level: 0, levelName: 'full detail', budgetNsPerSec: BUDGET });
      expect(first.data.runQueueLatency).not.toBeNull();
      const allLinks = links(engine)!;
      expect(governor(engine).levels).toEqual(['counts only: run-queue latency off (cpu_wakeup and cpu_wakeup_new detached; cpu_switch still runs)']);

      load = pingPong();
      const degraded = await readUntil(engine, (r) => r.governor?.level === 1);
      load.kill();
      await once(load, 'exit');
      load = null;
      const g = degraded.governor!;
      expect(g.level).toBe(1);
      expect(g.reason).toMatch(/^kernel cost [\d,]+ ns\/s over the budget of 40,000,000 ns\/s in a window of [\d,]+ ms: counts only: run-queue latency off/);
      expect(degraded.data.runQueueLatency).toBeNull();
      expect(degraded.data.unavailable.runQueueLatency).toBe(`the overhead governor turned run-queue latency off: ${g.reason}`);
      // The two wake-up programs are detached: the source holds two links fewer.
      expect(links(engine)).toBe(allLinks - 2);
      expect(governor(engine).transitions[0]).toMatchObject({ from: 0, to: 1, reason: g.reason });

      const back = await readUntil(engine, (r) => r.governor?.level === 0);
      expect(back.governor).toMatchObject({ level: 0, levelName: 'full detail', reason: null });
      expect(links(engine)).toBe(allLinks);
      expect(back.data.unavailable.runQueueLatency).toBeUndefined();
      expect(back.data.runQueueLatency).not.toBeNull();
      // The histogram counts again from the return, and says so.
      const returned = governor(engine).transitions[1]!;
      expect(returned).toMatchObject({ from: 1, to: 0 });
      const since = Date.parse(back.data.runQueueLatencySince ?? '');
      expect(since).toBeGreaterThanOrEqual(Date.parse(g.since));
      expect(since).toBeLessThanOrEqual(Date.parse(governor(engine).since));
    } finally {
      load?.kill();
      await engine.close();
    }
  });
});
