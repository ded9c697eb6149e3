import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureFiles } from '../../../test/fuzz/fixture-files.js';
import { REPO_ROOT } from '../test/helpers.js';
import { checkBtf } from './btf-check.js';
import { KIND } from './btf-parse.js';
import { btf, info, INT, STRUCT } from '../test/btf-builder.js';
import { checkBpfElf, elfSection } from './elf-check.js';

describe('checkBtf: what libbpf 1.1 follows without checking is refused before it sees it', () => {
  it('every committed object has BTF that passes', () => {
    const objects = fixtureFiles(REPO_ROOT, ['packages/*/bpf/*.bpf.o', 'packages/native/test/fixtures/*.bpf.o']);
    expect(objects.length).toBeGreaterThan(10);
    for (const f of objects) expect(checkBpfElf(readFileSync(f)), f).toBeUndefined();
  });

  it('a sound hand-made BTF passes', () => {
    expect(checkBtf(btf([INT, STRUCT(1)]))).toBeUndefined();
  });

  // The crash the object fuzz test found (uprobe_count.bpf.o, seed 11 case 2043: a member's
  // type id 5 → 6889; libbpf 1.1 segfaulted in bpf_object__open_mem).
  it('a struct member referring to a type that does not exist', () => {
    expect(checkBtf(btf([INT, STRUCT(6889)]))).toBe('type [2] refers to type [6889], but there are 2');
  });

  it('a pointer, array, variable, prototype parameter or section variable referring past the last type', () => {
    expect(checkBtf(btf([INT, [0, info(KIND.PTR), 3]]))).toMatch(/type \[2\] refers to type \[3\]/);
    expect(checkBtf(btf([INT, [0, info(KIND.ARRAY), 0, 1, 9, 4]]))).toMatch(/type \[2\] refers to type \[9\]/);
    expect(checkBtf(btf([INT, [0, info(KIND.VAR), 0xffffffff, 1]]))).toMatch(/refers to type \[4294967295\]/);
    expect(checkBtf(btf([INT, [0, info(KIND.FUNC_PROTO, 1), 1, 0, 7]]))).toMatch(/type \[2\] refers to type \[7\]/);
    expect(checkBtf(btf([INT, [0, info(KIND.DATASEC, 1), 4, 5, 0, 4]]))).toMatch(/type \[2\] refers to type \[5\]/);
  });

  it('a name outside the string section (seed 11 case 2388: name_off 14723 → 3215026976)', () => {
    expect(checkBtf(btf([INT, STRUCT(1, 3215026976)]))).toMatch(/type \[2\]: member name offset 3215026976 is outside the strings/);
    expect(checkBtf(btf([[99, info(KIND.INT), 4, 32]]))).toMatch(/type \[1\]: name offset 99/);
  });

  it('a function whose type is not a prototype', () => {
    expect(checkBtf(btf([INT, [1, info(KIND.FUNC), 1]]))).toBe('type [2] is a function whose type [1] is not a prototype');
  });

  it('an unknown kind, a record cut off by the type section, a bad header', () => {
    expect(checkBtf(btf([[1, info(25), 4]]))).toBe('type [1] has an unknown kind 25');
    expect(checkBtf(btf([INT, [5, info(KIND.STRUCT, 3), 4, 7, 1, 0]]))).toBe('type [2] is cut off');
    expect(checkBtf(btf([INT], '\0int\0', (v) => v.setUint32(20, 999, true)))).toMatch(/string section .* runs past the end/);
    expect(checkBtf(btf([INT], '\0int\0', (v) => v.setUint32(12, 20, true)))).toMatch(/type section .* overlaps the strings/);
    expect(checkBtf(btf([INT], '\0int'))).toBe('its string section is empty, too long or not NUL-delimited');
    expect(checkBtf(btf([INT], '\0int\0', (v) => v.setUint8(2, 2)))).toBe('version 2 (expected 1)');
    expect(checkBtf(new Uint8Array(10))).toMatch(/shorter than the BTF header/);
  });

  it('checkBpfElf reports a corrupt .BTF section of an object, naming the section', () => {
    const image = Buffer.from(readFileSync(`${REPO_ROOT}/packages/native/test/fixtures/maps.bpf.o`));
    const section = elfSection(image, '.BTF')!;
    new DataView(section.buffer, section.byteOffset).setUint32(24 + 4, info(25), true); // type [1]'s kind
    expect(checkBpfElf(image)).toBe('its .BTF section is corrupt: type [1] has an unknown kind 25');
  });
});
