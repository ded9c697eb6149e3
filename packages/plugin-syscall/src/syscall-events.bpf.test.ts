// engine.events('syscall'): per-call events sampled in the kernel, only while a stream is
// open. The workload makes a known number of getppid calls; the engine's filter keeps its
// getppid calls only, so the events and the sampling counts are exact.
import { basename } from 'node:path';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type EventStream } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { silent } from '../test/read-syscall.js';
import { startWorkload, workloadBinary } from '../test/syscall-workload.js';
import type { SyscallEvent } from './ebpf/syscall-events.js';
import { syscall } from './plugin.js';
import type { SyscallMode } from './records.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;

function counters(engine: Engine): Readonly<Record<string, number>> {
  return engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!.counters;
}

/** Run a workload of `n` getppid calls under the filter and take the events its calls sent. */
async function run(engine: Engine, n: number, sampleEvery: number | null): Promise<{ pid: number; events: SyscallEvent[] }> {
  const w = await startWorkload(n, 0);
  await engine.setFilter('syscall', { pids: [w.pid], syscalls: [GETPPID] });
  if (sampleEvery === null) {
    expect((await w.go()).code).toBe(0);
    return { pid: w.pid, events: [] };
  }
  const stop = new AbortController();
  const stream: EventStream<SyscallEvent> = engine.events('syscall', { sampleEvery, signal: AbortSignal.any([stop.signal, AbortSignal.timeout(20_000)]) });
  await stream.ready;
  expect((await w.go()).code).toBe(0);
  // The kernel's own count of what it sent for this engine: take exactly that many.
  const sent = counters(engine).eventsSent!;
  const events: SyscallEvent[] = [];
  if (sent > 0) {
    for await (const e of stream) {
      events.push(e);
      if (events.length === sent) break;
    }
  }
  stop.abort();
  expect(stream.counts()).toMatchObject({ delivered: sent, droppedQueue: 0, droppedKernel: 0 });
  return { pid: w.pid, events };
}

describeKernel('syscall events: sampled per-call events while subscribed', () => {
  for (const mode of ['latency', 'counts'] as SyscallMode[]) {
    it(`${mode} mode: nothing while idle; every call with sampleEvery 1; floor(N/k) events of weight k with sampleEvery k, the rest counted as sampled away`, async () => {
      const engine = createEngine({ plugins: [syscall({ mode })], config: { mode: 'ebpf', governor: { enabled: false }, cache: { enabled: false } }, logger: silent });
      try {
        await engine.start();
        // Idle: no stream, so the programs send nothing and sample nothing.
        await run(engine, 300, null);
        expect(counters(engine)).toMatchObject({ eventsSeen: 0, eventsSent: 0 });

        const all = await run(engine, 1000, 1);
        expect(all.events.length).toBe(1000);
        const comm = basename(workloadBinary()).slice(0, 15);
        for (const e of all.events) {
          expect(e).toMatchObject({ pid: all.pid, tid: all.pid, comm, id: GETPPID, name: 'getppid', category: 'process', weight: 1 });
          // Latency mode: the result (the workload's parent is this process) and the time it took.
          if (mode === 'latency') expect(e.ret).toBe(process.pid);
          else expect([e.ret, e.durationNs]).toEqual([null, null]);
        }
        expect(all.events.every((e, i) => i === 0 || e.monotonicNs >= all.events[i - 1]!.monotonicNs)).toBe(true);
        expect(counters(engine)).toMatchObject({ eventsSeen: 1000, eventsSent: 1000, eventsSampledAway: 0, eventsDropped: 0 });

        const even = await run(engine, 700, 7);
        expect(even.events.length).toBe(100);
        expect(even.events.reduce((s, e) => s + e.weight, 0)).toBe(700);

        const uneven = await run(engine, 1000, 7);
        expect(uneven.events.length).toBe(Math.floor(1000 / 7));
        expect(uneven.events.every((e) => e.weight === 7 && e.pid === uneven.pid)).toBe(true);
        // A new stream starts the sampling anew: these counts are this stream's.
        expect(counters(engine)).toMatchObject({ eventsSeen: 1000, eventsSent: 142, eventsSampledAway: 858, eventsDropped: 0 });

        // The streams ended: the programs stopped sending and sampling.
        await run(engine, 300, null);
        expect(counters(engine)).toMatchObject({ eventsSeen: 1000, eventsSent: 142 });
      } finally {
        await engine.close();
      }
    });
  }

  it('refuses a bad option with a ConfigError naming it, and a second rate while a stream is open', async () => {
    const engine = createEngine({ plugins: [syscall({ mode: 'counts' })], config: { mode: 'ebpf', governor: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      await expect(engine.events('syscall', { sampleEvery: 0 }).ready).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'events.sampleEvery' });
      await expect(engine.events('syscall', { every: 2 } as never).ready).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'events.every' });
      const stop = new AbortController();
      const first = engine.events('syscall', { sampleEvery: 3, signal: stop.signal });
      await first.ready;
      await expect(engine.events('syscall', { sampleEvery: 4, signal: stop.signal }).ready).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'events.sampleEvery' });
      stop.abort();
    } finally {
      await engine.close();
    }
  });
});
