// engine.eventBatches('syscall') on the real family: a test child makes a known number of
// getppid calls, the engine's filter keeps only those, and every call is accounted for
// exactly: delivered in a batch (each once, in the kernel's order) or counted as dropped.
import { expect, it } from 'vitest';
import { createEngine, type Engine, type EventBatch } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import type { SyscallEvent } from './ebpf/syscall-events.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;
const CALLS = 20_000;
const MAX_SIZE = 256;

function counters(engine: Engine): Readonly<Record<string, number>> {
  return engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!.counters;
}

describeKernel('syscall events in batches', () => {
  it('every call of the workload is delivered once, in order, or counted as dropped: delivered + drops = calls', async () => {
    const engine = createEngine({ plugins: [syscall({ mode: 'counts' })], config: { mode: 'ebpf', governor: { enabled: false }, cache: { enabled: false } }, logger: silent });
    const stop = new AbortController();
    try {
      await engine.start();
      const w = await startWorkload(CALLS, 0);
      await engine.setFilter('syscall', { pids: [w.pid], syscalls: [GETPPID] });
      const stream = engine.eventBatches('syscall', { signal: stop.signal, queue: 1 << 16, batch: { maxDelayMs: 2, maxSize: MAX_SIZE } });
      await stream.ready;
      const batches: EventBatch<SyscallEvent>[] = [];
      const consumer = (async () => {
        for await (const b of stream) batches.push(b);
      })();
      expect((await w.go()).code).toBe(0);
      // The kernel's own counts for this engine are final once the child exited.
      const { eventsSeen, eventsSent, eventsDropped } = counters(engine);
      expect(eventsSeen).toBe(CALLS);
      expect(eventsSent! + eventsDropped!).toBe(CALLS);
      // The ring is drained on the event loop: wait (no time limit) until every sent event was handed out.
      while (stream.counts().delivered < eventsSent!) await new Promise((r) => setTimeout(r, 10));
      stop.abort();
      await consumer;

      const events = batches.flat();
      expect(events.length).toBe(eventsSent);
      for (const e of events) expect(e).toMatchObject({ pid: w.pid, id: GETPPID, weight: 1 });
      // Each call once, in the kernel's order: its entry times strictly increase.
      expect(events.every((e, i) => i === 0 || e.monotonicNs > events[i - 1]!.monotonicNs)).toBe(true);
      expect(batches.every((b) => b.length >= 1 && b.length <= MAX_SIZE && b.weights.length === b.length && b.weights.every((x) => x === 1))).toBe(true);

      const c = stream.counts();
      expect(c).toMatchObject({ delivered: eventsSent, droppedQueue: 0, droppedKernel: eventsDropped, queued: 0, sampledAway: 0 });
      expect(c.delivered + c.droppedKernel! + c.droppedQueue).toBe(CALLS);
      const s = engine.stats().collectors.find((x) => x.family === 'syscall')!.events;
      expect(s).toMatchObject({ delivered: eventsSent, queued: 0, droppedQueue: 0 });
      expect(s.batching).toMatchObject({ streams: 1, batches: batches.length, events: eventsSent });
      const { size, time, bytes, flush } = s.batching.byTrigger;
      expect(size + time + bytes + flush).toBe(batches.length);
      expect(s.latencyUs.count).toBe(eventsSent);
    } finally {
      stop.abort();
      await engine.close();
    }
  });
});
