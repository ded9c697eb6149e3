// readIteratorInto: an iterator read into a buffer the caller reuses.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AttachFailed, ConfigError } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { readdirSync } from 'node:fs';
import { BpfObject, IteratorTable, decodeRecords } from './index.js';

describeKernel('readIteratorInto (iter_task.bpf.o)', () => {
  let obj: BpfObject;
  beforeAll(async () => {
    obj = BpfObject.open(fixture('iter_task.bpf.o'));
    await obj.load();
  });
  afterAll(() => obj.close());

  it('reads into the given buffer when the output fits, and again into the same one', async () => {
    const into = new Uint8Array(4 << 20);
    const first = await obj.readIteratorInto('iter_task', into);
    expect(first.buffer).toBe(into.buffer);
    expect(first.length % 56).toBe(0);
    const records = decodeRecords(first, obj.structLayout('iter_task_rec'));
    expect(records.some((r) => r.tgid === process.pid && r.pid === process.pid)).toBe(true);
    const second = await obj.readIteratorInto('iter_task', into);
    expect(second.buffer).toBe(into.buffer);
    expect(second.length / 56).toBeGreaterThan(10);
  });

  it('moves output that does not fit to a new buffer, whole', async () => {
    const small = new Uint8Array(112);
    const out = await obj.readIteratorInto('iter_task', small);
    expect(out.buffer).not.toBe(small.buffer);
    expect(out.length % 56).toBe(0);
    expect(out.length / 56).toBeGreaterThan(10);
    const tids = decodeRecords(out, obj.structLayout('iter_task_rec')).map((r) => r.pid as number);
    expect(new Set(tids).size).toBe(tids.length);
  });

  it('refuses a view that is not a whole buffer, and a program that is not an iterator', async () => {
    await expect(obj.readIteratorInto('iter_task', new Uint8Array(1024).subarray(8))).rejects.toBeInstanceOf(ConfigError);
    const maps = BpfObject.open(fixture('maps.bpf.o'));
    await maps.load();
    await expect(maps.readIteratorInto('test_switch', new Uint8Array(64))).rejects.toBeInstanceOf(AttachFailed);
    maps.close();
  });
});

