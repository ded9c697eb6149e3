// Key walks, batch writes and deletes, lookup-and-delete and per-CPU values on
// each common map type, written and read from user space (map_types.bpf.o,
// not attached: nothing else writes these maps).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture, readU64 } from '../test/helpers.js';
import { u32le } from '../test/workload.js';
import { BpfObject, MapUpdateFlags, decodeRecords, possibleCpus, type BpfMap } from './index.js';

/** n packed u32 keys from `first`. */
function keys(n: number, first = 0): Uint8Array {
  const out = new Uint8Array(n * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) view.setUint32(i * 4, first + i, true);
  return out;
}

/** n packed struct mt_value { u64 count; u64 sum; } with count = key, sum = key * 5 + 1. */
function mtValues(n: number, first = 0): Uint8Array {
  const out = new Uint8Array(n * 16);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    view.setBigUint64(i * 16, BigInt(first + i), true);
    view.setBigUint64(i * 16 + 8, BigInt((first + i) * 5 + 1), true);
  }
  return out;
}

/** A per-CPU u64 value: CPU c holds base + c. */
function perCpuU64(base: number): Uint8Array {
  const out = new Uint8Array(8 * possibleCpus());
  const view = new DataView(out.buffer);
  for (let c = 0; c < possibleCpus(); c++) view.setBigUint64(c * 8, BigInt(base + c), true);
  return out;
}

const keyOf = (k: Uint8Array): number => new DataView(k.buffer, k.byteOffset, 4).getUint32(0, true);

async function rejection(p: Promise<unknown>): Promise<MapOperationFailed> {
  const e: unknown = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(MapOperationFailed);
  return e as MapOperationFailed;
}

