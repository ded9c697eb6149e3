import { describe, expect, it } from 'vitest';
import { IntIndex } from './int-index.js';

describe('IntIndex', () => {
  it('numbers keys in insertion order, finds them again, and forgets them at clear', () => {
    const ix = new IntIndex(4);
    expect([ix.add(4242), ix.add(7), ix.add(4242), ix.add(0)]).toEqual([0, 1, 0, 2]);
    expect([ix.get(7), ix.get(0), ix.get(8)]).toEqual([1, 2, -1]);
    expect(ix.size).toBe(3);
    ix.clear();
    expect([ix.size, ix.get(4242), ix.get(7)]).toEqual([0, -1, -1]);
    expect(ix.add(7)).toBe(0);
  });
  it('grows past its capacity and agrees with a Map over many keys and clears', () => {
    const ix = new IntIndex(2);
    for (let round = 0; round < 3; round++) {
      ix.clear();
      const ref = new Map<number, number>();
      for (let i = 0; i < 5000; i++) {
        const key = (i * 7919 + round * 31) % 4_194_304;
        if (!ref.has(key)) ref.set(key, ref.size);
        expect(ix.add(key)).toBe(ref.get(key));
      }
      expect(ix.size).toBe(ref.size);
      for (const [k, r] of ref) expect(ix.get(k)).toBe(r);
      expect(ix.get(4_194_305)).toBe(-1);
    }
  });
});
