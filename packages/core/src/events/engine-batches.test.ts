// engine.eventBatches() on a fake family whose source the test feeds: every trigger on one
// injected clock (the engine's and the batcher's, moved by the test; no real timer, no
// timed assertion), and every event accounted for exactly.
import { describe, expect, it } from 'vitest';
import { eventfulFakePlugin } from '../../../../test/fake-plugin.js';
import { createEngine } from '../engine/create-engine.js';
import type { Engine } from '../engine/engine.js';
import { TimerClock } from '../../../../test/timer-clock.js';
import type { BatchedEventStream, EventBatch } from './event-batch-types.js';
import type { FamilyEventStats } from './family-event-stats.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

interface Ev {
  seq: number;
  time: number;
  bytes: number;
  weight?: number;
}

/** Lets promises and the consumer run (a turn of the event loop; no time passes on the test clock). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));


interface Got {
  batch: EventBatch<Ev>;
  at: number;
}

/** Runs a consumer in the background: every batch with the test-clock time it arrived. */
function consume(stream: BatchedEventStream<Ev>, clock: TimerClock): { got: Got[]; done: Promise<void> } {
  const got: Got[] = [];
  const done = (async () => {
    for await (const batch of stream) got.push({ batch, at: clock.now() });
  })();
  return { got, done };
}

function setup(clock: TimerClock, queue = 100_000) {
  const { fake, feed } = eventfulFakePlugin<Ev>('ev');
  const engine: Engine = createEngine({ plugins: [fake.plugin], logger: silent, services: { clock } });
  const ac = new AbortController();
  let seq = 0;
  const pushedAt: number[] = [];
  const push = (bytes = 10, weight?: number): void => {
    pushedAt.push(clock.now());
    feed.push!({ seq: seq++, time: clock.wallMs(), bytes, ...(weight ? { weight } : {}) });
  };
  return { engine, ac, push, pushedAt, count: () => seq, stats: (): FamilyEventStats => engine.stats().collectors[0]!.events, queue };
}

function produced(s: FamilyEventStats): number {
  return s.delivered + s.sampledAway + s.held + s.droppedQueue + s.queued;
}

const seqs = (got: Got[]): number[] => got.flatMap((g) => g.batch.map((e) => e.seq));

