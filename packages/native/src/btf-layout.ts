// Struct layouts read from BTF: an object's own .BTF section, or the BTF
// libbpf holds for a loaded object or the kernel for a pinned map. Decoders
// take offsets and types from what clang compiled instead of counting them by
// hand.
import { LoadFailed } from '@bpfscope/core';
import { KIND, parseBtf, resolveId, sizeOfType, typeAt, typeName, type BtfTypes } from './btf-parse.js';
import { checkBpfElf, elfSection } from './elf-check.js';
import { LazyStructLayouts } from './lazy-struct-layouts.js';

/**
 * How a member's bytes decode (see {@link decodeRecords}):
 * `uint`/`int` integers (enums too) of 1, 2, 4 or 8 bytes, `bool`, `float`
 * (4 or 8 bytes), `pointer` (an address), `string` (a `char` array, up to its
 * first NUL), `array` (of {@link StructField.element}), `struct` (nested, see
 * {@link StructField.layout}), `bytes` (unions and anything else: the raw bytes).
 */
export type FieldKind = 'uint' | 'int' | 'bool' | 'float' | 'pointer' | 'string' | 'array' | 'struct' | 'bytes';

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
  /** How the member decodes. */
  kind: FieldKind;
  /** The member's C type as declared, typedef names kept: `__u32`, `char[16]`, `struct cpu_times`. */
  type: string;
  /** Arrays: the number of elements. */
  length?: number;
  /** Arrays: one element, described at offset 0. */
  element?: StructField;
  /** Nested structs: their layout. */
  layout?: StructLayout;
}

/** A struct of an eBPF object, from its BTF. */
export interface StructLayout {
  /** Struct name (`(anonymous)` for a struct without one). */
  name: string;
  /** sizeof(struct). */
  size: number;
  /** Members by name (anonymous members are left out). */
  fields: Record<string, StructField>;
  /** The object it was read from (path or name), for error messages. */
  source: string;
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
  return structLayoutsOf(parseBtf(btf, source));
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

/**
 * Every named struct of parsed BTF, by name (the first of equal names wins), each built
 * when it is first read ({@link LazyStructLayouts}). @internal
 */
export function structLayoutsOf(btf: BtfTypes): Map<string, StructLayout> {
  return new LazyStructLayouts(btf, structLayout);
}

/**
 * The layout of type `id` when it is a struct (through typedefs), else undefined.
 * @internal
 */
export function layoutOfType(btf: BtfTypes, id: number, memo = new Map<number, StructLayout>()): StructLayout | undefined {
  const resolved = resolveId(btf, id);
  return typeAt(btf, resolved).kind === KIND.STRUCT ? structLayout(btf, resolved, memo) : undefined;
}

/** The layout of struct type `id`, nested structs shared through `memo`. @internal */
export function structLayout(btf: BtfTypes, id: number, memo: Map<number, StructLayout>): StructLayout {
  const known = memo.get(id);
  if (known) return known;
  const t = typeAt(btf, id);
  const fields: Record<string, StructField> = {};
  const layout: StructLayout = { name: t.name || '(anonymous)', size: t.sizeOrType, fields, source: btf.source };
  memo.set(id, layout);
  for (const m of t.members) {
    if (m.name === '') continue;
    const bitSize = t.kindFlag ? m.offset >>> 24 : 0;
    const bitOffset = t.kindFlag ? m.offset & 0xffffff : m.offset;
    const field = describeType(btf, m.type, Math.floor(bitOffset / 8), memo);
    if (bitSize !== 0 || bitOffset % 8 !== 0) Object.assign(field, { bitOffset, bitSize });
    fields[m.name] = field;
  }
  return layout;
}

/** What type `id` is, placed at `offset`. @internal */
export function describeType(btf: BtfTypes, id: number, offset: number, memo = new Map<number, StructLayout>()): StructField {
  const resolved = resolveId(btf, id);
  const t = typeAt(btf, resolved);
  const field: StructField = { offset, size: sizeOfType(btf, id), kind: 'bytes', type: typeName(btf, id) };
  switch (t.kind) {
    case KIND.INT: {
      const encoding = t.int?.encoding ?? 0;
      field.kind = encoding & 4 ? 'bool' : encoding & 1 ? 'int' : 'uint';
      break;
    }
    case KIND.ENUM: case KIND.ENUM64:
      field.kind = t.kindFlag ? 'int' : 'uint';
      break;
    case KIND.FLOAT:
      field.kind = 'float';
      break;
    case KIND.PTR:
      field.kind = 'pointer';
      break;
    case KIND.STRUCT:
      field.kind = 'struct';
      field.layout = structLayout(btf, resolved, memo);
      break;
    case KIND.ARRAY: {
      const element = describeType(btf, t.array?.type ?? 0, 0, memo);
      field.length = t.array?.nelems ?? 0;
      if (element.size === 1 && isChar(btf, t.array?.type ?? 0)) {
        field.kind = 'string';
      } else {
        field.kind = 'array';
        field.element = element;
      }
      break;
    }
    default:
      break;
  }
  return field;
}

// `char` itself (clang encodes it as a plain 1-byte int), not a typedef of it
// such as __u8 or __s8, whose arrays are data rather than text.
function isChar(btf: BtfTypes, id: number): boolean {
  let t = typeAt(btf, id);
  for (let depth = 0; depth < 8 && (t.kind === KIND.CONST || t.kind === KIND.VOLATILE || t.kind === KIND.RESTRICT || t.kind === KIND.TYPE_TAG); depth++) {
    t = typeAt(btf, t.sizeOrType);
  }
  return t.kind === KIND.INT && (t.name === 'char' || ((t.int?.encoding ?? 0) & 2) !== 0);
}
