// Aggressive caching on a family whose change counter the test scripts: a read after no
// change decodes nothing and returns equal data; one change makes the next read decode;
// filter, sampling and recovery drop the cached result; the cap on cached detail records
// is counted; the memory estimate follows the records.
import { afterEach, describe, expect, it } from 'vitest';
import { fakePlugin, type FakePlugin, type FakeReading } from '../../../../test/fake-plugin.js';
import { ManualClock } from '../../../../test/fixture-services.js';
import { COLLECTOR, FILTER } from '../tokens.js';
import type { BpfscopeConfig } from '../config/schema.js';
import type { FilterRecord } from '../filter/family-filter.js';
import type { Plugin } from '../types.js';
import { createEngine } from './create-engine.js';
import type { Engine } from './engine.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
// The snapshot cache never answers here (ttlMs 0): every collect() reaches the family.
const AGGRESSIVE: BpfscopeConfig = { cache: { ttlMs: 0, aggressive: true } };

interface Rows {
  records: Array<{ pid: number }>;
}
const rows = (n: number): Rows => ({ records: Array.from({ length: n }, (_, i) => ({ pid: i + 1 })) });

/** The fake family with a change counter the test sets (undefined: the source has none), counting its calls. */
function counted<T>(fake: FakePlugin<T>, initial: bigint | null | Error): { set(v: bigint | null | Error): void; calls(): number } {
  let value = initial;
  let calls = 0;
  fake.source.changeCounter = () => {
    calls++;
    if (value instanceof Error) throw value;
    return value;
  };
  return { set: (v) => void (value = v), calls: () => calls };
}

/** The fake family as a collector of detail records (`filterRecords` over `value.records`). */
function withRecords(fake: FakePlugin<Rows>, family: string): Plugin {
  const filterRecords = (data: FakeReading<Rows>, keep: (r: FilterRecord) => boolean): FakeReading<Rows> => ({ ...data, value: { records: data.value.records.filter((r) => keep({ pid: r.pid })) } });
  return { name: `rows-${family}`, version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family, sources: [fake.source], filterRecords } }) };
}

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

