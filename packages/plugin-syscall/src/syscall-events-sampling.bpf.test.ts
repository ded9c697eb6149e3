// engine.events('syscall') sampled twice: 1-in-k in the kernel (sampleEvery) and 1-in-m in
// user space (the engine's sampling option). The workload makes a known number of getppid
// calls and the engine's filter keeps only those, so every count is exact, and each event's
// weight is the product of the two rates. (kernelSampling: false keeps the stream's own
// setting in user space; syscall-kernel-sampling.bpf.test.ts tests it pushed down.)
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;
const CALLS = 1400;
const KERNEL_EVERY = 7;
const USER_EVERY = 4;

function counters(engine: Engine): Readonly<Record<string, number>> {
  return engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!.counters;
}

describeKernel('syscall events: kernel sampleEvery × user-space uniform sampling', () => {
  it('weights multiply (7 × 4 = 28), and kernel-sent = delivered + sampledAway + queued exactly', async () => {
    const engine = createEngine({ plugins: [syscall({ mode: 'latency' })], config: { mode: 'ebpf', governor: { enabled: false }, cache: { enabled: false } }, logger: silent });
    const stop = new AbortController();
    try {
      await engine.start();
      const w = await startWorkload(CALLS, 0);
      await engine.setFilter('syscall', { pids: [w.pid], syscalls: [GETPPID] });
      const stream = engine.events('syscall', { sampleEvery: KERNEL_EVERY, sampling: { strategy: 'uniform', every: USER_EVERY }, kernelSampling: false, signal: stop.signal });
      await stream.ready;
      expect((await w.go()).code).toBe(0);
      const sent = counters(engine).eventsSent!;
      expect(sent).toBe(CALLS / KERNEL_EVERY); // 200
      // The ring is drained on the event loop: wait (no time limit) until all of them are queued.
      while (stream.counts().queued < sent) await new Promise((r) => setTimeout(r, 10));
      const kept = Math.ceil(sent / USER_EVERY); // 50, the events at positions 0, 4, … 196
      const weights: number[] = [];
      for await (const e of stream) {
        expect(e).toMatchObject({ pid: w.pid, name: 'getppid', weight: KERNEL_EVERY });
        weights.push(stream.weightOf(e));
        if (weights.length === kept) break;
      }
      expect(weights).toEqual(Array(kept).fill(KERNEL_EVERY * USER_EVERY));
      expect(weights.reduce((a, b) => a + b, 0)).toBe(CALLS);
      // Pulled up to position 196: 197 seen, 147 sampled away; 197–199 were left in the queue.
      const c = stream.counts();
      expect(c).toMatchObject({ delivered: kept, seen: 197, kept, sampledAway: 147, held: 0, queued: sent - 197, droppedQueue: 0, droppedKernel: 0, keptWeight: CALLS });
      expect(c.delivered + c.sampledAway + c.queued + c.droppedQueue).toBe(sent);
      expect(counters(engine)).toMatchObject({ eventsSeen: CALLS, eventsSampledAway: CALLS - sent });
      const s = engine.stats().collectors.find((x) => x.family === 'syscall')?.events;
      expect(s).toMatchObject({ streams: 1, open: 0, delivered: kept, sampledAway: 147, queued: 3 });
      // Each delivered event's latency (its kernel monotonic time to next()) was recorded once.
      expect(s?.latencyUs.count).toBe(kept);
    } finally {
      stop.abort();
      await engine.close();
    }
  });
});
