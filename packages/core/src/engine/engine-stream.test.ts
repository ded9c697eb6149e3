import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakePlugin, type FakeReading } from '../../../../test/fake-plugin.js';
import { Closed, ConfigError } from '../errors/taxonomy.js';
import { createEngine } from './create-engine.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** Collects every process warning emitted while `body` runs (warnings are emitted on a later tick). */
async function warningsDuring(body: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error): void => { seen.push(w); };
  process.on('warning', onWarning);
  try {
    await body();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

describe('engine.stream', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('20 snapshots, each a fresh reading, with one abort listener for the whole stream and no warning', async () => {
    const fake = fakePlugin('fake', -1);
    // The default cache (ttl 500 ms) would answer collect() at this interval: a stream must not use it.
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const controller = new AbortController();
    const values: number[] = [];
    const listeners: number[] = [];
    const warnings = await warningsDuring(async () => {
      let i = 0;
      fake.set(i);
      for await (const snap of engine.stream({ intervalMs: 1, signal: controller.signal })) {
        values.push((snap.get('fake')?.data as FakeReading<number>).value);
        listeners.push(getEventListeners(controller.signal, 'abort').length);
        if (++i === 20) break;
        fake.set(i);
      }
    });
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(fake.reads()).toBe(20);
    expect(listeners).toEqual(Array.from({ length: 20 }, () => 1));
    // Leaving the loop (break) ends the generator and takes its listener away.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await engine.close();
  });

  it('waits intervalMs between readings, counted in readings as fake time advances', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const fake = fakePlugin('fake', 'x');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const stream = engine.stream({ intervalMs: 1000 });
    await stream.next();
    expect(fake.reads()).toBe(1);
    const second = stream.next();
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.reads()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.reads()).toBe(2);
    expect(((await second).value?.get('fake')?.data as FakeReading<string>).read).toBe(2);
    const third = stream.next();
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.reads()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await third;
    expect(fake.reads()).toBe(3);
    await stream.return();
    await engine.close();
  });

  it('close() wakes a stream that is waiting for its next interval, and the stream ends', async () => {
    const fake = fakePlugin('fake', 1);
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const stream = engine.stream({ intervalMs: 3_600_000 });
    expect((await stream.next()).done).toBe(false);
    const next = stream.next();
    await engine.close();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(fake.reads()).toBe(1);
    expect(fake.closed()).toBe(true);
  });

  it('an abort wakes a waiting stream, which ends and removes its listener', async () => {
    const fake = fakePlugin('fake', 1);
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const controller = new AbortController();
    const stream = engine.stream({ intervalMs: 3_600_000, signal: controller.signal });
    await stream.next();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const next = stream.next();
    controller.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(fake.reads()).toBe(1);
    await engine.close();
  });

  it('an abort during a reading ends the stream without yielding the aborted reading', async () => {
    const fake = fakePlugin('fake', 1);
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const controller = new AbortController();
    const stream = engine.stream({ intervalMs: 1, signal: controller.signal });
    expect((await stream.next()).done).toBe(false);
    fake.hold(true);
    const next = stream.next();
    while (fake.reads() < 2) await new Promise((r) => setImmediate(r));
    controller.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(fake.reads()).toBe(2);
    await engine.close();
  });

  it('refuses an interval that is not a finite number above 0 with ConfigError, and a closed engine with Closed', async () => {
    const engine = createEngine({ plugins: [fakePlugin('fake', 0).plugin], logger: silent });
    for (const intervalMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => engine.stream({ intervalMs })).toThrow(ConfigError);
    }
    expect(() => engine.stream({ intervalMs: 0 })).toThrow('invalid config at stream.intervalMs: got 0, expected a finite number of milliseconds above 0');
    await engine.close();
    expect(() => engine.stream({ intervalMs: 10 })).toThrow(Closed);
  });
});
