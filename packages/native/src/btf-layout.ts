// Struct layouts read from an object's own BTF (.BTF section), so decoders
// take offsets from what clang compiled instead of counting them by hand.
import { LoadFailed } from '@bpfscope/core';
import { checkBpfElf, elfSection } from './elf-check.js';

/** One member of a struct, as compiled. */
export interface StructField {
  /** Byte offset in the struct (of the containing unit for a bitfield). */
  offset: number;
  /** Size in bytes of the member's type. */
  size: number;
  /** For bitfields: offset in bits from the start of the struct. */
  bitOffset?: number;
  /** For bitfields: width in bits. */
  bitSize?: number;
}

/** A struct of an eBPF object, from its BTF. */
export interface StructLayout {
  /** Struct name. */
  name: string;
  /** sizeof(struct). */
  size: number;
  /** Members by name (anonymous members are left out). */
  fields: Record<string, StructField>;
  /** The object it was read from (path or name), for error messages. */
  source: string;
}

const BTF_MAGIC = 0xeb9f;
const KIND = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19 } as const;

interface BtfType {
  kind: number;
  name: string;
  kindFlag: boolean;
  /** size for sized kinds, referenced type id for modifiers/typedefs/pointers. */
  sizeOrType: number;
  members: { name: string; type: number; offset: number }[];
  array?: { type: number; nelems: number };
}

/**
 * Reads every named struct of an eBPF object's BTF.
 *
 * @param image - the bytes of the .bpf.o
 * @param source - its path or name, for errors; default `eBPF object`
 * @returns struct layouts by struct name
 * @throws {@link @bpfscope/core!LoadFailed} when the image is not a sound eBPF object or has no readable .BTF section
 * @example
 * ```ts
 * const layouts = readStructLayouts(await readFile('cpu.bpf.o'), 'cpu.bpf.o');
 * const times = requireStruct(layouts, 'cpu_times', { busy_ns: 8, curr_idle: 4 });
 * view.getBigUint64(times.fields.busy_ns!.offset, true);
 * ```
 */
export function readStructLayouts(image: Uint8Array, source = 'eBPF object'): Map<string, StructLayout> {
  const problem = checkBpfElf(image);
  if (problem !== undefined) throw new LoadFailed(source, problem, '', { op: 'read BTF' });
  const btf = elfSection(image, '.BTF');
  if (btf === undefined) throw new LoadFailed(source, 'the object has no .BTF section (build it with clang -g)', '', { op: 'read BTF' });
  const types = parseBtf(btf, source);
  const out = new Map<string, StructLayout>();
  for (const t of types) {
    if (t === undefined || t.kind !== KIND.STRUCT || t.name === '' || out.has(t.name)) continue;
    const fields: Record<string, StructField> = {};
    for (const m of t.members) {
      if (m.name === '') continue;
      const bitSize = t.kindFlag ? m.offset >>> 24 : 0;
      const bitOffset = t.kindFlag ? m.offset & 0xffffff : m.offset;
      const field: StructField = { offset: Math.floor(bitOffset / 8), size: sizeOf(types, m.type, source) };
      if (bitSize !== 0 || bitOffset % 8 !== 0) Object.assign(field, { bitOffset, bitSize });
      fields[m.name] = field;
    }
    out.set(t.name, { name: t.name, size: t.sizeOrType, fields, source });
  }
  return out;
}

/**
 * One struct, checked against the fields a decoder reads: each must exist with
 * the given size. A failure means the object and the decoder have drifted apart.
 *
 * @param layouts - from {@link readStructLayouts}
 * @param name - struct name
 * @param fields - field name → expected size in bytes
 * @throws {@link @bpfscope/core!LoadFailed} naming the struct and field that does not match
 */
