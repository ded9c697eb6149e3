// The overhead governor's watch: with an event stream open and no read at all, the engine
// judges the family on a timer. dd copying one byte at a time drives the syscall family over
// a small budget; the watch puts the family at "sampled events" (the kernel thins events ten
// times) though nobody reads; when the load stops it returns; when the stream ends the watch
// stops and is no longer listed in stats().running.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type GovernorStats } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { silent } from '../test/read-syscall.js';
import { syscall } from './plugin.js';

// As in syscall-governor-events: 30 ms of kernel time per second, far below what dd byte by
// byte costs even on a small share of a busy machine's CPU.
const BUDGET = 30_000_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const collector = (engine: Engine) => engine.stats().collectors.find((c) => c.family === 'syscall')!;
const governor = (engine: Engine): GovernorStats | null => collector(engine).governor;
const watching = (engine: Engine): boolean => engine.stats().running.some((w) => w.family === 'syscall' && w.what.startsWith('governor: judges'));

/** Polls (10 ms turns, at most `cap`) until `done` holds; returns whether it did. */
async function until(done: () => boolean, cap = 6000): Promise<boolean> {
  for (let i = 0; i < cap; i++) {
    if (done()) return true;
    await sleep(10);
  }
  return done();
}

describeKernel('overhead governor: the watch judges an open stream without reads (syscall family)', () => {
  it('degrades and returns on its timer alone, and stops when the stream ends', { timeout: 180_000 }, async () => {
    const engine = createEngine({
      plugins: [syscall({ mode: 'counts' })],
      config: { mode: 'ebpf', cache: { enabled: false }, governor: { enabled: true, windowMs: 50, calibrationMs: 50, recoverWindows: 2, families: { syscall: { budgetNsPerSec: BUDGET } } } },
      logger: silent,
    });
    const stop = new AbortController();
    let load: ChildProcess | null = null;
    try {
      await engine.start();
      expect(watching(engine)).toBe(false);
      const stream = engine.events('syscall', { sampleEvery: 1, signal: stop.signal });
      await stream.ready;
      const draining = (async () => { for await (const _ of stream) void _; })();
      expect(await until(() => watching(engine))).toBe(true);

      load = spawn('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=1000000000', 'status=none'], { stdio: 'ignore' });
      expect(await until(() => governor(engine)?.level === 1)).toBe(true);
      const g = governor(engine)!;
      expect(g.levelName).toMatch(/^sampled events: /);
      expect(g.lastWindow!.nsPerSec).toBeGreaterThan(BUDGET);
      expect(collector(engine).sourceStats!.counters.eventThinning).toBe(10);

      load.kill();
      await once(load, 'exit');
      load = null;
      // The programs see every call of the machine: where its other work keeps the cost up,
      // the family cannot return; the windows the watch judged must then show why.
      if (await until(() => governor(engine)?.level === 0)) {
        expect(collector(engine).sourceStats!.counters.eventThinning).toBe(1);
      } else {
        expect(governor(engine)!.lastWindow!.nsPerSec, 'no return, yet the last judged window was under half the budget').toBeGreaterThanOrEqual(BUDGET / 2);
      }

      stop.abort();
      await draining;
      expect(await until(() => !watching(engine))).toBe(true);
      // Stopped for good: no judging without a stream, so the window judged last stays the last.
      const last = governor(engine)!.lastWindow;
      await sleep(300);
      expect(governor(engine)!.lastWindow).toEqual(last);
    } finally {
      load?.kill();
      stop.abort();
      await engine.close();
    }
  });
});
