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

describe('parseBtf names', () => {
  // An ASCII string section is decoded once and sliced; any other byte decodes each name on its own.
  it('reads names from an ASCII string section, the last one running to its end without a NUL', () => {
    const types = parseBtf(btf([INT, [5, info(KIND.STRUCT, 1), 4, 7, 1, 0]], '\0int\0s\0m'), 'ascii');
    expect([types.types[1]?.name, types.types[2]?.name, types.types[2]?.members[0]?.name]).toEqual(['int', 's', 'm']);
  });

  it('reads UTF-8 names when the section has a non-ASCII byte', () => {
    // '\0int\0é\0m\0': é is two bytes, so the member's name starts at byte 8.
    const types = parseBtf(btf([INT, [5, info(KIND.STRUCT, 1), 4, 8, 1, 0]], '\0int\0é\0m\0'), 'utf8');
    expect([types.types[1]?.name, types.types[2]?.name, types.types[2]?.members[0]?.name]).toEqual(['int', 'é', 'm']);
  });

  it('a name offset past the string section is corrupt BTF', () => {
    expect(() => parseBtf(btf([[40, info(KIND.INT), 4, 32]]), 'bad')).toThrow(/string offset 40 out of range/);
  });
});
