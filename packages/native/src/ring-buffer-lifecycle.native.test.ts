// Lifecycle of the ring buffer consumer: iterator and abort, pause and
// backpressure, close during delivery, unref, worker threads.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, expect, it } from 'vitest';
import { Closed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { bpfFdCount, fixture, runChild } from '../test/helpers.js';
import { collect, decodeRbEvent, openRingbufObject, RbTarget, removeSyscallLoop, setRbFilter, SyscallChild } from '../test/ringbuf-workload.js';
import { isNativeAvailable, type RingBatch } from './index.js';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
/** Ring buffer pages mapped into this process (libbpf mmaps each ring it consumes). */
const ringMappings = (): number => readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.endsWith('anon_inode:bpf-map')).length;
const epollFds = (): number =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[eventpoll]';
    } catch {
      return false;
    }
  }).length;

describeKernel('RingBufferConsumer lifecycle', () => {
  afterAll(() => removeSyscallLoop());

  it('for await yields every batch and an AbortSignal ends the loop cleanly', async () => {
    const N = 3000;
    const obj = await openRingbufObject();
    try {
      const controller = new AbortController();
      const consumer = obj.ringBuffer('rb_events', { signal: controller.signal, statsMap: 'rb_stats' });
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS);
      const ran = child.run();
      const seqs: number[] = [];
      for await (const batch of consumer) {
        for (const record of batch) seqs.push(decodeRbEvent(record.data).seq);
        if (seqs.length === N) controller.abort();
      }
      await ran;
      expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(consumer.closed).toBe(true);
      expect(consumer.stats()).toMatchObject({ delivered: N, kernelDropped: 0, closed: true });
      expect(() => consumer.onBatch(() => undefined)).toThrow(Closed);
      // An already aborted signal gives a closed consumer whose iterator is empty.
      const done = obj.ringBuffer('rb_events', { signal: AbortSignal.abort() });
      expect(done.closed).toBe(true);
    } finally {
      obj.close();
    }
  });

  it('pause() stops delivery while records wait in the ring; resume() delivers all of them', async () => {
    const N = 2000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { statsMap: 'rb_stats' });
      const got = collect(consumer);
      consumer.pause();
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS);
      await child.run();
      await turns(20);
      expect(consumer.stats()).toMatchObject({ delivered: 0, paused: true });
      consumer.resume();
      await got.waitFor(N);
      expect(consumer.stats()).toMatchObject({ delivered: N, paused: false, kernelDropped: 0 });
    } finally {
      obj.close();
    }
  });

  it('an iterator that falls behind pauses polling, and reading it resumes polling', async () => {
    const N = 1000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { batchSize: 10, maxQueuedBatches: 2, statsMap: 'rb_stats' });
      const iterator = consumer[Symbol.asyncIterator]();
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS);
      await child.run();
      while (consumer.stats().batches < 3) await turns(1);
      await turns(20);
      // The third queued batch crossed the limit of 2: polling stopped right there.
      expect(consumer.stats()).toMatchObject({ batches: 3, paused: true });
      let total = 0;
      while (total < N) {
        const { value, done } = await iterator.next();
        if (done) break;
        total += value.length;
      }
      expect(total).toBe(N);
      expect(consumer.stats()).toMatchObject({ delivered: N, kernelDropped: 0 });
      await iterator.return?.();
      expect(consumer.stats().paused).toBe(true); // no reader left
    } finally {
      obj.close();
    }
  });

  it('close() from inside a batch listener: the batch stays valid, nothing follows, calls throw Closed, unread records stay in the ring', async () => {
    const N = 1000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { batchSize: 10 });
      const mapped = ringMappings();
      const seen: RingBatch[] = [];
      consumer.pause();
      consumer.onBatch((batch) => {
        seen.push(batch);
        consumer.close();
      });
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS);
      await child.run();
      consumer.resume();
      while (seen.length === 0) await turns(1);
      await turns(20);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.toArray().map((r) => decodeRbEvent(r.data).seq)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      expect(consumer.stats()).toMatchObject({ delivered: 10, batches: 1, closed: true });
      for (const call of [() => consumer.pause(), () => consumer.resume(), () => consumer.ref(), () => consumer.unref(), () => consumer.onBatch(() => undefined), () => consumer.onError(() => undefined), () => consumer[Symbol.asyncIterator]()]) {
        expect(call).toThrow(Closed);
      }
      expect(ringMappings()).toBeLessThan(mapped); // the ring was unmapped
      // A new consumer of the map reads what the closed one left.
      const next = obj.ringBuffer('rb_events');
      const rest = collect(next);
      await rest.waitFor(N - 10);
      expect(rest.records.map((r) => r.seq)).toEqual(Array.from({ length: N - 10 }, (_, i) => i + 10));
    } finally {
      obj.close();
    }
  });

  it('an iterator still yields the batch during which a listener closed the consumer, then ends', async () => {
    const N = 100;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { batchSize: 10 });
      consumer.pause();
      let heard = 0;
      consumer.onBatch((batch) => {
        heard += batch.length;
        consumer.close();
      });
      const iterated = (async () => {
        let n = 0;
        for await (const batch of consumer) n += batch.length;
        return n;
      })();
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS);
      await child.run();
      consumer.resume();
      expect(await iterated).toBe(10);
      expect(heard).toBe(10);
      expect(consumer.stats()).toMatchObject({ delivered: 10, batches: 1 });
    } finally {
      obj.close();
    }
  });

  it('closing the object closes its consumers and unmaps their rings', async () => {
    const obj = await openRingbufObject();
    const before = ringMappings();
    const a = obj.ringBuffer('rb_events');
    const b = obj.ringBuffer(['rb_second', 'rb_small']);
    a.onBatch(() => undefined);
    expect(ringMappings()).toBeGreaterThan(before);
    obj.close();
    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(ringMappings()).toBe(before);
    expect(() => a.pause()).toThrow(Closed);
  });

  it('a child with an unref()ed, never closed consumer exits 0 on its own', async () => {
    const child = await runChild('ring-buffer-exit.ts', { BPFSCOPE_CHILD_MODE: 'unref' });
    expect(child.stderr).not.toMatch(/Segmentation|Aborted|FATAL|uv loop/);
    expect(child.stdout).toContain('ready unref');
    expect(child.stdout).toContain('exit closed=false');
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
  });

  it('a child with a referenced consumer stays alive until its record arrives, then exits 0 after close', async () => {
    const child = await runChild('ring-buffer-exit.ts', { BPFSCOPE_CHILD_MODE: 'ref' });
    expect(child.stdout).toMatch(/ready ref\nbatch 1\nexit closed=true/);
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
  });

  // Plain JS on the raw binding: a worker thread has no TypeScript loader.
  const WORKER = `
    const { parentPort, workerData } = require('node:worker_threads');
    const binding = require(workerData.addon);
    const obj = new binding.BpfObject(require('node:fs').readFileSync(workerData.object), 'ringbuf');
    obj.load().then(() => {
      const rb = new binding.RingBuffer(obj, ['rb_events', 'rb_small'], 100, () => {}, () => {});
      rb.start();
      globalThis.keep = { obj, rb };
      parentPort.postMessage('polling');
      if (workerData.stay) setInterval(() => {}, 1000); else rb.unref();
    });`;

  for (const stay of [true, false]) {
    it(`a worker thread ${stay ? 'terminated' : 'ending on its own'} with a polling, unclosed consumer gives back every fd and mapping`, async () => {
      const native = isNativeAvailable();
      if (!native.ok) throw native.error;
      const baseline = { bpf: bpfFdCount(), epoll: epollFds(), rings: ringMappings() };
      const worker = new Worker(WORKER, { eval: true, workerData: { addon: native.path, object: fixture('ringbuf.bpf.o'), stay } });
      const exited = new Promise<number>((resolve, reject) => {
        worker.once('exit', resolve);
        worker.once('error', reject);
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      if (stay) {
        expect(ringMappings()).toBeGreaterThan(baseline.rings); // (an unref()ed worker may be gone already)
        await worker.terminate();
      }
      expect(await exited).toBe(stay ? 1 : 0);
      expect({ bpf: bpfFdCount(), epoll: epollFds(), rings: ringMappings() }).toEqual(baseline);
    });
  }
});
