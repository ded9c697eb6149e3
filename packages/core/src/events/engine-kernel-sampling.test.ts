// The engine's side of kernel sampling, on a fake family whose source takes the
// kernel part of a setting (samplingPushdown) and reports counts the test sets.
import { describe, expect, it } from 'vitest';
import { fakePlugin } from '../../../../test/fake-plugin.js';
import { createEngine } from '../engine/create-engine.js';
import { splitSamplingForKernel, type KernelSamplingCounts } from '../sampling/kernel-sampling.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import { createEventStream } from './event-stream.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

interface Ev {
  seq: number;
  time: number;
  weight: number;
}

function kernelFamily() {
  const fake = fakePlugin('ev', 0);
  const sinks = new Set<(e: Ev) => void>();
  const feed = { push: (e: Ev): void => sinks.forEach((p) => p(e)) };
  const pushed: Array<SamplingConfig<unknown> | null> = [];
  const counts: KernelSamplingCounts = { offered: 0, passed: 0, highPassed: 0, sampledAway: 0, uniformAway: 0, tailAway: 0, refused: 0, contended: 0 };
  fake.source.events = (options) => {
    const { signal: _s, queue: _q, ...rest } = options;
    for (const key of Object.keys(rest)) throw new Error(`no such option: ${key}`);
    return createEventStream<Ev>({
      family: 'ev',
      queue: options.queue,
      signal: options.signal,
      start: async (push) => {
        sinks.add(push);
        return { stop: () => void sinks.delete(push), kernelDropped: () => 0 };
      },
    });
  };
  fake.source.samplingPushdown = async (config) => {
    pushed.push(config);
    return splitSamplingForKernel(config, { tail: false, priority: { pids: true, cgroups: false, kinds: false } });
  };
  fake.source.samplingCounts = () => ({ ...counts });
  return { fake, feed, pushed, counts };
}

