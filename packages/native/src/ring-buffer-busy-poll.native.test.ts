// Busy polling of the ring buffer consumer (RingBufferOptions.busyPollMs) against the
// kernel. The workload is this process's own getppid calls (process.ppid makes one each
// time), made in synchronous bursts between turns of the event loop, so the test knows
// exactly how many records each burst sends and when the consumer can run.
import { expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { openRingbufObject, RbTarget, setRbFilter } from '../test/ringbuf-workload.js';
import { readStatsCounters, type BpfObject, type RingBufferConsumer } from './index.js';

/** SYS_getppid on x86_64 (the only architecture this package builds for). */
const SYS_GETPPID = 110;
const BURST = 100;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One burst of getppid calls by this process: BURST records per selected ring. */
function burst(): void {
  let sum = 0;
  for (let i = 0; i < BURST; i++) sum += process.ppid;
  if (sum === -1) throw new Error('unreachable');
}

/** Waits, turning the loop, until `done()`; a consumer that never gets there fails the test by its timeout. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await sleep(1);
}

function countRecords(consumer: RingBufferConsumer): { n: number } {
  const got = { n: 0 };
  consumer.onBatch((b) => void (got.n += b.length));
  return got;
}

/** Stops the program from sending (tgid 0), so that nothing this process does afterwards makes a record. */
function silence(obj: BpfObject): void {
  setRbFilter(obj, 0, 0, 0);
}

describeKernel('RingBufferConsumer busy polling', () => {
  it('under bursts that come faster than the period it polls on its timer, delivers every record once, and once idle runs nothing', async () => {
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { statsMap: 'rb_stats', busyPollMs: 20, batchSize: 1000 });
      expect(consumer.busyPollMs).toBe(20);
      const got = countRecords(consumer);
      setRbFilter(obj, process.pid, SYS_GETPPID, RbTarget.EVENTS);
      // Bursts until the consumer has polled on its timer (two wake-ups less than 20 ms
      // apart switch it), then 50 more; each burst is 2.4 KiB of a 1 MiB ring.
      let bursts = 0;
      while (consumer.stats().timedPolls === 0 && bursts < 5000) {
        burst();
        bursts++;
        await turn();
      }
      for (let i = 0; i < 50; i++, bursts++) {
        burst();
        await turn();
      }
      silence(obj);
      const sent = readStatsCounters(obj.map('rb_stats'));
      expect({ events: sent.events, drops: sent.drops }).toEqual({ events: bursts * BURST, drops: 0 });
      await until(() => got.n >= bursts * BURST);
      await until(() => !consumer.stats().busyPolling);
      const idle = consumer.stats();
      expect(idle.timedPolls).toBeGreaterThan(0);
      expect({ delivered: idle.delivered, lost: idle.lost, kernelDropped: idle.kernelDropped }).toEqual({ delivered: bursts * BURST, lost: 0, kernelDropped: 0 });
      // Idle: back on the fd, no timer: nothing runs while nothing is sent.
      await sleep(200);
      const later = consumer.stats();
      expect({ wakeups: later.wakeups, timedPolls: later.timedPolls, busyPolling: later.busyPolling, delivered: later.delivered }).toEqual({
        wakeups: idle.wakeups,
        timedPolls: idle.timedPolls,
        busyPolling: false,
        delivered: bursts * BURST,
      });
      expect(got.n).toBe(bursts * BURST);
    } finally {
      obj.close();
    }
  });

  it('busyPollMs 0 serves every wake-up from the fd and never polls on a timer', async () => {
    const obj = await openRingbufObject();
    try {
      const consumer = obj.ringBuffer('rb_events', { statsMap: 'rb_stats', busyPollMs: 0 });
      const got = countRecords(consumer);
      setRbFilter(obj, process.pid, SYS_GETPPID, RbTarget.EVENTS);
      for (let i = 0; i < 200; i++) {
        burst();
        await turn();
      }
      silence(obj);
      await until(() => got.n >= 200 * BURST);
      const stats = consumer.stats();
      expect({ delivered: stats.delivered, kernelDropped: stats.kernelDropped, timedPolls: stats.timedPolls, busyPolling: stats.busyPolling }).toEqual({
        delivered: 200 * BURST,
        kernelDropped: 0,
        timedPolls: 0,
        busyPolling: false,
      });
      expect(stats.wakeups).toBeGreaterThan(0);
    } finally {
      obj.close();
    }
  });

  it('a drain that takes more than a quarter of the smallest ring (4 KiB) stays with wake-ups: no timer, every record accounted for', async () => {
    const obj = await openRingbufObject();
    try {
      // Every burst puts 100 records (2.4 KiB with headers) into each of the two rings: more
      // than a quarter of rb_small, so no drain may switch to the timer, however close together.
      const consumer = obj.ringBuffer(['rb_events', 'rb_small'], { statsMap: 'rb_stats', busyPollMs: 20, batchSize: 1000 });
      const got = countRecords(consumer);
      setRbFilter(obj, process.pid, SYS_GETPPID, RbTarget.EVENTS | RbTarget.SMALL);
      for (let i = 0; i < 200; i++) {
        burst();
        await turn();
      }
      silence(obj);
      const sent = readStatsCounters(obj.map('rb_stats'));
      await until(() => got.n >= sent.events);
      // The 4 KiB ring holds 170 records: a wake-up that comes late can cost drops there, all counted.
      expect(sent.events + sent.drops).toBe(2 * 200 * BURST);
      expect(consumer.stats()).toMatchObject({ delivered: sent.events, timedPolls: 0, busyPolling: false });
    } finally {
      obj.close();
    }
  });

  it('refuses a busyPollMs that is not an integer from 0 to 1000, naming the option', async () => {
    const obj = await openRingbufObject();
    try {
      for (const bad of [-1, 1.5, 1001, Number.NaN]) {
        let error: unknown;
        try {
          obj.ringBuffer('rb_events', { busyPollMs: bad });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).path).toBe('busyPollMs');
      }
      const defaults = obj.ringBuffer('rb_events');
      expect(defaults.busyPollMs).toBe(1);
      defaults.close();
    } finally {
      obj.close();
    }
  });
});
