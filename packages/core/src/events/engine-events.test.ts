import { describe, expect, it } from 'vitest';
import { fakePlugin } from '../../../../test/fake-plugin.js';
import { createEngine } from '../engine/create-engine.js';
import { isBpfscopeError } from '../errors/bpfscope-error.js';
import { createEventStream } from './event-stream.js';
import { LoadFailed } from '../errors/taxonomy.js';
import { COLLECTOR } from '../tokens.js';
import type { Plugin, Source } from '../types.js';
import type { SourceEventOptions } from './event-types.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** A fake family whose source's events() the test feeds: `push` sends one event, `stops` counts released subscriptions. */
function eventfulPlugin(family: string) {
  const fake = fakePlugin(family, 0);
  const feed = { push: null as ((n: number) => void) | null, stops: 0, subscribed: 0, kernel: 0, options: null as SourceEventOptions | null };
  fake.source.events = (options) => {
    feed.options = options;
    return createEventStream<number>({
      family,
      queue: options.queue,
      signal: options.signal,
      start: async (push) => {
        feed.subscribed++;
        feed.push = push;
        return { stop: () => void (feed.stops++, (feed.push = null)), kernelDropped: () => feed.kernel };
      },
    });
  };
  return { fake, feed };
}

describe('engine.events', () => {
  it('delivers what the source pushes, in order, and counts it per family', async () => {
    const { fake, feed } = eventfulPlugin('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, extra: 7 });
    await stream.ready;
    expect(feed.options?.['extra']).toBe(7);
    for (let i = 1; i <= 5; i++) feed.push?.(i);
    feed.kernel = 3; // the ring reports three records it could not take since the subscription
    const got: number[] = [];
    for await (const e of stream) {
      got.push(e as number);
      if (got.length === 5) ac.abort();
    }
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(feed.stops).toBe(1);
    expect(engine.stats().collectors[0]?.events).toMatchObject({ streams: 1, open: 0, delivered: 5, droppedQueue: 0, droppedKernel: 3, seen: 5, kept: 5, sampledAway: 0, held: 0, keptWeight: 5, queued: 0 });
    await engine.close();
  });

  it('a slow consumer: a full queue drops the oldest, counted, and delivered + dropped equals pushed', async () => {
    const { fake, feed } = eventfulPlugin('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const stream = engine.events('ev', { queue: 4 });
    await stream.ready;
    for (let i = 1; i <= 10; i++) feed.push?.(i);
    expect(stream.counts()).toMatchObject({ delivered: 0, droppedQueue: 6, queued: 4 });
    const got: number[] = [];
    for await (const e of stream) {
      got.push(e as number);
      if (got.length === 4) break; // return(): ends the stream and releases the subscription
    }
    expect(got).toEqual([7, 8, 9, 10]);
    expect(feed.stops).toBe(1);
    const s = engine.stats().collectors[0]?.events;
    expect(s).toMatchObject({ streams: 1, open: 0, delivered: 4, droppedQueue: 6 });
    expect((s?.delivered ?? 0) + (s?.droppedQueue ?? 0)).toBe(10);
    await engine.close();
  });

  it('a waiting consumer gets the event the moment it is pushed; an abort while waiting ends the iteration', async () => {
    const { fake, feed } = eventfulPlugin('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const stream = engine.events('ev', { signal: ac.signal, queue: 1 });
    await stream.ready;
    const first = stream.next();
    feed.push?.(42);
    expect(await first).toEqual({ value: 42, done: false });
    const second = stream.next();
    ac.abort();
    expect(await second).toEqual({ value: undefined, done: true });
    expect(feed.stops).toBe(1);
    expect(feed.push).toBeNull();
    await engine.close();
  });

  it('engine.close() ends open streams and releases their subscriptions', async () => {
    const { fake, feed } = eventfulPlugin('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const stream = engine.events('ev');
    await stream.ready;
    const waiting = stream.next();
    await engine.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(feed.stops).toBe(1);
  });

  it('a source without events(): iterating throws DATA_UNAVAILABLE naming the selected source', async () => {
    const fake = fakePlugin('plain', 0);
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const stream = engine.events('plain');
    await expect(stream.ready).rejects.toThrow(/plain events is unavailable: its selected source fake-plain \(procfs\) gives no events/);
    const err = await stream.next().catch((e: unknown) => e);
    expect(isBpfscopeError(err) && err.code).toBe('DATA_UNAVAILABLE');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    await engine.close();
  });

  it('a fallback without events(): the error names why the eBPF source was passed over and keeps it as the cause', async () => {
    const rejection = new LoadFailed('ev.bpf.o', 'the verifier refused it', 'R1 invalid mem access');
    const ebpf: Source<number> = { kind: 'ebpf', name: 'ev-ebpf', async init() { throw rejection; }, async read() { return 0; }, async close() {}, events: () => { throw new Error('not reached'); } };
    const plain: Source<number> = { kind: 'procfs', name: 'ev-procfs', async init() {}, async read() { return 1; }, async close() {} };
    const plugin: Plugin = { name: 'ev', version: '0', register: (c) => c.register(COLLECTOR, { useValue: { family: 'ev', sources: [ebpf, plain] } }) };
    const engine = createEngine({ plugins: [plugin], logger: silent });
    const err = await engine.events('ev').next().catch((e: unknown) => e);
    expect(isBpfscopeError(err) && err.code).toBe('DATA_UNAVAILABLE');
    expect((err as Error).message).toMatch(/ev-procfs \(procfs\) gives no events; the source before it was rejected: LOAD_FAILED: loading ev\.bpf\.o failed: the verifier refused it/);
    expect((err as Error).cause).toBe(rejection);
    await engine.close();
  });

  it('an unknown family and a bad queue are ConfigErrors with their path', async () => {
    const { fake } = eventfulPlugin('ev');
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    expect(() => engine.events('ev', { queue: 0 })).toThrow(/events\.queue/);
    expect(() => engine.events('ev', { queue: 1.5 })).toThrow(/events\.queue/);
    await expect(engine.events('nope').next()).rejects.toThrow(/events\.family.*got "nope".*\(ev\)/);
    await engine.close();
    expect(() => engine.events('ev')).toThrow(/closed/i);
  });

  it('a subscription that fails to start rejects ready and throws once from next(); a failure mid-stream rejects the waiting next()', async () => {
    const fake = fakePlugin('ev', 0);
    let fail: ((e: unknown) => void) | null = null;
    let starts = 0;
    fake.source.events = (options) =>
      createEventStream<number>({
        family: 'ev',
        queue: options.queue,
        signal: options.signal,
        start: async (_push, f) => {
          if (++starts === 1) throw new Error('attach refused');
          fail = f;
          return { stop: () => undefined, kernelDropped: () => null };
        },
      });
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const refused = engine.events('ev');
    await expect(refused.ready).rejects.toThrow('ev: attach refused');
    await expect(refused.next()).rejects.toMatchObject({ code: 'EVENT_PROCESSING_FAILED' });
    expect(await refused.next()).toEqual({ value: undefined, done: true });
    const broken = engine.events('ev');
    await broken.ready;
    const waiting = broken.next();
    fail!(new Error('ring gone'));
    await expect(waiting).rejects.toThrow('ev: ring gone');
    expect(await broken.next()).toEqual({ value: undefined, done: true });
    expect(broken.counts()).toMatchObject({ ended: true, droppedKernel: null });
    await engine.close();
  });
});
