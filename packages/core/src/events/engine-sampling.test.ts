import { describe, expect, it } from 'vitest';
import { eventfulFakePlugin } from '../../../../test/fake-plugin.js';
import { createEngine } from '../engine/create-engine.js';
import { isBpfscopeError } from '../errors/bpfscope-error.js';
import type { Clock } from '../services/clock.js';
import type { FamilyEventStats } from './family-event-stats.js';
import type { SampledEventStream } from './event-sampling.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** One event of the fake family: a sequence number, a time (ms since the epoch), a class, and maybe a kernel weight. */
interface Ev {
  seq: number;
  time: number;
  cls: 'high' | 'low';
  weight?: number;
  monotonicNs?: bigint;
}

/** A clock that moves only when the test says: wall ms and monotonic ns move together. */
function testClock(startMs: number): Clock & { advance(ms: number): void } {
  let ms = startMs;
  return {
    wallMs: () => ms,
    monotonicNs: () => BigInt(Math.round(ms * 1e6)),
    advance: (d: number) => void (ms += d),
  };
}


/** Pulls every event the stream has now (ends it after `n` were pushed and taken), with weights. */
async function drain(stream: SampledEventStream<unknown>, ac: AbortController): Promise<Array<{ seq: number; weight: number }>> {
  ac.abort(); // the source ends; what it queued and what the sampler holds is still handed out
  const got: Array<{ seq: number; weight: number }> = [];
  for await (const e of stream) got.push({ seq: (e as Ev).seq, weight: stream.weightOf(e) });
  return got;
}

function produced(s: FamilyEventStats | undefined): number {
  return (s?.delivered ?? 0) + (s?.sampledAway ?? 0) + (s?.held ?? 0) + (s?.droppedQueue ?? 0) + (s?.queued ?? 0);
}