describeKernel('map operations on each map type (map_types.bpf.o)', () => {
  let obj: BpfObject;
  beforeEach(async () => {
    obj = BpfObject.open(fixture('map_types.bpf.o'));
    await obj.load();
  });
  afterEach(() => obj.close());

  it('hash: a batch write, key walks, a decoded batch read, batch deletes and a lookup-and-delete agree entry by entry', async () => {
    const hash = obj.map('mt_hash');
    expect(await hash.updateBatch(keys(3000), mtValues(3000))).toBe(3000);

    const walked = [...hash.keys()].map(keyOf).sort((a, b) => a - b);
    expect(walked).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    let entries = 0;
    for (const [k, v] of hash.entries()) {
      const key = keyOf(k);
      expect(readU64(v, 0)).toBe(BigInt(key));
      expect(readU64(v, 8)).toBe(BigInt(key * 5 + 1));
      entries++;
    }
    expect(entries).toBe(3000);

    const batch = await hash.lookupBatch();
    const values = decodeRecords(batch.values, hash.valueLayout());
    expect(values).toHaveLength(3000);
    values.forEach((v, i) => {
      const key = keyOf(batch.keys.subarray(i * 4));
      expect(v).toEqual({ count: BigInt(key), sum: BigInt(key * 5 + 1) });
    });

    expect(await hash.deleteBatch(keys(1000))).toBe(1000);
    expect([...hash.keys()]).toHaveLength(2000);
    // An absent key stops the kernel; how far it got is reported, nothing is lost silently.
    const absent = await rejection(hash.deleteBatch(keys(10, 995))); // 995..999 are gone already
    expect(absent.errno).toBe(2);
    expect(absent.details).toMatchObject({ processed: 0, requested: 10 });
    const partly = await rejection(hash.deleteBatch([u32le(1000), u32le(1001), u32le(5)]));
    expect(partly.details).toMatchObject({ processed: 2, requested: 3 });
    expect(hash.lookup(u32le(1000))).toBeUndefined();

    // The kernel applies no per-entry NOEXIST/EXIST in batches: refused before the call.
    expect((await rejection(hash.updateBatch(keys(2, 2000), mtValues(2, 2000), MapUpdateFlags.NOEXIST))).message).toMatch(/only ANY or LOCK/);
    // A full map stops the batch; the entries written before that are counted.
    const room = hash.maxEntries - 1998;
    const full = await rejection(hash.updateBatch(keys(room + 10, 10_000), mtValues(room + 10, 10_000)));
    expect(full.errno).toBe(7);
    expect(full.message).toMatch(/full/);
    expect(full.details).toMatchObject({ processed: room, requested: room + 10 });
    expect([...hash.keys()]).toHaveLength(hash.maxEntries);

    const drained = await hash.lookupAndDeleteBatch();
    expect(drained.count).toBe(hash.maxEntries);
    expect(new Set(Array.from({ length: drained.count }, (_, i) => keyOf(drained.keys.subarray(i * 4)))).size).toBe(hash.maxEntries);
    expect([...hash.keys()]).toHaveLength(0);
    expect((await hash.lookupAndDeleteBatch()).count).toBe(0);
  });

  it('hash: a chunked read streams every entry exactly once, in chunks of at most the size asked, and stops when the loop is left', async () => {
    const hash = obj.map('mt_hash');
    expect(await hash.updateBatch(keys(4000), mtValues(4000))).toBe(4000);
    const seen = new Map<number, bigint>();
    let chunks = 0;
    const records: Record<string, unknown>[] = [];
    for await (const chunk of hash.lookupBatches({ chunkEntries: 512 })) {
      chunks++;
      expect(chunk.count).toBeLessThanOrEqual(512 + 64); // a chunk ends at a hash bucket boundary
      expect(chunk.keys.buffer).toBe(chunk.values.buffer);
      for (let i = 0; i < chunk.count; i++) {
        const key = keyOf(chunk.keys.subarray(i * 4));
        expect(seen.has(key)).toBe(false);
        seen.set(key, readU64(chunk.values, i * 16 + 8));
      }
      decodeRecords(chunk.values, hash.valueLayout(), { into: records });
    }
    expect(chunks).toBeGreaterThanOrEqual(4000 / (512 + 64));
    expect(seen.size).toBe(4000);
    for (const [key, sum] of seen) expect(sum).toBe(BigInt(key * 5 + 1));
    expect(records).toHaveLength(4000);

    let taken = 0;
    for await (const chunk of hash.lookupBatches({ chunkEntries: 100 })) {
      taken += chunk.count;
      break;
    }
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThan(4000);
    const bad: unknown = await hash.lookupBatches({ chunkEntries: 0 }).next().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(MapOperationFailed);
    // A map type without batch lookups is walked key by key, in one chunk.
    const stacks = obj.map('mt_stacks');
    const parts = [];
    for await (const chunk of stacks.lookupBatches({ chunkEntries: 8 })) parts.push(chunk);
    expect(parts.every((p) => p.method === 'iterate')).toBe(true);
  });

  it('hash: batch writes take arrays of keys and values too, and refuse mismatched sizes before the kernel', async () => {
    const hash = obj.map('mt_hash');
    expect(await hash.updateBatch([u32le(1), u32le(2)], [mtValues(1, 1), mtValues(1, 2)])).toBe(2);
    expect(readU64(hash.lookup(u32le(2)) ?? new Uint8Array(16), 8)).toBe(11n);
    expect((await rejection(hash.updateBatch(keys(2), mtValues(3)))).message).toMatch(/2 keys but 3 values/);
    expect((await rejection(hash.updateBatch(new Uint8Array(6), mtValues(1)))).message).toMatch(/not a whole number of 4-byte keys/);
    expect((await rejection(hash.updateBatch(keys(1), mtValues(1), 99))).message).toMatch(/flags 99/);
    expect(await hash.updateBatch(new Uint8Array(0), new Uint8Array(0))).toBe(0);
  });

  it('array: batch writes and reads by index; deletes and lookup-and-delete are refused', async () => {
    const array = obj.map('mt_array');
    const values = new Uint8Array(4 * 8);
    const view = new DataView(values.buffer);
    for (let i = 0; i < 4; i++) view.setBigUint64(i * 8, BigInt(100 + i), true);
    expect(await array.updateBatch(keys(4), values)).toBe(4);
    expect(Buffer.from(array.readArray())).toEqual(Buffer.from(values));
    expect([...array.keys()].map(keyOf)).toEqual([0, 1, 2, 3]);
    const batch = await array.lookupBatch();
    expect(batch.count).toBe(4);
    expect(Buffer.from(batch.values)).toEqual(Buffer.from(values));
    expect((await rejection(array.deleteBatch(keys(1)))).details).toMatchObject({ processed: 0 });
    await rejection(array.lookupAndDeleteBatch());
    expect(() => array.valueLayout()).toThrow(/__u64 is not a struct/);
  });

  it('LRU hash: writing past capacity evicts old entries instead of failing', async () => {
    const lru = obj.map('mt_lru');
    const n = lru.maxEntries * 4;
    for (let first = 0; first < n; first += 64) {
      const v = new Uint8Array(64 * 8);
      expect(await lru.updateBatch(keys(64, first), v)).toBe(64);
    }
    const held = [...lru.keys()].map(keyOf);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(lru.maxEntries);
    expect(held.every((k) => k < n)).toBe(true);
    expect(lru.lookup(u32le(n - 1))).toBeDefined(); // the newest survives
    expect((await lru.lookupAndDeleteBatch()).count).toBe(held.length);
  });

  it('per-CPU array and hash: one value per CPU in, the same per CPU and summed out', async () => {
    const cpus = possibleCpus();
    const sum = (base: number): bigint => BigInt(base * cpus + (cpus * (cpus - 1)) / 2);
    const array: BpfMap = obj.map('mt_pcpu_array');
    array.update(u32le(1), perCpuU64(1000));
    expect(array.lookupPerCpuSum(u32le(1))).toBe(sum(1000));
    expect(array.lookupPerCpu(u32le(1))?.map((v) => readU64(v))).toEqual(Array.from({ length: cpus }, (_, c) => BigInt(1000 + c)));

    const hash = obj.map('mt_pcpu_hash');
    const values = new Uint8Array(3 * hash.entrySize);
    for (let i = 0; i < 3; i++) values.set(perCpuU64(10 * i), i * hash.entrySize);
    expect(await hash.updateBatch(keys(3, 7), values)).toBe(3);
    for (let i = 0; i < 3; i++) expect(hash.lookupPerCpuSum(u32le(7 + i))).toBe(sum(10 * i));
    expect(hash.lookupPerCpuSum(u32le(99))).toBeUndefined();
    const drained = await hash.lookupAndDeleteBatch();
    expect(drained.count).toBe(3);
    expect(drained.values.length).toBe(3 * hash.entrySize);
    for (let i = 0; i < 3; i++) {
      const key = keyOf(drained.keys.subarray(i * 4));
      let total = 0n;
      for (let c = 0; c < cpus; c++) total += readU64(drained.values, i * hash.entrySize + c * 8);
      expect(total).toBe(sum(10 * (key - 7)));
    }
    expect(() => obj.map('mt_hash').lookupPerCpuSum(u32le(1))).toThrow(/needs a per-CPU map of 8-byte counters/);
  });
});
