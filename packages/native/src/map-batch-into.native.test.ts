// Batch reads into a caller's buffer (lookupBatch / lookupAndDeleteBatch /
// lookupBatches with `into`) on the 100,000-entry test_hash of maps.bpf.o,
// which nothing but these tests writes (the object is loaded, not attached).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Closed, MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { BpfObject, decodeRecords, possibleCpus, type BpfMap, type MapBatch } from './index.js';

const ENTRIES = 100_000; // TEST_HASH_ENTRIES in bpf/test/maps.h

/** Writes every key 0..ENTRIES-1 with struct test_value { count = key, sum = sum(key) }. */
async function fill(map: BpfMap, sum: (key: number) => number): Promise<void> {
  const keys = new Uint8Array(ENTRIES * 4);
  const values = new Uint8Array(ENTRIES * 16);
  const kv = new DataView(keys.buffer);
  const vv = new DataView(values.buffer);
  for (let k = 0; k < ENTRIES; k++) {
    kv.setUint32(k * 4, k, true);
    vv.setBigUint64(k * 16, BigInt(k), true);
    vv.setBigUint64(k * 16 + 8, BigInt(sum(k)), true);
  }
  expect(await map.updateBatch(keys, values)).toBe(ENTRIES);
}

/** Adds the entries of `batch` to `seen` (key → times seen) and counts values that are not { key, sum(key) }. */
function tally(batch: MapBatch, seen: Uint8Array, sum: (key: number) => number): number {
  const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
  const values = new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
  let wrong = 0;
  for (let i = 0; i < batch.count; i++) {
    const k = keys.getUint32(i * 4, true);
    if (k >= seen.length) {
      wrong++;
      continue;
    }
    seen[k] = (seen[k] ?? 0) + 1;
    if (values.getBigUint64(i * 16, true) !== BigInt(k) || values.getBigUint64(i * 16 + 8, true) !== BigInt(sum(k))) wrong++;
  }
  return wrong;
}

