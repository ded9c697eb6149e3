import { describe, expect, it } from 'vitest';
import { int, u64 } from './layouts.js';

describe('int', () => {
  it('keeps every value exactly, integral or not', () => {
    for (const v of [0, 1, 4096, 2 ** 30, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, 0.5, 12.25, -3, -(2 ** 31)]) {
      expect(Object.is(int(v), v)).toBe(true);
    }
  });
});

describe('u64', () => {
  it('reads both halves little-endian', () => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, 2n ** 40n + 17n, true);
    expect(u64(view, 0)).toBe(2 ** 40 + 17);
  });
});
