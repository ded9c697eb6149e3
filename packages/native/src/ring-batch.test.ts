import { describe, expect, it } from 'vitest';
import { RingBatch } from './ring-batch.js';

// The layout src/native/ring_buffer.cc writes: records padded to 8 bytes, then
// count x u32 {offset, size, map position}.
function layout(records: { map: number; bytes: number[] }[]): { buffer: ArrayBuffer; indexOffset: number } {
  const padded = records.map((r) => Math.ceil(r.bytes.length / 8) * 8);
  const indexOffset = padded.reduce((a, b) => a + b, 0);
  const buffer = new ArrayBuffer(indexOffset + records.length * 12);
  const bytes = new Uint8Array(buffer);
  const index = new Uint32Array(buffer, indexOffset, records.length * 3);
  let at = 0;
  records.forEach((r, i) => {
    bytes.set(r.bytes, at);
    index.set([at, r.bytes.length, r.map], i * 3);
    at += padded[i] ?? 0;
  });
  return { buffer, indexOffset };
}

describe('RingBatch', () => {
  const records = [
    { map: 0, bytes: [1, 2, 3] },
    { map: 1, bytes: [10, 11, 12, 13, 14, 15, 16, 17, 18] },
    { map: 0, bytes: [] },
  ];
  const { buffer, indexOffset } = layout(records);
  const batch = new RingBatch(buffer, records.length, indexOffset, ['rb_a', 'rb_b']);

  it('reads each record as a view into the one buffer, with its map name', () => {
    expect(batch.length).toBe(3);
    expect(batch.toArray().map((r) => ({ map: r.map, bytes: Array.from(r.data) }))).toEqual([
      { map: 'rb_a', bytes: [1, 2, 3] },
      { map: 'rb_b', bytes: [10, 11, 12, 13, 14, 15, 16, 17, 18] },
      { map: 'rb_a', bytes: [] },
    ]);
    expect(batch.data(1).buffer).toBe(buffer);
    expect([batch.offset(0), batch.offset(1), batch.offset(2)]).toEqual([0, 8, 24]);
    expect([batch.size(0), batch.size(1), batch.size(2)]).toEqual([3, 9, 0]);
    expect(batch.view.byteLength).toBe(indexOffset);
    expect(batch.view.getUint8(batch.offset(1) + 8)).toBe(18);
  });

  it('refuses record numbers out of range', () => {
    for (const i of [-1, 3, 1.5, Number.NaN]) expect(() => batch.data(i)).toThrow(RangeError);
  });

  it('an empty batch has no records', () => {
    const empty = new RingBatch(new ArrayBuffer(0), 0, 0, ['rb_a']);
    expect([...empty]).toEqual([]);
  });
});
