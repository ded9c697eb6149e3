// Fault: the engine closed while a reading (a batch read of the per-process map), an event
// stream and a batched event stream of the syscall family are in flight. close() waits for
// the reading, which is whole and exact; both streams end (their loops return, nothing is
// thrown) with every event they counted as delivered handed to their consumer; every BPF fd
// the engine made is closed; later calls are refused with Closed.
import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { bpfFdCount as bpfFds } from '../../native/test/helpers.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { silent } from '../test/read-syscall.js';
import { getppidStreams, GETPPID } from '../test/getppid-streams.js';
import { syscall } from './plugin.js';
import type { SyscallMetrics } from './records.js';

const CALLS = 5_000;


describeKernel('syscall family: the engine closed with work in flight', () => {
  it('close() during a reading, an event stream and a batched stream: the reading is exact, both streams end, every BPF fd is closed', async () => {
    clearCache();
    const fdsBefore = bpfFds();
    const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false }, governor: { enabled: false } }, logger: silent });
    await engine.start();
    const { w, events, batches } = await getppidStreams(engine, CALLS);
    let seen = 0;
    let seenInBatches = 0;
    let delivering = (): void => undefined;
    const firstEvent = new Promise<void>((resolve) => (delivering = resolve));
    const consumers = Promise.allSettled([
      (async () => {
        for await (const e of events) {
          expect(e).toMatchObject({ pid: w.pid, id: GETPPID });
          seen++;
          delivering();
        }
      })(),
      (async () => {
        for await (const b of batches) seenInBatches += b.length;
      })(),
    ]);
    expect((await w.go()).code).toBe(0);
    await firstEvent; // the stream is delivering

    const reading = engine.collect();
    await engine.close();
    const snap = await reading;
    expect(snap.errors).toEqual([]);
    const m = snap.get('syscall')!.data as SyscallMetrics;
    expect(m.processes.map((p) => [p.pid, p.count])).toEqual([[w.pid, CALLS]]);

    expect((await consumers).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(events.counts()).toMatchObject({ ended: true, delivered: seen });
    expect(batches.counts()).toMatchObject({ ended: true, delivered: seenInBatches });
    expect(seen).toBeGreaterThan(0);
    expect(bpfFds()).toBe(fdsBefore);
    await expect(engine.collect()).rejects.toMatchObject({ code: 'CLOSED' });
    expect(() => engine.events('syscall')).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });
});