describeKernel('readIteratorIntoSync and IteratorTable (iter_task.bpf.o)', () => {
  let obj: BpfObject;
  beforeAll(async () => {
    obj = BpfObject.open(fixture('iter_task.bpf.o'));
    await obj.load();
    await obj.readIteratorInto('iter_task', new Uint8Array(1 << 20)); // the pool's threads exist from here on
  });
  afterAll(() => obj.close());

  /** This process's thread IDs in an output, sorted. */
  const ownThreads = (out: Uint8Array): number[] =>
    decodeRecords(out, obj.structLayout('iter_task_rec'))
      .filter((r) => r.tgid === process.pid)
      .map((r) => r.pid as number)
      .sort((a, b) => a - b);
  const taskDir = (): number[] => readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b);

  it('reads on the calling thread every thread of this process, into the given buffer', () => {
    const into = new Uint8Array(4 << 20);
    const before = taskDir();
    const out = obj.readIteratorIntoSync('iter_task', into);
    const after = taskDir();
    expect(out.buffer).toBe(into.buffer);
    expect(out.length % 56).toBe(0);
    // Node makes no thread while this synchronous test runs: the three lists agree.
    expect(before).toEqual(after);
    expect(ownThreads(out)).toEqual(before);
  });

  it('moves output that does not fit to a new buffer, whole, and refuses bad input by throwing', async () => {
    const small = new Uint8Array(112);
    const out = obj.readIteratorIntoSync('iter_task', small);
    expect(out.buffer).not.toBe(small.buffer);
    expect(ownThreads(out)).toEqual(taskDir());
    const all = decodeRecords(out, obj.structLayout('iter_task_rec')).map((r) => r.pid as number);
    expect(new Set(all).size).toBe(all.length);
    expect(() => obj.readIteratorIntoSync('iter_task', new Uint8Array(1024).subarray(8))).toThrow(ConfigError);
    const maps = BpfObject.open(fixture('maps.bpf.o'));
    await maps.load();
    expect(() => maps.readIteratorIntoSync('test_switch', new Uint8Array(64))).toThrow(AttachFailed);
    maps.close();
  });

  it('IteratorTable reads a table as small as its last output on the calling thread, a larger one on the pool', async () => {
    const size = obj.readIteratorIntoSync('iter_task', new Uint8Array(1 << 20)).length;
    const buffers: ArrayBufferLike[] = [];
    const use = (bytes: Uint8Array): number[] => {
      buffers.push(bytes.buffer);
      return ownThreads(bytes);
    };
    // Expected small: the first read is inline; the output is over the limit, so the next runs on the pool.
    const table = new IteratorTable('iter_task', { expectedBytes: 56, inlineMaxBytes: 112 });
    expect(await table.read(obj, use)).toEqual(taskDir());
    expect(table.stats()).toMatchObject({ inlineReads: 1, poolReads: 0, lastBytes: size });
    expect(await table.read(obj, use)).toEqual(taskDir());
    expect(table.stats()).toMatchObject({ inlineReads: 1, poolReads: 1 });
    // The first output did not fit (a buffer for 56 bytes): the second read had a larger buffer, kept for the third.
    expect(await table.read(obj, use)).toEqual(taskDir());
    expect(buffers[1]).not.toBe(buffers[0]);
    expect(buffers[2]).toBe(buffers[1]);
    // A limit above the table's size: inline from the second read on; unknown size: the first read on the pool.
    const roomy = new IteratorTable('iter_task', { inlineMaxBytes: size * 4 });
    expect(roomy.inlineNext).toBe(false);
    for (let i = 0; i < 3; i++) expect(await roomy.read(obj, use)).toEqual(taskDir());
    expect(roomy.stats()).toMatchObject({ inlineReads: 2, poolReads: 1 });
    expect(roomy.inlineNext).toBe(true);
    // Told where: tables read together run where all of them can.
    expect(await roomy.read(obj, use, 'pool')).toEqual(taskDir());
    expect(roomy.stats()).toMatchObject({ inlineReads: 2, poolReads: 2 });
    const told = new IteratorTable('iter_task', { inlineMaxBytes: 0 });
    expect(await told.read(obj, use, 'inline')).toEqual(taskDir());
    expect(told.stats()).toMatchObject({ inlineReads: 1, poolReads: 0 });
  });

  it('IteratorTable gives two reads at once complete outputs of their own', async () => {
    const table = new IteratorTable('iter_task', { inlineMaxBytes: 0 });
    const seen: ArrayBufferLike[] = [];
    const use = (bytes: Uint8Array): number[] => {
      seen.push(bytes.buffer);
      return ownThreads(bytes);
    };
    const [a, b] = await Promise.all([table.read(obj, use), table.read(obj, use)]);
    expect(seen[0]).not.toBe(seen[1]);
    expect(a).toEqual(taskDir());
    expect(b).toEqual(taskDir());
    expect(table.stats()).toMatchObject({ inlineReads: 0, poolReads: 1 });
    // A read from inside another's use: the buffer is lent, so it gets one of its own. (The
    // table fits in the first buffer: the outer read's output is in the kept buffer itself.)
    const inline = new IteratorTable('iter_task', { expectedBytes: 1 << 16 });
    const nested = await inline.read(obj, (outer) => {
      const copy = outer.slice();
      return inline.read(obj, (inner) => {
        expect(inner.buffer).not.toBe(outer.buffer);
        return Buffer.compare(copy, outer);
      });
    });
    expect(nested).toBe(0);
    expect(inline.stats()).toMatchObject({ inlineReads: 1, poolReads: 0, bufferBytes: (1 << 16) + (1 << 14) });
    // An async use keeps the buffer until its promise settles: the output, decoded only then, is still this process's threads.
    let release = (): void => undefined;
    const held = inline.read(obj, (bytes) => new Promise<number[]>((resolve) => (release = () => resolve(ownThreads(bytes)))));
    await new Promise((r) => setImmediate(r));
    expect(inline.stats().bufferBytes).toBe(0);
    release();
    expect(await held).toEqual(taskDir());
    expect(inline.stats().bufferBytes).toBe((1 << 16) + (1 << 14));
    expect(() => new IteratorTable('iter_task', { inlineMaxBytes: -1 })).toThrow(ConfigError);
    expect(() => new IteratorTable('iter_task', { expectedBytes: 1.5 })).toThrow(ConfigError);
  });
});