describe('engine.events with sampling', () => {
  it('uniform 1-in-k: ceil(N/k) events, weights summing to N, sampledAway = N − kept, latency per family', async () => {
    const clock = testClock(1_000_000);
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent, services: { clock } });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, queue: 10_000, sampling: { strategy: 'uniform', every: 7 } });
    await stream.ready;
    const N = 1000;
    for (let i = 0; i < N; i++) feed.push?.({ seq: i, time: clock.wallMs(), cls: 'low' });
    clock.advance(5); // every event is handed out 5 ms after its time
    const got = await drain(stream, ac);
    expect(got.map((g) => g.seq)).toEqual(Array.from({ length: Math.ceil(N / 7) }, (_, i) => i * 7));
    expect(got.reduce((a, g) => a + g.weight, 0)).toBe(1001); // 143 × 7: the counter's estimate, within k of N
    const s = engine.stats().collectors[0]?.events;
    expect(s).toMatchObject({ streams: 1, open: 0, seen: N, kept: 143, delivered: 143, sampledAway: N - 143, held: 0, droppedQueue: 0, queued: 0, keptWeight: 1001 });
    expect(produced(s)).toBe(N);
    expect(s?.latencyUs.count).toBe(143);
    // 5,000 µs: reported as the top of its bucket, never below and less than 1/32 above.
    for (const q of [s?.latencyUs.p50, s?.latencyUs.p95, s?.latencyUs.p99]) {
      expect(q).toBeGreaterThanOrEqual(5000);
      expect(q).toBeLessThan(5000 * (1 + 1 / 32));
    }
    expect(s?.latencyUs.max).toBe(5000);
    await engine.close();
  });

  it('an event with a monotonicNs (as syscall’s) has its latency measured on the monotonic clock, exactly', async () => {
    const clock = testClock(2_000_000);
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent, services: { clock } });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal });
    await stream.ready;
    // time says 1 s ago (a wrong mapping), monotonicNs says 20 µs: the monotonic one is used
    for (let i = 0; i < 3; i++) feed.push?.({ seq: i, time: clock.wallMs() - 1000, cls: 'low', monotonicNs: clock.monotonicNs() - 20_000n });
    await drain(stream, ac);
    expect(engine.stats().collectors[0]?.events.latencyUs).toMatchObject({ count: 3, p50: 20, p99: 20, max: 20 });
    await engine.close();
  });

  it('weightOf answers for the last 64 events delivered and refuses an older one with DATA_UNAVAILABLE', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'uniform', every: 2 } });
    await stream.ready;
    const sent: Ev[] = [];
    for (let i = 0; i < 140; i++) sent.push({ seq: i, time: Date.now(), cls: 'low' });
    for (const e of sent) feed.push?.(e);
    await drain(stream, ac); // 70 delivered: sent[0], sent[2], … sent[138]
    expect(stream.weightOf(sent[138]!)).toBe(2);
    expect(stream.weightOf(sent[2 * 6]!)).toBe(2); // the 64th newest
    const err = (() => {
      try {
        return stream.weightOf(sent[2 * 5]!); // the 65th newest
      } catch (e) {
        return e;
      }
    })();
    expect(isBpfscopeError(err) && err.code).toBe('DATA_UNAVAILABLE');
    expect(() => stream.weightOf(sent[1]!)).toThrow(/not among the last 64/); // sampled away: never delivered
    await engine.close();
  });

  it('weights multiply with the event’s own kernel weight', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'uniform', every: 4 } });
    await stream.ready;
    for (let i = 0; i < 40; i++) feed.push?.({ seq: i, time: Date.now(), cls: 'low', weight: 3 });
    const got = await drain(stream, ac);
    expect(got).toHaveLength(10);
    expect(got.every((g) => g.weight === 12)).toBe(true);
    expect(engine.stats().collectors[0]?.events).toMatchObject({ seen: 40, kept: 10, sampledAway: 30, keptWeight: 120 });
    await engine.close();
  });

  it('keep-all (no sampling setting): every event passes with its kernel weight, in events() and eventBatches(), and a switch to 1-in-2 and back keeps totals exact', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, queue: 10_000 });
    await stream.ready;
    const kw = (seq: number): number => (seq < 600 ? 1 + (seq % 3) : 1);
    const feedAll = (): void => {
      for (let i = 0; i < 700; i++) feed.push?.({ seq: i, time: Date.now(), cls: 'low', weight: kw(i) });
    };
    feedAll();
    const got: Array<{ seq: number; weight: number }> = [];
    const take = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const e = (await stream.next()).value as Ev;
        got.push({ seq: e.seq, weight: stream.weightOf(e) });
      }
    };
    await take(300);
    await engine.setSampling('ev', { strategy: 'uniform', every: 2 });
    await take(100); // the setting applies to every event not handed out yet (taken ones too): 300, 302, … 498, then 499 on
    await engine.setSampling('ev', null);
    got.push(...(await drain(stream, ac)));
    const seqs = [...Array.from({ length: 300 }, (_, i) => i), ...Array.from({ length: 100 }, (_, i) => 300 + 2 * i), ...Array.from({ length: 201 }, (_, i) => 499 + i)];
    expect(got).toEqual(seqs.map((seq) => ({ seq, weight: kw(seq) * (seq >= 300 && seq < 499 ? 2 : 1) })));
    // The same through eventBatches(), keep-all again.
    const ac2 = new AbortController();
    const batched = engine.eventBatches('ev', { signal: ac2.signal, queue: 10_000 });
    await batched.ready;
    feedAll();
    ac2.abort();
    const batches: Array<{ seq: number; weight: number }> = [];
    for await (const b of batched) b.forEach((e, i) => batches.push({ seq: e.seq, weight: b.weights[i]! }));
    expect(batches).toEqual(Array.from({ length: 700 }, (_, seq) => ({ seq, weight: kw(seq) })));
    const s = engine.stats().collectors[0]?.events;
    expect(s).toMatchObject({ seen: 1400, kept: 1301, delivered: 1301, sampledAway: 99, held: 0, queued: 0, droppedQueue: 0 });
    expect(s?.keptWeight).toBe([...got, ...batches].reduce((a, g) => a + g.weight, 0));
    await engine.close();
  });

  it('setSampling mid-stream switches every open stream and keeps totals exact', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, queue: 10_000, sampling: { strategy: 'uniform', every: 10 } });
    await stream.ready;
    for (let i = 0; i < 100; i++) feed.push?.({ seq: i, time: Date.now(), cls: 'low' });
    const first: number[] = [];
    for (let i = 0; i < 10; i++) first.push(((await stream.next()).value as Ev).seq);
    expect(first).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    await engine.setSampling('ev', { strategy: 'uniform', every: 3 });
    for (let i = 100; i < 160; i++) feed.push?.({ seq: i, time: Date.now(), cls: 'low' });
    const second = await drain(stream, ac);
    // The switch applies to every event the stream had not pulled yet (91–99 waited in the
    // source's queue): the new counter keeps the first of them, 91, then 94, … 157.
    expect(second.map((g) => g.seq)).toEqual(Array.from({ length: 23 }, (_, i) => 91 + 3 * i));
    expect(second.every((g) => g.weight === 3)).toBe(true);
    const s = engine.stats().collectors[0]?.events;
    expect(s).toMatchObject({ seen: 160, kept: 33, delivered: 33, sampledAway: 127, keptWeight: 10 * 10 + 23 * 3 });
    expect(produced(s)).toBe(160);
    // null: every event again, and a stream opened later takes the family's setting.
    await engine.setSampling('ev', null);
    const ac2 = new AbortController();
    const later = engine.events('ev', { signal: ac2.signal });
    await later.ready;
    for (let i = 0; i < 5; i++) feed.push?.({ seq: i, time: Date.now(), cls: 'low' });
    expect((await drain(later, ac2)).map((g) => g.weight)).toEqual([1, 1, 1, 1, 1]);
    await engine.close();
  });

  it('priority never drops a high class while lower ones are sampled', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', {
      signal: ac.signal,
      queue: 10_000,
      sampling: { strategy: 'priority', classify: (e) => (e as Ev).cls, high: ['high'], otherwise: { strategy: 'uniform', every: 5 } },
    });
    await stream.ready;
    let highs = 0;
    for (let i = 0; i < 1000; i++) {
      const cls = i % 7 === 3 ? 'high' : 'low';
      if (cls === 'high') highs++;
      feed.push?.({ seq: i, time: Date.now(), cls });
    }
    const got = await drain(stream, ac);
    const keptHigh = got.filter((g) => g.seq % 7 === 3);
    expect(keptHigh).toHaveLength(highs);
    expect(keptHigh.every((g) => g.weight === 1)).toBe(true);
    const lows = 1000 - highs;
    expect(got.length - highs).toBe(Math.ceil(lows / 5));
    expect(engine.stats().collectors[0]?.events).toMatchObject({ seen: 1000, kept: got.length, sampledAway: 1000 - got.length });
    await engine.close();
  });

  it('a reservoir’s open window is handed out when the source ends, not lost', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'reservoir', size: 4, windowMs: 1000, seed: 1 } });
    await stream.ready;
    for (let i = 0; i < 30; i++) feed.push?.({ seq: i, time: 5000 + i, cls: 'low' });
    const got = await drain(stream, ac);
    expect(got).toHaveLength(4);
    expect(got.every((g) => g.weight === 30 / 4)).toBe(true);
    expect(engine.stats().collectors[0]?.events).toMatchObject({ seen: 30, kept: 4, sampledAway: 26, held: 0, delivered: 4 });
    await engine.close();
  });

  it('a bad setting is a ConfigError naming its path, and the one in force stays', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    expect(() => engine.events('ev', { sampling: { strategy: 'uniform', every: 0 } })).toThrow(/events\.sampling\.every/);
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'uniform', every: 2 } });
    await stream.ready;
    const bad = await engine.setSampling('ev', { strategy: 'uniform', every: 2, evry: 3 } as never).catch((e: unknown) => e);
    expect(isBpfscopeError(bad) && bad.code).toBe('CONFIG_ERROR');
    expect((bad as Error).message).toMatch(/families\.ev\.sampling\.evry/);
    // tail needs a latency accessor this stream was not given: refused for every stream, nothing switches
    await expect(engine.setSampling('ev', { strategy: 'tail', threshold: 5 })).rejects.toThrow(/families\.ev\.sampling\.strategy/);
    await expect(engine.setSampling('nope', null)).rejects.toThrow(/families\.nope\.sampling/);
    for (let i = 0; i < 10; i++) feed.push?.({ seq: i, time: Date.now(), cls: 'low' });
    expect((await drain(stream, ac)).map((g) => g.seq)).toEqual([0, 2, 4, 6, 8]);
    await engine.close();
  });

  it('tail with the stream’s latencyOf keeps exactly the events at or above the threshold', async () => {
    const { fake, feed } = eventfulFakePlugin<Ev>('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, latencyOf: (e) => (e as Ev).seq % 10, sampling: { strategy: 'tail', threshold: 8 } });
    await stream.ready;
    for (let i = 0; i < 50; i++) feed.push?.({ seq: i, time: Date.now(), cls: 'low' });
    const got = await drain(stream, ac);
    expect(got.map((g) => g.seq)).toEqual([8, 9, 18, 19, 28, 29, 38, 39, 48, 49]);
    await engine.close();
  });
});