export function requireStruct(layouts: ReadonlyMap<string, StructLayout>, name: string, fields: Readonly<Record<string, number>>): StructLayout {
  const layout = layouts.get(name);
  const source = layout?.source ?? layouts.values().next().value?.source ?? 'eBPF object';
  if (layout === undefined) {
    throw new LoadFailed(source, `the object's BTF has no struct ${name} (structs: ${[...layouts.keys()].join(', ') || 'none'})`, '', { op: 'read BTF', details: { struct: name } });
  }
  for (const [field, size] of Object.entries(fields)) {
    const actual = layout.fields[field];
    if (actual === undefined) {
      throw new LoadFailed(source, `struct ${name} has no field ${field}`, '', { op: 'read BTF', details: { struct: name, field } });
    }
    if (actual.size !== size || actual.bitSize !== undefined) {
      throw new LoadFailed(source, `struct ${name} field ${field} is ${actual.size} bytes${actual.bitSize ? ` (a ${actual.bitSize}-bit bitfield)` : ''}; the decoder reads ${size}`, '', {
        op: 'read BTF',
        details: { struct: name, field, expected: size, actual: actual.size },
      });
    }
  }
  return layout;
}

function parseBtf(btf: Uint8Array, source: string): (BtfType | undefined)[] {
  const fail = (why: string): never => {
    throw new LoadFailed(source, `its .BTF section is corrupt: ${why}`, '', { op: 'read BTF' });
  };
  if (btf.length < 24) fail('shorter than the BTF header');
  const view = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
  if (view.getUint16(0, true) !== BTF_MAGIC) fail('bad magic');
  const hdrLen = view.getUint32(4, true);
  const typeOff = hdrLen + view.getUint32(8, true);
  const typeEnd = typeOff + view.getUint32(12, true);
  const strOff = hdrLen + view.getUint32(16, true);
  const strEnd = strOff + view.getUint32(20, true);
  if (typeEnd > btf.length || strEnd > btf.length) fail('a section runs past the end');
  const decoder = new TextDecoder();
  const str = (off: number): string => {
    const start = strOff + off;
    if (start >= strEnd) return fail(`string offset ${off} out of range`);
    let end = start;
    while (end < strEnd && btf[end] !== 0) end++;
    return decoder.decode(btf.subarray(start, end));
  };
  const types: (BtfType | undefined)[] = [undefined]; // id 0 is void
  let p = typeOff;
  const u32 = (): number => {
    if (p + 4 > typeEnd) fail('a type runs past the type section');
    const v = view.getUint32(p, true);
    p += 4;
    return v;
  };
  while (p < typeEnd) {
    const nameOff = u32();
    const info = u32();
    const sizeOrType = u32();
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    const t: BtfType = { kind, name: str(nameOff), kindFlag: info >>> 31 === 1, sizeOrType, members: [] };
    switch (kind) {
      case KIND.INT: case KIND.VAR: case KIND.DECL_TAG:
        p += 4;
        break;
      case KIND.ARRAY: {
        const type = u32();
        u32(); // index type
        t.array = { type, nelems: u32() };
        break;
      }
      case KIND.STRUCT: case KIND.UNION:
        for (let i = 0; i < vlen; i++) t.members.push({ name: str(u32()), type: u32(), offset: u32() });
        break;
      case KIND.ENUM: case KIND.FUNC_PROTO:
        p += vlen * 8;
        break;
      case KIND.DATASEC: case KIND.ENUM64:
        p += vlen * 12;
        break;
      case KIND.PTR: case KIND.FWD: case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.FUNC: case KIND.FLOAT: case KIND.TYPE_TAG:
        break;
      default:
        fail(`unknown type kind ${kind}`);
    }
    types.push(t);
  }
  return types;
}

function sizeOf(types: readonly (BtfType | undefined)[], id: number, source: string, depth = 0): number {
  const t = types[id];
  if (t === undefined || depth > 32) throw new LoadFailed(source, `its .BTF section is corrupt: bad type reference ${id}`, '', { op: 'read BTF' });
  switch (t.kind) {
    case KIND.PTR:
      return 8;
    case KIND.ARRAY:
      return (t.array?.nelems ?? 0) * sizeOf(types, t.array?.type ?? 0, source, depth + 1);
    case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.TYPE_TAG:
      return sizeOf(types, t.sizeOrType, source, depth + 1);
    default:
      return t.sizeOrType;
  }
}
