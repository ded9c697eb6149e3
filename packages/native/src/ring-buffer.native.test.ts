// The ring buffer consumer against the kernel: ringbuf.bpf.o records the getppid
// calls of a C child that makes an exact, known number of them, numbered.
import { afterAll, expect, it } from 'vitest';
import { Closed, ConfigError, MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { collect, decodeRbEvent, openRingbufObject, RbTarget, removeSyscallLoop, setRbFilter, SyscallChild } from '../test/ringbuf-workload.js';
import { BpfObject, readStatsCounters, type RingBatch, type RingBufferConsumer } from './index.js';

/** Every seq from 0 to n-1 exactly once. */
function expectAllOnce(seqs: number[], n: number): void {
  const seen = new Uint8Array(n);
  let outOfRange = 0;
  for (const s of seqs) {
    if (s >= 0 && s < n) seen[s] = (seen[s] ?? 0) + 1;
    else outOfRange++;
  }
  expect(outOfRange).toBe(0);
  expect(seqs.length).toBe(n);
  expect(seen.every((c) => c === 1)).toBe(true);
}

function expectError<T>(fn: () => unknown, type: new (...args: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as T;
  }
  throw new Error(`expected ${type.name}`);
}

describeKernel('RingBufferConsumer against the kernel', () => {
  afterAll(() => removeSyscallLoop());

  it('delivers exactly the N records of the target process, in batches of at most batchSize, none dropped', async () => {
    const N = 10_000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { statsMap: 'rb_stats' });
      const got = collect(consumer);
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS);
      await child.run();
      await got.waitFor(N);
      const kernel = readStatsCounters(obj.map('rb_stats'));
      expect({ events: kernel.events, drops: kernel.drops, filterHits: kernel.filterHits }).toEqual({ events: N, drops: 0, filterHits: N });
      // Ring-buffer bytes: N records of the size the ring's own record headers give (16).
      expect(kernel.ringBytes).toBe(N * (got.records[0]?.size ?? NaN));
      expectAllOnce(got.records.map((r) => r.seq), N);
      expect(got.records.every((r) => r.map === 'rb_events' && r.tgid === child.pid && r.tag === RbTarget.EVENTS && r.size === 16)).toBe(true);
      expect(Math.max(...got.batchSizes)).toBeLessThanOrEqual(100);
      expect(consumer.stats()).toMatchObject({ delivered: N, batches: got.batchSizes.length, kernelDropped: 0, lost: 0, paused: false, closed: false });
    } finally {
      obj.close();
    }
  });

  it('a batch is one ArrayBuffer: every record is a view into it, 8-byte aligned, and batchSize caps it', async () => {
    const N = 1000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { batchSize: 7 });
      const batches: RingBatch[] = [];
      consumer.pause(); // let all N wait in the ring, so the batches come full
      consumer.onBatch((b) => batches.push(b));
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS);
      await child.run();
      consumer.resume();
      while (batches.reduce((n, b) => n + b.length, 0) < N) await new Promise((r) => setImmediate(r));
      expect(batches.length).toBe(Math.ceil(N / 7));
      expect(batches.slice(0, -1).every((b) => b.length === 7)).toBe(true);
      for (const b of batches) {
        for (let i = 0; i < b.length; i++) {
          expect(b.data(i).buffer).toBe(b.buffer);
          expect(b.offset(i) % 8).toBe(0);
        }
      }
      // Drained in the order committed: one producer thread, so seq order.
      const seqs = batches.flatMap((b) => b.toArray().map((r) => decodeRbEvent(r.data).seq));
      expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(() => batches[0]?.data(7)).toThrow(RangeError);
    } finally {
      obj.close();
    }
  });

  it('flood into a 4 KiB ring with the consumer paused: the kernel counts every drop and delivered + dropped = produced', async () => {
    const N = 200_000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_small', { statsMap: 'rb_stats' });
      const got = collect(consumer);
      consumer.pause();
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.SMALL);
      await child.run();
      expect(consumer.stats().delivered).toBe(0);
      const kernel = readStatsCounters(obj.map('rb_stats'));
      expect(kernel.filterHits).toBe(N);
      consumer.resume();
      await got.waitFor(kernel.events);
      const stats = consumer.stats();
      // 4096 bytes hold 170 records of 16 bytes plus the kernel's 8-byte header.
      expect(stats.delivered).toBe(170);
      expect(stats.kernelDropped).toBe(N - 170);
      expect(stats.delivered + (stats.kernelDropped ?? NaN)).toBe(N);
      // Only the records that got room count as ring-buffer bytes.
      expect(readStatsCounters(obj.map('rb_stats')).ringBytes).toBe(170 * (got.records[0]?.size ?? NaN));
      // The ring kept the first records; the rest were dropped, not reordered.
      expect(got.records.map((r) => r.seq)).toEqual(Array.from({ length: 170 }, (_, i) => i));
    } finally {
      obj.close();
    }
  });

  it('flood into a 4 KiB ring with the consumer running: delivered + dropped = produced exactly', async () => {
    const N = 200_000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_small', { statsMap: 'rb_stats' });
      const got = collect(consumer);
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.SMALL);
      await child.run();
      const kernel = readStatsCounters(obj.map('rb_stats'));
      await got.waitFor(kernel.events);
      const stats = consumer.stats();
      expect(stats.delivered).toBe(kernel.events);
      expect(stats.delivered + (stats.kernelDropped ?? NaN)).toBe(N);
      // What was delivered is distinct and in order.
      const seqs = got.records.map((r) => r.seq);
      expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as number))).toBe(true);
    } finally {
      obj.close();
    }
  });

  it('one consumer of two ring buffers tags every record with the map it came from', async () => {
    const N = 5000;
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer(['rb_events', 'rb_second'], { statsMap: 'rb_stats' });
      const got = collect(consumer);
      const child = await SyscallChild.start(N);
      setRbFilter(obj, child.pid, child.syscallNr, RbTarget.EVENTS | RbTarget.SECOND);
      await child.run();
      await got.waitFor(2 * N);
      const tagOf = { rb_events: RbTarget.EVENTS, rb_second: RbTarget.SECOND } as Record<string, number>;
      expect(got.records.filter((r) => r.tag !== tagOf[r.map])).toEqual([]);
      expectAllOnce(got.records.filter((r) => r.map === 'rb_events').map((r) => r.seq), N);
      expectAllOnce(got.records.filter((r) => r.map === 'rb_second').map((r) => r.seq), N);
      expect(consumer.stats()).toMatchObject({ delivered: 2 * N, kernelDropped: 0 });
    } finally {
      obj.close();
    }
  });

  it('refuses bad input with taxonomy errors naming the map or option', async () => {
    const fresh = BpfObject.open(fixture('ringbuf.bpf.o'));
    const notLoaded = expectError(() => fresh.ringBuffer('rb_events'), MapOperationFailed);
    expect(notLoaded.message).toMatch(/not loaded/);
    fresh.close();
    const obj = await openRingbufObject();
    try {
      const array = expectError(() => obj.ringBuffer('rb_filter'), MapOperationFailed);
      expect(array.map).toBe('rb_filter');
      expect(array.message).toMatch(/map rb_filter is a array map, not a ring buffer/);
      expect(array.message).toContain('rb_events, rb_second, rb_small');
      const mixed = expectError(() => obj.ringBuffer(['rb_events', 'rb_stats']), MapOperationFailed);
      expect(mixed.map).toBe('rb_stats');
      const unknown = expectError(() => obj.ringBuffer('rb_nope'), MapOperationFailed);
      expect(unknown.map).toBe('rb_nope');
      expect(unknown.message).toMatch(/no map named "rb_nope"/);
      const stats = expectError(() => obj.ringBuffer('rb_events', { statsMap: 'rb_filter' }), MapOperationFailed);
      expect(stats.message).toMatch(/not a BPFSCOPE_STATS_MAP/);
      expect(expectError(() => obj.ringBuffer('rb_events', { batchSize: 0 }), ConfigError).path).toBe('batchSize');
      expect(expectError(() => obj.ringBuffer('rb_events', { batchSize: 1.5 }), ConfigError).path).toBe('batchSize');
      expect(expectError(() => obj.ringBuffer([]), ConfigError).path).toBe('maps');
      expect(expectError(() => obj.ringBuffer(['rb_events', 'rb_events']), ConfigError).path).toBe('maps');
      expect(consumerStatsWithout(obj).kernelDroppedUnavailable).toMatch(/no statsMap/);
    } finally {
      obj.close();
    }
    expectError(() => obj.ringBuffer('rb_events'), Closed);
  });
});

function consumerStatsWithout(obj: BpfObject): ReturnType<RingBufferConsumer['stats']> {
  const consumer = obj.ringBuffer('rb_second');
  const stats = consumer.stats();
  consumer.close();
  return stats;
}
