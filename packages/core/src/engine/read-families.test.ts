import { describe, expect, it } from 'vitest';
import { compareFamilies } from './read-families.js';

describe('compareFamilies: the order of families in a snapshot', () => {
  it('orders names of lowercase letters, digits and "-" as localeCompare does', () => {
    const names = ['syscall', 'proc', 'mem', 'cpu', 'net', 'fs', 'cpu-2', 'cpu2', 'cpu-', 'a-b', 'a0', 'ab', 'a', 'gpu-nvidia', 'z9', '9z', ''];
    const byLocale = [...names].sort((a, b) => a.localeCompare(b));
    expect([...names].sort(compareFamilies)).toEqual(byLocale);
    for (const a of names) for (const b of names) expect(Math.sign(compareFamilies(a, b))).toBe(Math.sign(a.localeCompare(b)));
  });

  it('leaves any other name to localeCompare', () => {
    for (const [a, b] of [['B', 'a'], ['a_b', 'a0'], ['Mem', 'cpu'], ['é', 'f']] as const) {
      expect(Math.sign(compareFamilies(a, b))).toBe(Math.sign(a.localeCompare(b)));
      expect(Math.sign(compareFamilies(b, a))).toBe(Math.sign(b.localeCompare(a)));
    }
  });
});
