// TableBuffers: where the socket tables are read, and the buffers they are read into.
import { describe, expect, it } from 'vitest';
import type { LoadedBpfObject } from '@bpfscope/native';
import { TableBuffers } from './table-buffers.js';

type Obj = LoadedBpfObject['object'];

/**
 * An object whose iterators write `sizes[program]` bytes of `fill`, with the native read's
 * rule: output that fills the given buffer (or would overflow it) moves to a new buffer.
 */
function fakeObject(sizes: Record<string, number>, fill = 7) {
  const calls = { sync: 0, pool: 0, fresh: 0, overflows: 0 };
  const write = (program: string, into: Uint8Array | null): Uint8Array => {
    const n = sizes[program]!;
    if (into !== null && n < into.length) return into.fill(fill, 0, n).subarray(0, n);
    if (into !== null) calls.overflows++;
    return new Uint8Array(n).fill(fill);
  };
  const obj = {
    readIteratorIntoSync: (program: string, into: Uint8Array) => (calls.sync++, write(program, into)),
    readIteratorInto: async (program: string, into: Uint8Array) => (calls.pool++, write(program, into)),
    readIterator: async (program: string) => (calls.fresh++, write(program, null)),
  };
  return { obj: obj as unknown as Obj, calls, sizes };
}

const lengths = ([tcp, udp]: [Uint8Array, Uint8Array]): [number, number] => [tcp.length, udp.length];

describe('TableBuffers', () => {
  it('reads the first time on the pool, then small tables on the calling thread, large ones on the pool', async () => {
    const { obj, calls, sizes } = fakeObject({ net_iter_tcp: 1000, net_iter_udp: 100 });
    const t = new TableBuffers();
    expect(await t.read(obj, lengths)).toEqual([1000, 100]);
    expect(calls).toMatchObject({ pool: 2, sync: 0 });
    expect(await t.read(obj, lengths)).toEqual([1000, 100]);
    expect(calls).toMatchObject({ pool: 2, sync: 2 });
    sizes.net_iter_tcp = 200_000; // grew past the limit: this read is inline still, the next on the pool
    expect(await t.read(obj, lengths)).toEqual([200_000, 100]);
    expect(calls).toMatchObject({ pool: 2, sync: 4 });
    expect(await t.read(obj, lengths)).toEqual([200_000, 100]);
    expect(calls).toMatchObject({ pool: 4, sync: 4 });
    expect(t.counts()).toEqual({ inlineReads: 2, poolReads: 2 });
  });

  it('after an output outgrew its buffer, keeps one with room: a table of the same size fits from then on', async () => {
    const { obj, calls } = fakeObject({ net_iter_tcp: 500_000, net_iter_udp: 100 });
    const t = new TableBuffers();
    const seen: ArrayBufferLike[] = [];
    for (let i = 0; i < 4; i++) await t.read(obj, ([tcp]) => seen.push(tcp.buffer));
    // One overflow (the first read, into the 64 KiB buffer); the next three read into one kept buffer.
    expect(calls.overflows).toBe(1);
    expect(seen[2]).toBe(seen[1]);
    expect(seen[3]).toBe(seen[1]);
  });

  it('lends the buffers to use: a read from inside it, or while a pool read runs, gets buffers of its own', async () => {
    const { obj, calls } = fakeObject({ net_iter_tcp: 1000, net_iter_udp: 100 });
    const t = new TableBuffers();
    await t.read(obj, lengths); // sizes known: the next reads are inline
    const inner = await t.read(obj, ([tcp]) => {
      const copy = tcp.slice();
      return t.read(obj, ([tcp2]) => {
        expect(tcp2.buffer).not.toBe(tcp.buffer);
        return copy.length === tcp.length && copy.every((b, i) => b === tcp[i]);
      });
    });
    expect(await inner).toBe(true);
    expect(calls.fresh).toBe(2); // the inner read's two tables
    const big = fakeObject({ net_iter_tcp: 200_000, net_iter_udp: 100 });
    const p = new TableBuffers();
    const [a, b] = await Promise.all([p.read(big.obj, ([tcp]) => tcp.buffer), p.read(big.obj, ([tcp]) => tcp.buffer)]);
    expect(a).not.toBe(b);
    expect(big.calls).toMatchObject({ pool: 2, fresh: 2 });
  });

  it('gives the buffers back when the read fails, and when use throws', async () => {
    const { obj, calls } = fakeObject({ net_iter_tcp: 1000, net_iter_udp: 100 });
    const t = new TableBuffers();
    await t.read(obj, lengths);
    await expect(t.read(obj, () => { throw new Error('decode failed'); })).rejects.toThrow('decode failed');
    const failing = { ...obj, readIteratorIntoSync: () => { throw new Error('read failed'); } } as unknown as Obj;
    await expect(t.read(failing, lengths)).rejects.toThrow('read failed');
    expect(await t.read(obj, lengths)).toEqual([1000, 100]);
    expect(calls.fresh).toBe(0); // every read had the kept buffers
  });
});
