import { describe, expect, it } from 'vitest';
import { Closed } from '../errors/taxonomy.js';
import { TimerClock } from '../../../../test/timer-clock.js';
import { createAdaptiveBatcher, type FlushTrigger } from './adaptive-batcher.js';
import { LatencyHistogram } from './latency-histogram.js';

interface Ev {
  id: number;
  at: number;
  bytes: number;
}

function harness(options: { maxDelayMs?: number; minSize?: number; maxSize?: number; maxBytes?: number }) {
  const clock = new TimerClock();
  const batches: { events: Ev[]; trigger: FlushTrigger; at: number }[] = [];
  const b = createAdaptiveBatcher<Ev>({ ...options, clock, sizeOf: (e) => e.bytes, deliver: (events, trigger) => batches.push({ events, trigger, at: clock.now() }) });
  let id = 0;
  const push = (bytes = 10): void => b.push({ id: id++, at: clock.now(), bytes });
  const ids = (): number[] => batches.flatMap((x) => x.events.map((e) => e.id));
  return { clock, batches, b, push, ids, count: () => id };
}

describe('createAdaptiveBatcher', () => {
  it('slow trickle: the time trigger delivers each event within maxDelayMs', () => {
    const h = harness({ maxDelayMs: 5, minSize: 16 });
    for (let i = 0; i < 200; i++) {
      h.push();
      h.clock.advance(i % 3 === 0 ? 1 : 17); // sometimes two in one batch
    }
    h.b.close();
    expect(h.ids()).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const timed = h.batches.filter((x) => x.trigger === 'time');
    expect(timed.length).toBe(h.batches.length);
    for (const x of h.batches) for (const e of x.events) expect(x.at - e.at).toBeLessThanOrEqual(5);
    expect(h.batches.some((x) => x.events.length === 2)).toBe(true);
    const s = h.b.stats();
    expect(s.latencyUs.max).toBe(5000);
    expect(s.latencyUs.p99).toBe(5000);
    expect(s.targetSize).toBe(16);
  });

  it('flood: the size trigger fires at maxSize once the rate is known; nothing lost or twice', () => {
    const h = harness({ maxDelayMs: 5, maxSize: 100 });
    for (let i = 0; i < 100_000; i++) {
      h.push();
      if (i % 1000 === 999) h.clock.advance(1); // 1 M events/s
    }
    h.b.close();
    const ids = h.ids();
    expect(ids.length).toBe(100_000);
    expect(ids.every((id, i) => id === i)).toBe(true);
    const sized = h.batches.filter((x) => x.trigger === 'size');
    expect(sized.length).toBeGreaterThan(990);
    expect(sized.slice(10).every((x) => x.events.length === 100)).toBe(true);
    const s = h.b.stats();
    expect(s.targetSize).toBe(100);
    expect(s).toMatchObject({ pushed: 100_000, delivered: 100_000, pending: 0 });
    expect(s.arrivalPerSecond).toBeGreaterThan(500_000);
    expect(s.latencyUs.count).toBe(100_000);
    expect(s.latencyUs.p99).toBeLessThanOrEqual(1000); // a batch spans at most one clock step
  });

  it('adapts the size down when the rate falls: the timer covers the first slow events, then size 1', () => {
    const h = harness({ maxDelayMs: 5, maxSize: 100 });
    for (let i = 0; i < 5000; i++) {
      h.push();
      if (i % 100 === 99) h.clock.advance(1);
    }
    expect(h.b.stats().targetSize).toBe(100);
    const before = h.batches.length;
    for (let i = 0; i < 30; i++) {
      h.push();
      h.clock.advance(50);
    }
    const slow = h.batches.slice(before);
    expect(slow.some((x) => x.trigger === 'time')).toBe(true);
    expect(slow.at(-1)!.trigger).toBe('size');
    expect(h.b.stats().targetSize).toBe(1);
    h.b.close();
    expect(new Set(h.ids()).size).toBe(h.count());
    for (const x of h.batches) for (const e of x.events) expect(x.at - e.at).toBeLessThanOrEqual(5);
  });

  it('bytes trigger: a batch never holds more than maxBytes; a larger event goes alone', () => {
    const h = harness({ maxDelayMs: 5, maxSize: 1000, minSize: 1000, maxBytes: 100 });
    for (let i = 0; i < 95; i++) h.push(i === 50 ? 250 : 30);
    h.b.close();
    for (const x of h.batches) {
      const bytes = x.events.reduce((s, e) => s + e.bytes, 0);
      if (x.events.length > 1) expect(bytes).toBeLessThanOrEqual(100);
    }
    expect(h.batches.find((x) => x.events.some((e) => e.bytes === 250))!.events.length).toBe(1);
    expect(h.batches.filter((x) => x.trigger === 'bytes').length).toBeGreaterThan(25);
    expect(h.ids()).toEqual(Array.from({ length: 95 }, (_, i) => i));
  });

  it('pushAll takes a drain of events at one clock reading, with the same triggers', () => {
    const h = harness({ maxDelayMs: 5, maxSize: 64 });
    let id = 0;
    for (let d = 0; d < 100; d++) {
      const drain = Array.from({ length: 1 + (d % 200) }, () => ({ id: id++, at: h.clock.now(), bytes: 1 }));
      h.b.pushAll(drain);
      h.clock.advance(d % 7 === 0 ? 6 : 0.5);
    }
    h.b.close();
    expect(h.ids()).toEqual(Array.from({ length: id }, (_, i) => i));
    for (const x of h.batches) {
      expect(x.events.length).toBeLessThanOrEqual(64);
      for (const e of x.events) expect(x.at - e.at).toBeLessThanOrEqual(5);
    }
    expect(new Set(h.batches.map((x) => x.trigger))).toEqual(new Set(['size', 'time', 'flush']));
  });

  it('room() is what the open batch takes before the size trigger; a shared histogram gets every wait', () => {
    const clock = new TimerClock();
    const shared = new LatencyHistogram();
    const sizes: number[] = [];
    const make = () => createAdaptiveBatcher<number>({ clock, minSize: 10, maxSize: 10, latency: shared, deliver: (b) => sizes.push(b.length) });
    const a = make();
    const b = make();
    expect(a.room()).toBe(10);
    a.pushAll([1, 2, 3]);
    expect([a.room(), a.pending]).toEqual([7, 3]);
    a.pushAll([4, 5, 6, 7, 8, 9, 10]); // exactly the room: one batch, none open
    expect([sizes, a.room(), a.pending]).toEqual([[10], 10, 0]);
    b.push(1);
    clock.advance(5); // b's time trigger: 5,000 µs into the shared histogram
    expect(sizes).toEqual([10, 1]);
    expect(shared.count).toBe(11);
    expect(shared.summary().max).toBe(5000);
    expect(a.stats().latencyUs.count).toBe(11); // the same histogram
  });

  it('close delivers the rest and refuses more', () => {
    const h = harness({ maxDelayMs: 5, minSize: 10 });
    h.push();
    h.push();
    h.b.close();
    expect(h.batches).toMatchObject([{ trigger: 'flush' }]);
    expect(() => h.push()).toThrow(Closed);
    h.clock.advance(100); // the cleared timer does not fire
    expect(h.batches.length).toBe(1);
  });
});
