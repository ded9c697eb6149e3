import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/helpers.js';
import type { StructLayout } from './btf-layout.js';
import { structLayout } from './btf-layout.js';
import { KIND, parseBtf } from './btf-parse.js';
import { elfSection } from './elf-check.js';
import { LazyStructLayouts } from './lazy-struct-layouts.js';

const btf = parseBtf(elfSection(readFileSync(fixture('maps.bpf.o')), '.BTF')!, 'maps.bpf.o');

/** What the map held before it was lazy: every named struct, built at once in type order. */
function eager(): Map<string, StructLayout> {
  const memo = new Map<number, StructLayout>();
  const out = new Map<string, StructLayout>();
  btf.types.forEach((t, id) => {
    if (t !== undefined && t.kind === KIND.STRUCT && t.name !== '' && !out.has(t.name)) out.set(t.name, structLayout(btf, id, memo));
  });
  return out;
}

/** A lazy map over the fixture's BTF that counts the layouts it builds at the top level. */
function counted(): { map: LazyStructLayouts; built: string[] } {
  const built: string[] = [];
  const map = new LazyStructLayouts(btf, (b, id, memo) => (built.push(b.types[id]!.name), structLayout(b, id, memo)));
  return { map, built };
}

describe('LazyStructLayouts', () => {
  it('builds only the struct asked for, with the same layout as before, nested structs shared', () => {
    const { map, built } = counted();
    expect(map.has('task_struct') && map.has('test_value') && !map.has('no_such_struct')).toBe(true);
    expect(built).toEqual([]);
    expect(map.get('test_value')).toEqual(eager().get('test_value'));
    expect(map.get('test_value')).toBe(map.get('test_value'));
    expect(map.get('no_such_struct')).toBeUndefined();
    expect(built).toEqual(['test_value']);
    const task = map.get('task_struct')!;
    const nested = Object.values(task.fields).find((f) => f.kind === 'struct' && f.layout?.name !== '(anonymous)')!;
    expect(map.get(nested.layout!.name)).toBe(nested.layout);
  });

  it('shows the whole map as before (size, order, entries) once it is looked at as a whole', () => {
    const all = eager();
    const { map } = counted();
    map.get('task_struct');
    expect(map.size).toBe(all.size);
    expect([...map.keys()]).toEqual([...all.keys()]);
    expect(new Map(map)).toEqual(all);
    const { map: other } = counted();
    const seen: string[] = [];
    other.forEach((_, name) => seen.push(name));
    expect(seen).toEqual([...all.keys()]);
  });
});