describe('engine.eventBatches', () => {
  it('slow trickle: every batch goes out by the time trigger within maxDelayMs of its oldest event; an idle stream runs no timer', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const t = setup(clock);
    const stream = t.engine.eventBatches('ev', { signal: t.ac.signal, batch: { maxDelayMs: 5, minSize: 4, clock } });
    await stream.ready;
    const c = consume(stream, clock);
    const gaps = [1, 2, 9, 1, 1, 13, 3];
    for (let i = 0; i < 60; i++) {
      t.push();
      await turn();
      await clock.advanceAsync(gaps[i % gaps.length]!, turn);
    }
    await clock.advanceAsync(20, turn);
    expect(clock.armed).toBe(0); // nothing open: no timer
    t.ac.abort();
    await c.done;
    expect(seqs(c.got)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(c.got.every((g) => g.batch.trigger === 'time')).toBe(true);
    expect(c.got.some((g) => g.batch.length >= 2)).toBe(true);
    for (const g of c.got) for (const e of g.batch) expect(g.at - t.pushedAt[e.seq]!).toBeLessThanOrEqual(5);
    const s = t.stats();
    expect(s).toMatchObject({ delivered: 60, queued: 0, droppedQueue: 0, sampledAway: 0 });
    expect(s.batching).toMatchObject({ streams: 1, batches: c.got.length, events: 60, byTrigger: { time: c.got.length, size: 0, bytes: 0, flush: 0 } });
    expect(s.batching.waitUs.max).toBeLessThanOrEqual(5000);
    expect(s.latencyUs).toMatchObject({ count: 60, max: s.batching.waitUs.max }); // the event's time is when it was pushed
    await t.engine.close();
  });

  it('flood: maxSize batches by the size trigger once the rate is known; each event once, in order', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const t = setup(clock);
    const stream = t.engine.eventBatches('ev', { signal: t.ac.signal, batch: { maxDelayMs: 5, maxSize: 100, clock } });
    await stream.ready;
    const c = consume(stream, clock);
    for (let step = 0; step < 50; step++) {
      for (let i = 0; i < 1000; i++) t.push(); // one ring drain: 1,000 events in 1 ms = 1 M/s
      await turn();
      await clock.advanceAsync(1, turn);
    }
    t.ac.abort();
    await c.done;
    expect(seqs(c.got)).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
    // The first batches go out while the rate is learnt; the last one when the source ends.
    const sized = c.got.slice(10, -1);
    expect(sized.every((g) => g.batch.length === 100 && g.batch.trigger === 'size')).toBe(true);
    expect(sized.length).toBeGreaterThan(480);
    expect(['size', 'flush']).toContain(c.got.at(-1)!.batch.trigger);
    expect(c.got.filter((g) => g.batch.trigger === 'time')).toEqual([]);
    const s = t.stats();
    expect(s).toMatchObject({ delivered: 50_000, queued: 0, droppedQueue: 0 });
    expect(produced(s)).toBe(50_000);
    expect(s.batching.batches).toBe(c.got.length);
    expect(s.batching.meanSize).toBe(50_000 / c.got.length);
    await t.engine.close();
  });

  it('bytes trigger: no batch holds more than maxBytes; a larger event goes alone', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const t = setup(clock);
    const stream = t.engine.eventBatches('ev', { signal: t.ac.signal, batch: { maxBytes: 100, sizeOf: (e) => e.bytes, minSize: 1000, maxSize: 1000, clock } });
    await stream.ready;
    const c = consume(stream, clock);
    for (let i = 0; i < 95; i++) t.push(i === 50 ? 250 : 30);
    await turn();
    await clock.advanceAsync(10, turn);
    t.ac.abort();
    await c.done;
    expect(seqs(c.got)).toEqual(Array.from({ length: 95 }, (_, i) => i));
    for (const g of c.got) if (g.batch.length > 1) expect(g.batch.reduce((a, e) => a + e.bytes, 0)).toBeLessThanOrEqual(100);
    expect(c.got.find((g) => g.batch.some((e) => e.bytes === 250))!.batch.length).toBe(1);
    expect(c.got.filter((g) => g.batch.trigger === 'bytes').length).toBeGreaterThan(25);
    expect(t.stats().batching.byTrigger.bytes).toBe(c.got.filter((g) => g.batch.trigger === 'bytes').length);
    await t.engine.close();
  });

  it('sampling, weights and queue drops: delivered + sampledAway + droppedQueue + queued = pushed, exactly', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const t = setup(clock);
    const stream = t.engine.eventBatches('ev', { signal: t.ac.signal, queue: 50, sampling: { strategy: 'uniform', every: 3 }, batch: { maxSize: 8, clock } });
    await stream.ready;
    for (let i = 0; i < 200; i++) t.push(10, 2); // nobody reads: the queue keeps the newest 50
    expect(produced(t.stats())).toBe(200);
    expect(t.stats()).toMatchObject({ droppedQueue: 150, queued: 50 });
    const first = await stream.next();
    const mid = t.stats();
    expect(produced(mid)).toBe(200);
    expect(mid.delivered).toBe((first.value as EventBatch<Ev>).length);
    t.ac.abort();
    const got: Ev[] = [...(first.value as EventBatch<Ev>)];
    const weights: number[] = [...(first.value as EventBatch<Ev>).weights];
    for await (const b of stream) {
      got.push(...b);
      weights.push(...b.weights);
      expect(stream.weightOf(b[0]!)).toBe(b.weights[0]);
    }
    expect(got.map((e) => e.seq)).toEqual(Array.from({ length: 17 }, (_, i) => 150 + 3 * i));
    expect(weights.every((w) => w === 6)).toBe(true); // 1-in-3 times the kernel weight 2
    const s = t.stats();
    expect(s).toMatchObject({ delivered: 17, sampledAway: 33, droppedQueue: 150, queued: 0, held: 0, keptWeight: 102 });
    expect(produced(s)).toBe(200);
    expect(() => stream.weightOf(got[0]!)).toThrow(/not in the batch/);
    await t.engine.close();
  });

  it('return() mid-batch stops the timer; what was open counts as queued, never delivered', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const t = setup(clock);
    const stream = t.engine.eventBatches('ev', { signal: t.ac.signal, batch: { minSize: 10, maxDelayMs: 5, clock } });
    await stream.ready;
    const pending = stream.next();
    for (let i = 0; i < 3; i++) t.push();
    await turn();
    expect(clock.armed).toBe(1); // a batch is open
    await stream.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(clock.armed).toBe(0);
    const s = t.stats();
    expect(s).toMatchObject({ delivered: 0, queued: 3, open: 0 });
    expect(produced(s)).toBe(3);
    await t.engine.close();
  });

  it('a consumer working through a backlog lets the event loop turn every 1,024 events (events() and eventBatches())', async () => {
    for (const batched of [false, true]) {
      const clock = new TimerClock(1_700_000_000_000);
      const t = setup(clock);
      const options = { signal: t.ac.signal, queue: 10_000, batch: { maxSize: 100, clock } };
      const stream = batched ? t.engine.eventBatches('ev', options) : t.engine.events('ev', options);
      await stream.ready;
      for (let i = 0; i < 5000; i++) t.push();
      t.ac.abort();
      let turns = 0;
      let done = false;
      const tick = (): void => {
        turns++;
        if (!done) setImmediate(tick);
      };
      setImmediate(tick);
      let n = 0;
      if (batched) for await (const b of stream as BatchedEventStream<Ev>) n += b.length;
      else for await (const _ of stream as AsyncIterable<Ev>) n++;
      done = true;
      expect(n).toBe(5000);
      // Without the turns the whole backlog is handed out in microtasks, before any immediate runs.
      expect(turns).toBeGreaterThanOrEqual(Math.floor(5000 / 1024));
      expect(turns).toBeLessThan(50); // a turn per 1,024 events, not per event
      await t.engine.close();
    }
  });

  it('refuses bad batch options with a ConfigError naming the field', () => {
    const { fake } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const bad: Array<[unknown, string]> = [
      [{ maxDelayMs: -1 }, 'events.batch.maxDelayMs'],
      [{ minSize: 0 }, 'events.batch.minSize'],
      [{ maxSize: 1.5 }, 'events.batch.maxSize'],
      [{ minSize: 20, maxSize: 10 }, 'events.batch.minSize'],
      [{ maxBytes: 100 }, 'events.batch.sizeOf'],
      [{ maxBytes: 0, sizeOf: () => 1 }, 'events.batch.maxBytes'],
      [{ maxSise: 10 }, 'events.batch.maxSise'],
      [{ clock: {} }, 'events.batch.clock'],
      ['fast', 'events.batch'],
    ];
    for (const [batch, path] of bad) expect(() => engine.eventBatches('ev', { batch } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR', path }));
    expect(() => engine.eventBatches('ev', { queue: 0 })).toThrow(expect.objectContaining({ path: 'events.queue' }));
    return engine.close();
  });

  it('an unknown family fails the stream when iterated', async () => {
    const { fake } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const stream = engine.eventBatches('nope');
    await expect(stream.next()).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'events.family' });
    await engine.close();
  });
});
