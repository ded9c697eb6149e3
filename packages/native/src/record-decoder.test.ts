import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import type { StructLayout } from './btf-layout.js';
import { createRecordDecoder, decodeRecords } from './record-decoder.js';

// struct sample { u8 a; s16 b; u32 c; u64 d; s64 e; char name[8]; u16 arr[3]; bool ok; struct { u32 x; } inner; }
const inner: StructLayout = { name: 'inner', size: 4, source: 'test', fields: { x: { offset: 0, size: 4, kind: 'uint', type: '__u32' } } };
const sample: StructLayout = {
  name: 'sample',
  size: 48,
  source: 'test',
  fields: {
    a: { offset: 0, size: 1, kind: 'uint', type: '__u8' },
    b: { offset: 2, size: 2, kind: 'int', type: '__s16' },
    c: { offset: 4, size: 4, kind: 'uint', type: '__u32' },
    d: { offset: 8, size: 8, kind: 'uint', type: '__u64' },
    e: { offset: 16, size: 8, kind: 'int', type: '__s64' },
    name: { offset: 24, size: 8, kind: 'string', type: 'char[8]', length: 8 },
    arr: { offset: 32, size: 6, kind: 'array', type: '__u16[3]', length: 3, element: { offset: 0, size: 2, kind: 'uint', type: '__u16' } },
    ok: { offset: 38, size: 1, kind: 'bool', type: 'bool' },
    inner: { offset: 40, size: 4, kind: 'struct', type: 'struct inner', layout: inner },
    blob: { offset: 44, size: 4, kind: 'bytes', type: 'union u' },
  },
};

function encode(i: number, d: bigint, e: bigint, name: string): Uint8Array {
  const b = new Uint8Array(48);
  const v = new DataView(b.buffer);
  v.setUint8(0, 200 + i);
  v.setInt16(2, -300 - i, true);
  v.setUint32(4, 0xfffffff0 + i, true);
  v.setBigUint64(8, d, true);
  v.setBigInt64(16, e, true);
  b.set(new TextEncoder().encode(name).subarray(0, 8), 24);
  [7, 8, 9].forEach((x, k) => v.setUint16(32 + k * 2, x + i, true));
  v.setUint8(38, i % 2);
  v.setUint32(40, 42 + i, true);
  b.set([1, 2, 3, 4], 44);
  return b;
}

describe('decodeRecords', () => {
  const bytes = new Uint8Array(96);
  bytes.set(encode(0, 2n ** 64n - 1n, -(2n ** 62n), 'héllo'), 0);
  bytes.set(encode(1, 12345n, -5n, 'exactly8'), 48);

  it('decodes every kind of member, u64 as bigint by default', () => {
    const [r0, r1] = decodeRecords(bytes, sample);
    expect(r0).toEqual({ a: 200, b: -300, c: 0xfffffff0, d: 2n ** 64n - 1n, e: -(2n ** 62n), name: 'héllo', arr: [7, 8, 9], ok: false, inner: { x: 42 }, blob: new Uint8Array([1, 2, 3, 4]) });
    expect(r1).toMatchObject({ a: 201, b: -301, d: 12345n, e: -5n, name: 'exactly8', arr: [8, 9, 10], ok: true, inner: { x: 43 } });
  });

  it('with u64: number gives numbers, and bigints only where a number would round', () => {
    const [r0, r1] = decodeRecords(bytes, sample, { u64: 'number' });
    expect(r1?.d).toBe(12345);
    expect(r1?.e).toBe(-5);
    expect(r0?.d).toBe(2n ** 64n - 1n);
    expect(r0?.e).toBe(-(2n ** 62n));
  });

  it('decodes selected fields, a stride, a count, and from an offset view', () => {
    const padded = new Uint8Array(8 + 2 * 64);
    padded.set(encode(0, 1n, 1n, 'a'), 8);
    padded.set(encode(1, 2n, 2n, 'b'), 8 + 64);
    const view = padded.subarray(8);
    expect(decodeRecords(view, sample, { stride: 64, count: 2, fields: ['name', 'c'] })).toEqual([{ name: 'a', c: 0xfffffff0 }, { name: 'b', c: 0xfffffff1 }]);
    const decode = createRecordDecoder(sample, { fields: ['inner'] });
    expect(decode(view, 64)).toEqual({ inner: { x: 43 } });
    expect(() => decode(view, 100)).toThrow(EventProcessingFailed);
  });

  it('refuses bytes that are not whole records, bad strides and counts, unknown fields and bitfields', () => {
    expect(() => decodeRecords(bytes.subarray(0, 95), sample)).toThrow(/95 bytes are not a whole number of 48-byte struct sample records/);
    expect(() => decodeRecords(bytes, sample, { stride: 40 })).toThrow(EventProcessingFailed);
    expect(() => decodeRecords(bytes, sample, { count: 3 })).toThrow(/3 records of struct sample do not fit/);
    expect(() => decodeRecords(bytes, sample, { fields: ['nope'] })).toThrow(/no member nope/);
    const withBits: StructLayout = { ...sample, fields: { flag: { offset: 0, size: 4, kind: 'uint', type: 'unsigned int', bitOffset: 3, bitSize: 1 } } };
    expect(() => decodeRecords(bytes, withBits)).toThrow(/bitfield/);
    expect(decodeRecords(new Uint8Array(0), sample)).toEqual([]);
  });

  it('cannot be made to run code through member names', () => {
    const evil: StructLayout = { name: 'evil', size: 4, source: 'test', fields: { '"}); throw new Error("injected"); ({"': { offset: 0, size: 4, kind: 'uint', type: 'u32' } } };
    const [r] = decodeRecords(new Uint8Array([1, 0, 0, 0]), evil);
    expect(Object.values(r ?? {})).toEqual([1]);
  });
});
