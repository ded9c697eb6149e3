import { describe, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { btf, info, INT } from '../test/btf-builder.js';
import { KIND, parseBtf, typeName } from './btf-parse.js';

describe('typeName on corrupt BTF', () => {
  it('names an array of arrays', () => {
    const types = parseBtf(btf([INT, [0, info(KIND.ARRAY), 0, 1, 1, 4], [0, info(KIND.ARRAY), 0, 2, 1, 3]]), 'ok');
    expect(typeName(types, 3)).toBe('int[3][4]');
  });

  // Found by the parser fuzz test (seed 637784782 case 16908: a pointer's info turned into a
  // struct's shifted the records so that an array became its own element): the walk over the
  // array's dimensions never ended and grew its string until the heap ran out.
  it('an array that is its own element: LoadFailed, not an endless walk', () => {
    const types = parseBtf(btf([INT, [0, info(KIND.ARRAY), 0, 2, 1, 4]]), 'cyclic');
    expect(() => typeName(types, 2)).toThrow(LoadFailed);
    expect(() => typeName(types, 2)).toThrow(/its \.BTF section is corrupt: type 2 is an array of arrays more than 32 deep \(a cycle\?\)/);
  });
});
