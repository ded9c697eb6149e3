import { describe, expect, it } from 'vitest';
import { fakePlugin } from '../../../../test/fake-plugin.js';
import { createEngine } from './create-engine.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('engine.stats per family', () => {
  it('counts reads, read errors, timeouts, cache hits per family and the read cost', async () => {
    const a = fakePlugin('a', 1);
    const b = fakePlugin('b', 2);
    const engine = createEngine({ plugins: [a.plugin, b.plugin], config: { cache: { ttlMs: 3_600_000 }, families: { b: { readTimeoutMs: 20 } } }, logger: silent });
    await engine.collect(); // a and b read
    await engine.collect(); // cache hit: both in the cached snapshot
    b.hold(true);
    await engine.attemptRecovery(); // clears the cache (nothing needed recovery)
    await engine.collect(); // a reads; b times out
    await engine.collect(); // cache hit: only a has a value in it
    const [sa, sb] = engine.stats().collectors;
    // Only a's reading { value: 1, read: 2 } is cached (b's read failed): 24 B + 8 B per property.
    expect(engine.stats().cache).toEqual({ hits: 2, misses: 2, estimatedBytes: 40 });
    expect(sa).toMatchObject({ family: 'a', source: 'fake-a', sourceKind: 'procfs', reads: 2, readErrors: 0, timeouts: { init: 0, read: 0 }, cacheHits: 2 });
    expect(sb).toMatchObject({ family: 'b', reads: 2, readErrors: 1, timeouts: { init: 0, read: 1 }, cacheHits: 1, timeoutMs: { read: 20 } });
    // Cost of the reads: wall and the process's CPU during them, both measured, never negative.
    for (const s of [sa, sb]) {
      expect(s?.readCost.lastWallMs).not.toBeNull();
      expect(s?.readCost.totalWallMs).toBeGreaterThanOrEqual(s?.readCost.lastWallMs ?? Infinity);
      expect(s?.readCost.totalProcessCpuMs).toBeGreaterThanOrEqual(s?.readCost.lastProcessCpuMs ?? Infinity);
      expect(s?.readCost.lastProcessCpuMs).toBeGreaterThanOrEqual(0);
    }
    expect(sa?.sourceStats).toEqual({ programs: [], runStatsEnabled: false, kernelCounters: [], counters: { reads: 2, inits: 1 } });
    await engine.close();
  });

  it('the process CPU of a read covers CPU the read burned', async () => {
    const fake = fakePlugin('burn', 0);
    let burnedMs = 0;
    const read = fake.source.read.bind(fake.source);
    fake.source.read = async (ctx) => {
      const t0 = process.cpuUsage();
      while ((process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000 < 30); // 30 ms of this thread's CPU
      const used = process.cpuUsage(t0);
      burnedMs = (used.user + used.system) / 1000;
      return read(ctx);
    };
    const engine = createEngine({ plugins: [fake.plugin], config: { operationTimeoutMs: 600_000 }, logger: silent });
    await engine.collect();
    const cost = engine.stats().collectors[0]?.readCost;
    expect(burnedMs).toBeGreaterThanOrEqual(30);
    expect(cost?.lastProcessCpuMs).toBeGreaterThanOrEqual(burnedMs);
    await engine.close();
  });
});