async function read<T>(family: string): Promise<NonNullable<ReturnType<Awaited<ReturnType<Engine['collect']>>['get']>> & { data: FakeReading<T> }> {
  const snap = await engine!.collect();
  const r = snap.get(family);
  if (!r) throw new Error(`no ${family}: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  return r as never;
}

const cacheStats = (i = 0) => engine!.stats().collectors[i]!.cache;

describe('aggressive caching on a change counter', () => {
  it('a read after no change decodes nothing and returns equal data; one change makes the next read decode', async () => {
    const fake = fakePlugin('fam', 'a');
    const counter = counted(fake, 7n);
    const clock = new ManualClock(0n, 1_000_000);
    engine = createEngine({ plugins: [fake.plugin], config: AGGRESSIVE, logger: silent, services: { clock } });
    const first = await read<string>('fam');
    expect(first.cached).toBeUndefined();
    expect(fake.reads()).toBe(1);
    clock.advance(1000);
    fake.set('b'); // the source's data changed, but its counter says it did not: the cache answers
    const second = await read<string>('fam');
    expect(fake.reads()).toBe(1);
    expect(second.data).toEqual(first.data);
    expect(second.data).toEqual({ value: 'a', read: 1 });
    expect(second.timestamp).toBe(1_001_000);
    expect(second.cached).toEqual({ by: 'change-counter', decodedAt: 1_000_000, changeCounter: '7' });
    expect((await engine.collect()).toJSON().families.fam?.cached).toEqual({ by: 'change-counter', decodedAt: new Date(1_000_000).toISOString(), changeCounter: '7' });
    counter.set(8n);
    const third = await read<string>('fam');
    expect(fake.reads()).toBe(2);
    expect(third.data).toEqual({ value: 'b', read: 2 });
    expect(third.cached).toBeUndefined();
    expect(await read<string>('fam')).toMatchObject({ data: { value: 'b', read: 2 }, cached: { changeCounter: '8' } });
    expect(counter.calls()).toBe(5);
    expect(cacheStats()).toMatchObject({ aggressive: true, hits: 3, misses: 2, decodes: 2, missReasons: { empty: 1, moved: 1, noCounter: 0, unvouched: 0 } });
    expect(engine.stats().collectors[0]!.reads).toBe(5);
  });

  it('decodes when the counter is null (the source cannot vouch), throws, or the source has none', async () => {
    const fake = fakePlugin('fam', 1);
    const counter = counted(fake, null);
    engine = createEngine({ plugins: [fake.plugin], config: AGGRESSIVE, logger: silent });
    await read('fam');
    await read('fam');
    counter.set(new Error('map gone'));
    await read('fam');
    expect(fake.reads()).toBe(3);
    expect(cacheStats().missReasons).toMatchObject({ unvouched: 2, counterError: 1 });
    delete fake.source.changeCounter;
    await read('fam');
    expect(fake.reads()).toBe(4);
    expect(cacheStats()).toMatchObject({ hits: 0, misses: 4, missReasons: { noCounter: 1 } });
  });

  it('off by default: no counter is read and every read decodes; a family can turn it on for itself', async () => {
    const off = fakePlugin('off', 1);
    const on = fakePlugin('on', 1);
    const offCounter = counted(off, 1n);
    counted(on, 1n);
    // `cache` is the engine's key: a plugin's option schema does not see it.
    const withSchema: Plugin = { ...on.plugin, optionSchemas: { on: { level: { type: 'integer' } } } };
    engine = createEngine({ plugins: [off.plugin, withSchema], config: { cache: { ttlMs: 0 }, families: { on: { level: 2, cache: { aggressive: true } } } }, logger: silent });
    for (let i = 0; i < 3; i++) await engine.collect();
    expect(offCounter.calls()).toBe(0);
    expect(off.reads()).toBe(3);
    expect(on.reads()).toBe(1);
    expect(engine.stats().collectors.map((c) => [c.family, c.cache.aggressive, c.cache.hits])).toEqual([['off', false, 0], ['on', true, 2]]);
  });

  it('cache.enabled false turns aggressive caching off too', async () => {
    const fake = fakePlugin('fam', 1);
    counted(fake, 1n);
    engine = createEngine({ plugins: [fake.plugin], config: { cache: { enabled: false, aggressive: true } }, logger: silent });
    await engine.collect();
    await engine.collect();
    expect(fake.reads()).toBe(2);
    expect(cacheStats()).toMatchObject({ aggressive: false, hits: 0, estimatedBytes: 0 });
  });

  it('a decode older than aggressiveMaxAgeMs is not served', async () => {
    const fake = fakePlugin('fam', 1);
    counted(fake, 1n);
    const clock = new ManualClock(0n, 5000);
    engine = createEngine({ plugins: [fake.plugin], config: { cache: { ttlMs: 0, aggressive: true, aggressiveMaxAgeMs: 100 } }, logger: silent, services: { clock } });
    await engine.collect();
    clock.advance(100);
    await engine.collect(); // 100 ms old: served
    clock.advance(1);
    await engine.collect(); // 101 ms: decoded again
    expect(fake.reads()).toBe(2);
    expect(cacheStats().missReasons.expired).toBe(1);
  });

  it('setFilter, setSampling and recovery drop the cached result: the next read decodes', async () => {
    const fake = fakePlugin<Rows>('fam', rows(3));
    counted(fake, 5n);
    engine = createEngine({ plugins: [withRecords(fake, 'fam')], config: AGGRESSIVE, logger: silent });
    await engine.collect();
    await engine.collect();
    expect(fake.reads()).toBe(1);
    await engine.setFilter('fam', { pids: [2] });
    expect((await read<Rows>('fam')).data.value.records).toEqual([{ pid: 2 }]);
    expect(fake.reads()).toBe(2);
    await engine.collect();
    expect(fake.reads()).toBe(2);
    await engine.setSampling('fam', null);
    await engine.collect();
    expect(fake.reads()).toBe(3);
    fake.detach('programs gone');
    await engine.attemptRecovery();
    fake.detach(null);
    await engine.collect();
    expect(fake.reads()).toBe(4);
    await engine.collect();
    expect(fake.reads()).toBe(4);
    expect(cacheStats()).toMatchObject({ hits: 3, invalidations: 3, missReasons: { empty: 4 } });
  });

  it('two decodes of a family in flight at once keep no counter (the source vouches for its last read only): the next read decodes', async () => {
    const fake = fakePlugin('fam', 1);
    counted(fake, 3n);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const read = fake.source.read.bind(fake.source);
    fake.source.read = async (ctx) => {
      await gate;
      return read(ctx);
    };
    engine = createEngine({ plugins: [fake.plugin], config: AGGRESSIVE, logger: silent });
    await engine.start();
    const both = Promise.all([engine.collect(), engine.collect()]);
    await new Promise((r) => setTimeout(r, 20));
    release();
    await both;
    expect(fake.reads()).toBe(2);
    await engine.collect(); // the kept result has no counter: decoded
    expect(fake.reads()).toBe(3);
    await engine.collect(); // one decode alone: its counter answers
    expect(fake.reads()).toBe(3);
    expect(cacheStats()).toMatchObject({ hits: 1, missReasons: { empty: 3 } });
  });

  it('a reading in flight when a setting changes is returned but cached by neither cache: the next read decodes', async () => {
    const fake = fakePlugin('fam', 1);
    counted(fake, 3n);
    let entered: () => void = () => undefined;
    const inRead = new Promise<void>((r) => (entered = r));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const read = fake.source.read.bind(fake.source);
    let gated = true;
    fake.source.read = async (ctx) => {
      if (gated) {
        gated = false;
        entered();
        await gate;
      }
      return read(ctx);
    };
    engine = createEngine({ plugins: [fake.plugin], config: { cache: { ttlMs: 60_000, aggressive: true } }, logger: silent });
    await engine.start();
    const first = engine.collect();
    await inRead;
    await engine.setFilter('fam', null); // drops both caches while the reading runs under the old settings
    release();
    expect((await first).get('fam')?.data).toMatchObject({ read: 1 });
    await engine.collect(); // neither the snapshot (TTL 60 s) nor the change counter answers
    expect(fake.reads()).toBe(2);
    await engine.collect(); // the second reading was kept: the snapshot cache answers
    expect(fake.reads()).toBe(2);
  });

  it('a decode that is not kept (an engine filter threw on it) drops the cached result', async () => {
    const fake = fakePlugin('fam', 1);
    const counter = counted(fake, 1n);
    let fail = false;
    const filtered: Plugin = {
      ...fake.plugin,
      register(c) {
        fake.plugin.register(c);
        c.register(FILTER, { useValue: { name: 'flaky', family: 'fam', apply: (d: unknown) => { if (fail) throw new Error('filter failed'); return d; } } });
      },
    };
    engine = createEngine({ plugins: [filtered], config: AGGRESSIVE, logger: silent });
    await engine.collect();
    await engine.collect();
    expect(fake.reads()).toBe(1);
    counter.set(2n);
    fail = true;
    expect((await engine.collect()).errors.map((e) => e.error.message)).toEqual([expect.stringContaining('filter failed')]);
    fail = false;
    await engine.collect(); // nothing cached any more: decoded
    await engine.collect();
    expect(fake.reads()).toBe(3);
    expect(cacheStats()).toMatchObject({ hits: 2, invalidations: 1, missReasons: { empty: 2, moved: 1 } });
  });

  it('streams are answered by the change-counter cache too', async () => {
    const fake = fakePlugin('fam', 1);
    const counter = counted(fake, 1n);
    engine = createEngine({ plugins: [fake.plugin], config: { cache: { aggressive: true } }, logger: silent });
    const ac = new AbortController();
    let n = 0;
    for await (const snap of engine.stream({ intervalMs: 10, signal: ac.signal })) {
      expect(snap.get('fam')?.data).toEqual({ value: 1, read: n < 2 ? 1 : 2 });
      if (++n === 2) counter.set(2n);
      if (n === 4) ac.abort();
    }
    // Readings 1 and 3 decoded (first, and after the counter moved); 2 and 4 came from the cache.
    expect(fake.reads()).toBe(2);
    expect(cacheStats()).toMatchObject({ hits: 2, decodes: 2 });
  });
});

describe('cap on cached detail records and the memory estimate', () => {
  it('keeps at most maxDetailRecords in the cached result and says what it left out; the decoded result is whole', async () => {
    const fake = fakePlugin<Rows>('fam', rows(5));
    counted(fake, 1n);
    engine = createEngine({ plugins: [withRecords(fake, 'fam')], config: { cache: { ttlMs: 0, aggressive: true, maxDetailRecords: 2 } }, logger: silent });
    const decoded = await read<Rows>('fam');
    expect(decoded.data.value.records).toHaveLength(5);
    expect(decoded.detailCap).toBeUndefined();
    const cached = await read<Rows>('fam');
    expect(cached.data.value.records).toEqual([{ pid: 1 }, { pid: 2 }]);
    expect(cached.detailCap).toEqual({ limit: 2, kept: 2, omitted: 3 });
    expect((await engine.collect()).toJSON().families.fam?.detailCap).toEqual({ limit: 2, kept: 2, omitted: 3 });
    // Omitted once: the cap ran when the decoded result was kept, not at each hit.
    expect(cacheStats()).toMatchObject({ maxDetailRecords: 2, detailRecordsOmitted: 3, lastDetailRecordsOmitted: 3 });
  });

  it('the snapshot cache keeps the capped result too', async () => {
    const fake = fakePlugin<Rows>('fam', rows(4));
    engine = createEngine({ plugins: [withRecords(fake, 'fam')], config: { cache: { ttlMs: 3_600_000, maxDetailRecords: 1 } }, logger: silent });
    expect((await read<Rows>('fam')).data.value.records).toHaveLength(4);
    const again = await read<Rows>('fam');
    expect(fake.reads()).toBe(1);
    expect(again.data.value.records).toEqual([{ pid: 1 }]);
    expect(again.detailCap).toEqual({ limit: 1, kept: 1, omitted: 3 });
  });

  it('a family without filterRecords has no cap (null) and nothing is left out', async () => {
    const fake = fakePlugin('fam', [1, 2, 3]);
    engine = createEngine({ plugins: [fake.plugin], config: { cache: { maxDetailRecords: 0 } }, logger: silent });
    await engine.collect();
    expect(cacheStats()).toMatchObject({ maxDetailRecords: null, detailRecordsOmitted: 0 });
  });

  it('the estimate follows the records: 120 B + 40 B per { pid } record, per family and in total', async () => {
    const small = fakePlugin<Rows>('small', rows(10));
    const big = fakePlugin<Rows>('big', rows(1000));
    engine = createEngine({ plugins: [withRecords(small, 'small'), withRecords(big, 'big')], logger: silent });
    await engine.collect();
    // { value: { records: [...] }, read } : 40 + 32 + (48 + 8 n) + n × 32 bytes.
    const bytes = Object.fromEntries(engine.stats().collectors.map((c) => [c.family, c.cache.estimatedBytes]));
    expect(bytes).toEqual({ small: 120 + 40 * 10, big: 120 + 40 * 1000 });
    expect(engine.stats().cache.estimatedBytes).toBe(bytes.small! + bytes.big!);
    // A cap of 100 records keeps the big family's estimate at 100 records.
    await engine.close();
    engine = createEngine({ plugins: [withRecords(fakePlugin<Rows>('big', rows(1000)), 'big')], config: { cache: { maxDetailRecords: 100 } }, logger: silent });
    await engine.collect();
    expect(cacheStats().estimatedBytes).toBe(120 + 40 * 100);
  });
});