const first = (k: number): number => k * 3 + 7;
const second = (k: number): number => k * 11 + 1;
const everyOnce = (seen: Uint8Array): boolean => seen.every((n) => n === 1);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describeKernel('batch reads into a caller buffer (maps.bpf.o test_hash, 100,000 entries)', () => {
  let obj: BpfObject;
  let hash: BpfMap;
  beforeEach(async () => {
    obj = BpfObject.open(fixture('maps.bpf.o'));
    await obj.load();
    hash = obj.map('test_hash');
    await fill(hash, first);
  });
  afterEach(() => obj.close());

  it('reads every entry exactly once with its value into the buffer, keys at its start and values after room for all keys', async () => {
    expect(hash.batchBytes()).toBe(ENTRIES * (4 + 16));
    const into = new Uint8Array(hash.batchBytes());
    const batch = await hash.lookupBatch({ into });
    expect(batch.count).toBe(ENTRIES);
    expect(batch.spilled).toBe(false);
    expect(batch.keys.buffer).toBe(into.buffer);
    expect(batch.values.buffer).toBe(into.buffer);
    expect(batch.keys.byteOffset).toBe(0);
    expect(batch.values.byteOffset).toBe(ENTRIES * 4);
    const seen = new Uint8Array(ENTRIES);
    expect(tally(batch, seen, first)).toBe(0);
    expect(everyOnce(seen)).toBe(true);
    const records = decodeRecords(batch.values, hash.valueLayout(), { u64: 'number' });
    expect(records).toHaveLength(ENTRIES);
    expect(records[0]?.sum).toBe(first(records[0]?.count as number));
  });

  it('a second read into the same buffer, after the values changed, gives the new values in the same buffer', async () => {
    const into = new ArrayBuffer(hash.batchBytes());
    const before = await hash.lookupBatch({ into });
    expect(before.keys.buffer).toBe(into);
    await fill(hash, second);
    const after = await hash.lookupBatch({ into });
    expect(after.keys.buffer).toBe(into);
    expect(after.spilled).toBe(false);
    const seen = new Uint8Array(ENTRIES);
    expect(tally(after, seen, second)).toBe(0);
    expect(everyOnce(seen)).toBe(true);
  });

  it('a buffer too small for the map spills: every entry comes in a new buffer, and the bytes around a view are left alone', async () => {
    const small = new Uint8Array(1000 * 20);
    const batch = await hash.lookupBatch({ into: small });
    expect(batch.spilled).toBe(true);
    expect(batch.keys.buffer).not.toBe(small.buffer);
    expect(batch.count).toBe(ENTRIES);
    const seen = new Uint8Array(ENTRIES);
    expect(tally(batch, seen, first)).toBe(0);
    expect(everyOnce(seen)).toBe(true);

    // A view inside a larger buffer: only the view's bytes are written.
    const whole = new Uint8Array(hash.batchBytes() + 64).fill(0xa5);
    const view = whole.subarray(32, 32 + hash.batchBytes());
    const inView = await hash.lookupBatch({ into: view });
    expect(inView.spilled).toBe(false);
    expect(inView.keys.byteOffset).toBe(32);
    expect(inView.values.byteOffset).toBe(32 + ENTRIES * 4);
    expect(whole.subarray(0, 32).every((b) => b === 0xa5)).toBe(true);
    expect(whole.subarray(32 + hash.batchBytes()).every((b) => b === 0xa5)).toBe(true);
    const again = new Uint8Array(ENTRIES);
    expect(tally(inView, again, first)).toBe(0);
    expect(everyOnce(again)).toBe(true);
  });

  it('lookupAndDeleteBatch into a buffer empties the map and returns every entry; into one too small, every entry still comes back', async () => {
    const into = new Uint8Array(hash.batchBytes());
    const drained = await hash.lookupAndDeleteBatch({ into });
    expect(drained.count).toBe(ENTRIES);
    expect(drained.spilled).toBe(false);
    expect(drained.keys.buffer).toBe(into.buffer);
    const seen = new Uint8Array(ENTRIES);
    expect(tally(drained, seen, first)).toBe(0);
    expect(everyOnce(seen)).toBe(true);
    expect([...hash.keys()]).toHaveLength(0);
    expect((await hash.lookupAndDeleteBatch({ into })).count).toBe(0);

    await fill(hash, second);
    const spilled = await hash.lookupAndDeleteBatch({ into: new Uint8Array(100) });
    expect(spilled.spilled).toBe(true);
    expect(spilled.count).toBe(ENTRIES);
    const again = new Uint8Array(ENTRIES);
    expect(tally(spilled, again, second)).toBe(0);
    expect(everyOnce(again)).toBe(true);
    expect([...hash.keys()]).toHaveLength(0);
  });

  it('lookupBatches into a buffer: chunks fill it one after the other without overlap; past its end they come in new buffers', async () => {
    const into = new Uint8Array(hash.batchBytes());
    const seen = new Uint8Array(ENTRIES);
    let keysEnd = 0;
    let valuesEnd = ENTRIES * 4;
    let chunks = 0;
    for await (const chunk of hash.lookupBatches({ into, chunkEntries: 7000 })) {
      chunks++;
      expect(chunk.spilled).toBe(false);
      expect(chunk.keys.buffer).toBe(into.buffer);
      expect(chunk.count).toBeLessThanOrEqual(7000);
      expect(chunk.keys.byteOffset).toBe(keysEnd);
      expect(chunk.values.byteOffset).toBe(valuesEnd);
      keysEnd += chunk.keys.byteLength;
      valuesEnd += chunk.values.byteLength;
      expect(tally(chunk, seen, first)).toBe(0);
    }
    expect(chunks).toBeGreaterThanOrEqual(ENTRIES / 7000);
    expect(everyOnce(seen)).toBe(true);

    // Room for 30,000 entries: the chunks after that spill, none is lost.
    const part = new Uint8Array(30_000 * 20);
    const again = new Uint8Array(ENTRIES);
    let inPart = 0;
    let spilled = 0;
    for await (const chunk of hash.lookupBatches({ into: part, chunkEntries: 7000 })) {
      if (chunk.spilled) {
        spilled += chunk.count;
        expect(chunk.keys.buffer).not.toBe(part.buffer);
      } else {
        inPart += chunk.count;
        expect(chunk.keys.buffer).toBe(part.buffer);
      }
      expect(tally(chunk, again, first)).toBe(0);
    }
    expect(inPart).toBeGreaterThan(0);
    expect(inPart).toBeLessThanOrEqual(30_000);
    expect(inPart + spilled).toBe(ENTRIES);
    expect(everyOnce(again)).toBe(true);
  });

  it('refuses a buffer of the wrong type, chunkEntries 0 and a second read into a buffer still being filled with MapOperationFailed', async () => {
    const bad: unknown[] = [new Uint16Array(64), new DataView(new ArrayBuffer(64)), 'buffer', 42, null, new Uint8Array(new SharedArrayBuffer(64))];
    for (const into of bad) {
      const options = { into } as unknown as { into: Uint8Array };
      expect(await rejection(hash.lookupBatch(options))).toBeInstanceOf(MapOperationFailed);
      expect(await rejection(hash.lookupAndDeleteBatch(options))).toBeInstanceOf(MapOperationFailed);
      expect(await rejection(hash.lookupBatches(options).next())).toBeInstanceOf(MapOperationFailed);
    }
    const into = new Uint8Array(hash.batchBytes());
    expect(await rejection(hash.lookupBatches({ into, chunkEntries: 0 }).next())).toBeInstanceOf(MapOperationFailed);

    const running = hash.lookupBatch({ into });
    const busy = await rejection(hash.lookupBatch({ into: into.subarray(0, 100) }));
    expect(busy).toBeInstanceOf(MapOperationFailed);
    expect((busy as Error).message).toMatch(/still running/);
    expect((await running).count).toBe(ENTRIES);
    expect((await hash.lookupBatch({ into })).count).toBe(ENTRIES); // free again once the read ended
    expect([...hash.keys()]).toHaveLength(ENTRIES); // nothing was deleted by the refused calls
  });

  it('leaving lookupBatches early waits for its job to end; the buffer is free again and the object closes', async () => {
    const into = new Uint8Array(hash.batchBytes());
    let taken = 0;
    for await (const chunk of hash.lookupBatches({ into, chunkEntries: 1000 })) {
      taken += chunk.count;
      break;
    }
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThanOrEqual(1000);
    // A read still running into `into` would be refused: the loop returned after the job ended.
    expect((await hash.lookupBatch({ into })).count).toBe(ENTRIES);
    obj.close();
    expect(await rejection(hash.lookupBatch({ into }))).toBeInstanceOf(Closed);
  });

  it('a read into a buffer that the object is closed under still completes', async () => {
    const into = new Uint8Array(hash.batchBytes());
    const reading = hash.lookupBatch({ into });
    obj.close();
    const batch = await reading;
    expect(batch.count).toBe(ENTRIES);
    expect(batch.keys.buffer).toBe(into.buffer);
  });

  it('per-CPU array: batchBytes counts a value per possible CPU, and a read into exactly that many bytes fits', async () => {
    const counts = obj.map('test_counts');
    expect(counts.batchBytes()).toBe(counts.maxEntries * (4 + 8 * possibleCpus()));
    const into = new Uint8Array(counts.batchBytes());
    const batch = await counts.lookupBatch({ into });
    expect(batch.spilled).toBe(false);
    expect(batch.count).toBe(counts.maxEntries);
    expect(Buffer.from(batch.values)).toEqual(Buffer.from((await counts.lookupBatch()).values));
  });
});
