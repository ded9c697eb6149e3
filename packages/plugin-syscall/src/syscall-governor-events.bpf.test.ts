// The overhead governor's "sampled events" level on the syscall family in counts mode: with
// an event stream open, dd copying one byte at a time drives the family over a small budget;
// the kernel then sends one call in 10 × sampleEvery, each event weighing 10, and a child's
// 1,000 getppid calls arrive as exactly 100 events; the load stops, the family returns, and
// the next 1,000 calls arrive as 1,000 events of weight 1. Reads drive the governor.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscallResult, readSyscallUntil, silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import type { SyscallEvent } from './ebpf/syscall-events.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

// 30 ms of kernel time per second: counts mode at some hundred ns a call, a few hundred
// thousand calls a second; dd byte by byte makes millions, and still far more than that
// with a small share of a busy machine's CPU.
const BUDGET = 30_000_000;
const GETPPID = syscallNumber('getppid')!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const counters = (engine: Engine): Readonly<Record<string, number>> => engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!.counters;



/** Waits (a turn at a time, at most `cap` turns of 10 ms) until `events` holds `n` events of `pid`. */
async function eventsOf(events: SyscallEvent[], pid: number, n: number, cap = 2000): Promise<SyscallEvent[]> {
  for (let i = 0; i < cap && events.filter((e) => e.pid === pid).length < n; i++) await sleep(10);
  return events.filter((e) => e.pid === pid);
}

/** A child's `n` getppid calls under a filter on it; returns its pid and the kernel's events sent for them. */
async function calls(engine: Engine, n: number): Promise<{ pid: number; sent: number }> {
  const w = await startWorkload(n, 0);
  await engine.setFilter('syscall', { pids: [w.pid], syscalls: [GETPPID] });
  const before = counters(engine).eventsSent!;
  expect((await w.go()).code).toBe(0);
  return { pid: w.pid, sent: counters(engine).eventsSent! - before };
}

describeKernel('overhead governor: sampled events (syscall family, counts mode)', () => {
  it('thins an open stream ten times over the budget (weights say so) and returns to every call when the load stops', { timeout: 180_000 }, async () => {
    const engine = createEngine({
      plugins: [syscall({ mode: 'counts' })],
      config: { mode: 'ebpf', cache: { enabled: false }, governor: { enabled: true, windowMs: 50, calibrationMs: 50, recoverWindows: 2, families: { syscall: { budgetNsPerSec: BUDGET } } } },
      logger: silent,
    });
    const stop = new AbortController();
    const events: SyscallEvent[] = [];
    let load: ChildProcess | null = null;
    try {
      await engine.start();
      const stream = engine.events('syscall', { sampleEvery: 1, signal: stop.signal });
      await stream.ready;
      const draining = (async () => { for await (const e of stream) events.push(e); })();
      expect((await readSyscallResult(engine)).governor).toMatchObject({ level: 0 });

      load = spawn('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=1000000000', 'status=none'], { stdio: 'ignore' });
      await engine.setFilter('syscall', { pids: [load.pid!] });
      const degraded = await readSyscallUntil(engine, (r) => r.governor?.level === 1);
      expect(degraded.governor?.levelName).toMatch(/^sampled events: /);
      expect(degraded.governor?.reason).toMatch(/^kernel cost [\d,]+ ns\/s over the budget of 30,000,000 ns\/s in a window of [\d,]+ ms: sampled events: /);
      expect(counters(engine).eventThinning).toBe(10);

      // The load goes on (filtered out, still over the budget), so the level stays while the
      // stream is judged. Any 1,000 consecutive calls hold exactly 100 multiples of 10.
      const thinned = await calls(engine, 1000);
      load.kill();
      await once(load, 'exit');
      load = null;
      expect(thinned.sent).toBe(100);
      const got = await eventsOf(events, thinned.pid, 100);
      expect(got.map((e) => e.weight)).toEqual(Array(100).fill(10));

      // The programs see every call of the machine: where its other work keeps the cost up,
      // the family cannot return; the windows it judged must then show why.
      const back = await readSyscallUntil(engine, (r) => r.governor?.level === 0);
      if (back.governor?.level !== 0) {
        const w = engine.stats().collectors.find((c) => c.family === 'syscall')!.governor!.lastWindow!;
        expect(w.nsPerSec, 'no return, yet the last judged window was under half the budget').toBeGreaterThanOrEqual(BUDGET / 2);
        return;
      }
      expect(counters(engine).eventThinning).toBe(1);
      const full = await calls(engine, 1000);
      expect(full.sent).toBe(1000);
      const all = await eventsOf(events, full.pid, 1000);
      expect(all.length).toBe(1000);
      expect(all.every((e) => e.weight === 1)).toBe(true);
      stop.abort();
      await draining;
    } finally {
      load?.kill();
      stop.abort();
      await engine.close();
    }
  });
});
