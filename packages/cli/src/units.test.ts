import { describe, expect, it } from 'vitest';
import { formatBytes, formatNs, formatNsRange } from './units.js';

describe('human units', () => {
  it.each([
    [null, '-'],
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [25_232_379_904, '23.5 GiB'],
    [3 * 1024 ** 4, '3.0 TiB'],
  ])('formatBytes(%j) is %j', (v, s) => expect(formatBytes(v)).toBe(s));

  it.each([
    [850, '850 ns'],
    [4100, '4.10 us'],
    [8_388_608, '8.39 ms'],
    [1_200_000_000, '1.20 s'],
  ])('formatNs(%j) is %j', (v, s) => expect(formatNs(v)).toBe(s));

  it('a log2 bucket shows both bounds in one unit (not "<8388.6")', () => {
    expect(formatNsRange(4_194_304, 8_388_608)).toBe('4.19-8.39 ms');
    expect(formatNsRange(134_217_728, 268_435_456)).toBe('134-268 ms');
    expect(formatNsRange(512, 1024)).toBe('512-1024 ns');
  });
});