describe('engine: sampling pushed down to the source', () => {
  it('setSampling sends the kernel part down; user space samples only the rest; kernel counts in stream and stats', async () => {
    const { fake, feed, pushed, counts } = kernelFamily();
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    counts.offered = counts.passed = 5; // before the stream joined: not its own
    const stream = engine.events('ev', { signal: ac.signal });
    await stream.ready;
    await engine.setSampling('ev', { strategy: 'uniform', every: 10 });
    expect(pushed.at(-1)).toEqual({ strategy: 'uniform', every: 10 });
    // The kernel passed 3 of 30 (weight 10 each); user space keeps all three.
    for (let i = 0; i < 3; i++) feed.push({ seq: i, time: Date.now(), weight: 10 });
    Object.assign(counts, { offered: 35, passed: 8, uniformAway: 27, sampledAway: 27 });
    const w: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await stream.next();
      w.push(stream.weightOf(r.value as Ev));
    }
    expect(w).toEqual([10, 10, 10]);
    expect(stream.counts()).toMatchObject({ seen: 3, kept: 3, sampledAway: 0, kernel: { offered: 30, passed: 3, sampledAway: 27 } });
    const s = engine.stats().collectors[0]!.events;
    expect(s.kernel).toMatchObject({ offered: 35, passed: 8 });
    expect(s.kernelSetting).toEqual({ uniform: { every: 10, mode: 'counter' } });
    expect(s.kernelOwner).toBe('family');
    // A strategy the kernel cannot take: nothing goes down (null), user space samples it all.
    await engine.setSampling('ev', { strategy: 'adaptive', targetPerSecond: 5 });
    expect(pushed.at(-1)).toEqual({ strategy: 'adaptive', targetPerSecond: 5 });
    expect(engine.stats().collectors[0]!.events.kernelSetting).toBeNull();
    // kernel: false sends null down.
    await engine.setSampling('ev', { strategy: 'uniform', every: 2 }, { kernel: false });
    expect(pushed.at(-1)).toBeNull();
    ac.abort();
    await engine.close();
  });

  it('a source selected again (recovery) gets the family setting pushed down again', async () => {
    const { fake, pushed } = kernelFamily();
    const engine = createEngine({ plugins: [fake.plugin], config: { cache: { enabled: false } }, logger: silent });
    await engine.start();
    await engine.setSampling('ev', { strategy: 'uniform', every: 4 });
    expect(pushed).toEqual([{ strategy: 'uniform', every: 4 }]);
    fake.detach('its programs were detached');
    expect((await engine.attemptRecovery()).recovered).toEqual(['ev']);
    expect(pushed).toEqual([{ strategy: 'uniform', every: 4 }, { strategy: 'uniform', every: 4 }]);
    expect(engine.stats().collectors[0]!.events.kernelSetting).toEqual({ uniform: { every: 4, mode: 'counter' } });
    await engine.close();
  });

  it("a stream's own setting goes down when the kernel is free, leaves with the stream, and a second stream's stays in user space", async () => {
    const { fake, feed, pushed } = kernelFamily();
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    const ac = new AbortController();
    const first = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'token-bucket', ratePerSecond: 100, burst: 2 } });
    await first.ready;
    expect(pushed).toEqual([{ strategy: 'token-bucket', ratePerSecond: 100, burst: 2 }]);
    const second = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'uniform', every: 2 } });
    await second.ready;
    expect(pushed).toHaveLength(1); // the kernel is the first stream's
    expect(engine.stats().collectors[0]!.events).toMatchObject({ kernelSetting: { bucket: { ratePerSecond: 100, burst: 2 } }, kernelOwner: 'stream' });
    for (let i = 0; i < 4; i++) feed.push({ seq: i, time: Date.now(), weight: 1 });
    // The second stream samples 1-in-2 in user space; the first keeps what the kernel passed.
    const a = [await first.next(), await first.next()].map((r) => (r.value as Ev).seq);
    const b = [await second.next(), await second.next()].map((r) => (r.value as Ev).seq);
    expect(a).toEqual([0, 1]);
    expect(b).toEqual([0, 2]);
    await first.return();
    await new Promise((r) => setImmediate(r));
    expect(pushed.at(-1)).toBeNull(); // released with its stream
    // A stream whose source refuses its options gives the kernel back at once.
    const bad = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'uniform', every: 5 }, nope: 1 } as never);
    await expect(bad.ready).rejects.toThrow('nope');
    expect(pushed.slice(-2)).toEqual([{ strategy: 'uniform', every: 5 }, null]);
    const unsampled = engine.events('ev', { signal: ac.signal, sampling: { strategy: 'uniform', every: 3 }, kernelSampling: false });
    await unsampled.ready;
    expect(pushed).toHaveLength(4); // kept in user space on request
    ac.abort();
    await engine.close();
  });

  for (const kind of ['events', 'eventBatches'] as const) {
    it(`${kind}(): a stream ended before it finished opening gives its kernel setting back`, async () => {
      const { fake, pushed } = kernelFamily();
      const engine = createEngine({ plugins: [fake.plugin], logger: silent });
      await engine.start();
      const own = { strategy: 'uniform', every: 10 } as const;
      const stream = engine[kind]('ev', { sampling: own });
      await stream.return(); // before the engine opened the source's stream and pushed the setting down
      await stream.ready.catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      expect(pushed).toEqual([own, null]);
      expect(engine.stats().collectors[0]!.events).toMatchObject({ kernelSetting: null, kernelOwner: null });
      // The kernel is free: the next stream's own setting goes down.
      const next = engine[kind]('ev', { sampling: { strategy: 'uniform', every: 3 } });
      await next.ready;
      expect(pushed.at(-1)).toEqual({ strategy: 'uniform', every: 3 });
      await next.return();
      await engine.close();
    });

    it(`${kind}(): an aborted stream nobody pulls from gives its kernel setting back; so does the engine's close`, async () => {
      const { fake, pushed } = kernelFamily();
      const engine = createEngine({ plugins: [fake.plugin], logger: silent });
      const ac = new AbortController();
      const stream = engine[kind]('ev', { signal: ac.signal, sampling: { strategy: 'uniform', every: 10 } });
      await stream.ready;
      expect(engine.stats().collectors[0]!.events.kernelSetting).toEqual({ uniform: { every: 10, mode: 'counter' } });
      ac.abort(); // and no next() ever again
      await new Promise((r) => setImmediate(r));
      expect(pushed).toEqual([{ strategy: 'uniform', every: 10 }, null]);
      expect(engine.stats().collectors[0]!.events.kernelSetting).toBeNull();
      const kept = engine[kind]('ev', { sampling: { strategy: 'uniform', every: 4 } });
      await kept.ready;
      expect(pushed.at(-1)).toEqual({ strategy: 'uniform', every: 4 });
      await engine.close(); // the engine's close aborts the stream's signal
      expect(pushed.at(-1)).toBeNull();
    });
  }
});
