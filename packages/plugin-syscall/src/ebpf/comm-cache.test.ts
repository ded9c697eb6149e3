import { describe, expect, it } from 'vitest';
import { CommCache } from './comm-cache.js';

/** A batch-like buffer holding `names` as 16-byte NUL-padded comm fields, 24 bytes apart (at 8, 32, …). */
function batchOf(names: string[]): { view: DataView; bytes: Uint8Array; at: (i: number) => number } {
  const bytes = new Uint8Array(names.length * 24 + 8);
  names.forEach((n, i) => bytes.set(Buffer.from(n, 'utf8').subarray(0, 16), 8 + i * 24));
  return { view: new DataView(bytes.buffer), bytes, at: (i) => 8 + i * 24 };
}

describe('CommCache', () => {
  it('gives every comm exactly as decoded from its bytes, however many names share its 64 slots', () => {
    const names = Array.from({ length: 300 }, (_, i) => `worker-${i}`);
    names.push('exactly16bytes!!', 'grüße', '', 'a');
    const { view, bytes, at } = batchOf(names);
    const cache = new CommCache();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < names.length; i++) expect(cache.get(view, bytes, at(i))).toBe(names[i]);
      for (let i = names.length - 1; i >= 0; i--) expect(cache.get(view, bytes, at(i))).toBe(names[i]);
    }
  });

  it('a name seen again returns the same string without decoding it again', () => {
    const { view, bytes, at } = batchOf(['rb-producer', 'rb-producer']);
    const cache = new CommCache();
    const first = cache.get(view, bytes, at(0));
    bytes[at(0)] = 0x58; // change the first record's bytes: a new name must be decoded
    expect(cache.get(view, bytes, at(1))).toBe(first);
    expect(cache.get(view, bytes, at(0))).toBe('Xb-producer');
  });
});
