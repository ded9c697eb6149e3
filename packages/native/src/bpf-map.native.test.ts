import { afterAll, beforeAll, expect, it } from 'vitest';
import { Closed, MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture, readU64, u32 } from '../test/helpers.js';
import { BpfObject, MapUpdateFlags, possibleCpus, type BpfMap } from './index.js';

const ENTRIES = 100_000; // TEST_HASH_ENTRIES in bpf/test/maps.h

/** struct test_value { u64 count; u64 sum; } */
function testValue(count: number, sum: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(count), true);
  v.setBigUint64(8, BigInt(sum), true);
  return b;
}
const expectedSum = (k: number): number => k * 3 + 7;

function expectMapError(fn: () => unknown): MapOperationFailed {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MapOperationFailed);
    return e as MapOperationFailed;
  }
  throw new Error('expected MapOperationFailed');
}

describeKernel('BpfMap against the kernel', () => {
  let obj: BpfObject;
  let hash: BpfMap;

  beforeAll(async () => {
    obj = BpfObject.open(fixture('maps.bpf.o'));
    await obj.load();
    hash = obj.map('test_hash');
  });
  afterAll(() => obj.close());

  it('lookup, update with flags and delete round-trip one entry', () => {
    expect(hash.lookup(u32(7))).toBeUndefined();
    hash.update(u32(7), testValue(1, 2));
    expect(Array.from(hash.lookup(u32(7)) ?? [])).toEqual(Array.from(testValue(1, 2)));
    const exists = expectMapError(() => hash.update(u32(7), testValue(3, 4), MapUpdateFlags.NOEXIST));
    expect(exists.errno).toBe(17); // EEXIST
    const missing = expectMapError(() => hash.update(u32(8), testValue(3, 4), MapUpdateFlags.EXIST));
    expect(missing.errno).toBe(2); // ENOENT
    expect(hash.delete(u32(7))).toBe(true);
    expect(hash.delete(u32(7))).toBe(false);
    expect(hash.lookup(u32(7))).toBeUndefined();
  });

  it('refuses wrong key and value sizes with MapOperationFailed before reaching the kernel', () => {
    const key = expectMapError(() => hash.lookup(new Uint8Array(3)));
    expect(key.map).toBe('test_hash');
    expect(key.operation).toBe('lookup');
    expect(key.details).toMatchObject({ expected: 4, got: 3 });
    expectMapError(() => hash.update(u32(1), new Uint8Array(15)));
    expectMapError(() => hash.delete(new Uint8Array(8)));
    expectMapError(() => hash.update(u32(1), testValue(1, 1), 99));
  });

  it('refuses an unknown map name with MapOperationFailed (open) listing the known maps', () => {
    const e = expectMapError(() => obj.map('test_nope'));
    expect(e.operation).toBe('open');
    expect(e.message).toContain('test_hash, test_counts, test_total, test_config, test_stats');
    expect(e.details.known).toContain('test_stats');
  });

  it('per-CPU maps take and return one 8-byte-aligned value per possible CPU', () => {
    // The object is not attached: nothing but this test writes test_stats.
    const stats = obj.map('test_stats');
    expect(stats.entrySize).toBe(8 * possibleCpus());
    const value = new Uint8Array(stats.entrySize);
    const view = new DataView(value.buffer);
    for (let cpu = 0; cpu < possibleCpus(); cpu++) view.setBigUint64(cpu * 8, BigInt(1000 + cpu), true);
    stats.update(u32(4), value);
    const perCpu = stats.lookupPerCpu(u32(4)) ?? [];
    expect(perCpu.map((v) => readU64(v))).toEqual(Array.from({ length: possibleCpus() }, (_, cpu) => BigInt(1000 + cpu)));
    const all = stats.readArray();
    expect(all.length).toBe(stats.maxEntries * stats.entrySize);
    expect(readU64(all, 4 * stats.entrySize + (possibleCpus() - 1) * 8)).toBe(BigInt(1000 + possibleCpus() - 1));
    expectMapError(() => stats.update(u32(4), new Uint8Array(8 * possibleCpus() - 1)));
    expect(expectMapError(() => hash.lookupPerCpu(u32(1))).message).toMatch(/not a per-CPU map/);
    expect(expectMapError(() => hash.readArray()).message).toMatch(/needs an array/);
  });

  it('readArray(first, count) returns exactly those keys\' values, read anew at each call; a range off the map is refused', () => {
    const stats = obj.map('test_stats');
    const value = (base: number): Uint8Array => {
      const v = new Uint8Array(stats.entrySize);
      for (let cpu = 0; cpu < possibleCpus(); cpu++) new DataView(v.buffer).setBigUint64(cpu * 8, BigInt(base + cpu), true);
      return v;
    };
    for (let k = 0; k < stats.maxEntries; k++) stats.update(u32(k), value(100 * k));
    const part = stats.readArray(2, 3);
    expect(part.length).toBe(3 * stats.entrySize);
    expect(Buffer.from(part)).toEqual(Buffer.from(stats.readArray().subarray(2 * stats.entrySize, 5 * stats.entrySize)));
    expect(readU64(part, 0)).toBe(200n);
    expect(readU64(part, 2 * stats.entrySize + (possibleCpus() - 1) * 8)).toBe(BigInt(400 + possibleCpus() - 1));
    // The first key alone (no key before it) and the last alone.
    expect(readU64(stats.readArray(0, 1), 0)).toBe(0n);
    expect(readU64(stats.readArray(stats.maxEntries - 1, 1), 0)).toBe(BigInt(100 * (stats.maxEntries - 1)));
    stats.update(u32(3), value(7000));
    expect(readU64(stats.readArray(2, 3), stats.entrySize)).toBe(7000n);
    expect(stats.readArray(1, 0).length).toBe(0);
    for (const [first, count] of [[-1, 1], [0, stats.maxEntries + 1], [stats.maxEntries, 1], [1.5, 1]] as const) {
      expect(expectMapError(() => stats.readArray(first, count)).details).toMatchObject({ first, count, maxEntries: stats.maxEntries });
    }
  });

  it('a batch lookup of 100,000 entries returns every entry exactly once with its value', async () => {
    for (let k = 0; k < ENTRIES; k++) hash.update(u32(k), testValue(k, expectedSum(k)));
    const batch = await hash.lookupBatch();
    expect(batch.method).toBe('batch');
    expect(batch.count).toBe(ENTRIES);
    expect(batch.keys.buffer).toBe(batch.values.buffer); // one crossing, one buffer
    expect(batch.keys.length).toBe(ENTRIES * 4);
    expect(batch.values.length).toBe(ENTRIES * 16);
    const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
    const values = new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
    const seen = new Uint8Array(ENTRIES);
    let mismatches = 0;
    for (let i = 0; i < batch.count; i++) {
      const k = keys.getUint32(i * 4, true);
      expect(k).toBeLessThan(ENTRIES);
      seen[k] = (seen[k] ?? 0) + 1;
      if (values.getBigUint64(i * 16, true) !== BigInt(k) || values.getBigUint64(i * 16 + 8, true) !== BigInt(expectedSum(k))) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(seen.every((n) => n === 1)).toBe(true);
  });

  it('a full hash refuses a new key with E2BIG', () => {
    const e = expectMapError(() => hash.update(u32(ENTRIES + 1), testValue(0, 0)));
    expect(e.errno).toBe(7);
    expect(e.message).toMatch(/full/);
  });

  it('a batch lookup of a per-CPU array has one entry per index', async () => {
    const batch = await obj.map('test_counts').lookupBatch();
    expect(batch.count).toBe(2);
    expect(Array.from(batch.keys)).toEqual([...u32(0), ...u32(1)]);
    expect(batch.values.length).toBe(2 * 8 * possibleCpus());
  });

  it('map operations before load fail with MapOperationFailed', async () => {
    const fresh = BpfObject.open(fixture('maps.bpf.o'));
    try {
      const e = expectMapError(() => fresh.map('test_total').lookup(u32(0)));
      expect(e.message).toMatch(/load the object first/);
      const rejected: unknown = await fresh.map('test_hash').lookupBatch().catch((err: unknown) => err);
      expect(rejected).toBeInstanceOf(MapOperationFailed);
    } finally {
      fresh.close();
    }
  });

  it('closing while a batch read runs lets the read finish, then the map is closed', async () => {
    const other = BpfObject.open(fixture('maps.bpf.o'));
    await other.load();
    const big = other.map('test_hash');
    for (let k = 0; k < 20_000; k++) big.update(u32(k), testValue(k, 0));
    const reading = big.lookupBatch();
    other.close();
    const batch = await reading;
    expect(batch.count).toBe(20_000);
    expect(() => big.lookup(u32(0))).toThrow(Closed);
  });
});
