import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { fixture } from '../test/helpers.js';
import { readStructLayouts, requireStruct } from './btf-layout.js';
import { elfSection } from './elf-check.js';

const maps = readFileSync(fixture('maps.bpf.o'));

describe('readStructLayouts', () => {
  it('reads struct test_value (bpf/test/maps.h) from the object BTF', () => {
    const layouts = readStructLayouts(maps, 'maps.bpf.o');
    expect(layouts.get('test_value')).toEqual({
      name: 'test_value',
      size: 16,
      fields: { count: { offset: 0, size: 8, kind: 'uint', type: '__u64' }, sum: { offset: 8, size: 8, kind: 'uint', type: '__u64' } },
      source: 'maps.bpf.o',
    });
  });

  it('resolves typedef chains and pointers (task_struct.tgid is a pid_t, .real_parent a pointer)', () => {
    const task = readStructLayouts(maps).get('task_struct');
    expect(task?.fields.tgid?.size).toBe(4);
    expect(task?.fields.real_parent?.size).toBe(8);
    expect(task?.fields.comm?.size).toBe(16); // char comm[16]
  });

  it('requireStruct accepts matching sizes and names the drift otherwise', () => {
    const layouts = readStructLayouts(maps, 'maps.bpf.o');
    expect(requireStruct(layouts, 'test_value', { count: 8, sum: 8 }).size).toBe(16);
    expect(() => requireStruct(layouts, 'test_value', { count: 4 })).toThrow(/struct test_value field count is 8 bytes; the decoder reads 4/);
    expect(() => requireStruct(layouts, 'test_value', { total: 8 })).toThrow(/struct test_value has no field total/);
    expect(() => requireStruct(layouts, 'no_such_struct', {})).toThrow(LoadFailed);
  });

  it('refuses an object without BTF and a corrupt BTF section with LoadFailed', () => {
    expect(() => readStructLayouts(Buffer.from('not elf at all, not elf at all, not elf at all, not elf at all!!'))).toThrow(LoadFailed);
    const corrupt = Buffer.from(maps);
    const btf = elfSection(corrupt, '.BTF');
    if (!btf) throw new Error('fixture has no .BTF');
    btf[0] = 0; // magic
    expect(() => readStructLayouts(corrupt, 'corrupt')).toThrow(/corrupt: bad magic/);
    // Rename the section in the section name table (clang stores ".BTF" as the
    // tail of ".rel.BTF"): the object then has no .BTF section.
    const noBtf = Buffer.from(maps);
    const at = noBtf.indexOf(Buffer.from('.BTF\0'));
    expect(at).toBeGreaterThan(0);
    noBtf.write('X', at + 1);
    expect(() => readStructLayouts(noBtf, 'stripped')).toThrow(/no \.BTF section/);
  });
});
