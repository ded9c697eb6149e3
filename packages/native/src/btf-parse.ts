// A reader of raw BTF (the .BTF section of an object, or what libbpf or the
// kernel hold for a loaded one): type records by id, with what the layout,
// decoding and constant code needs. Internal to this package.
import { Buffer, isAscii } from 'node:buffer';
import { LoadFailed } from '@bpfscope/core';

const BTF_MAGIC = 0xeb9f;

/** BTF kind numbers (linux/btf.h). @internal */
export const KIND = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19 } as const;

/** One BTF type record. @internal */
export interface BtfType {
  kind: number;
  name: string;
  kindFlag: boolean;
  /** size for sized kinds, referenced type id for modifiers, typedefs, pointers, vars. */
  sizeOrType: number;
  /** STRUCT/UNION members; offset in bits, or (kindFlag) bitfield size << 24 | bit offset. */
  members: { name: string; type: number; offset: number }[];
  /** ARRAY: element type and count. */
  array?: { type: number; nelems: number };
  /** INT: BTF_INT_SIGNED (1), BTF_INT_CHAR (2), BTF_INT_BOOL (4), and the width in bits. */
  int?: { encoding: number; bits: number };
  /** DATASEC: its variables (VAR type ids), with offsets and sizes in the section. */
  vars?: { type: number; offset: number; size: number }[];
}

/** Parsed BTF: `types[id]`, id 0 being void. @internal */
export interface BtfTypes {
  types: readonly (BtfType | undefined)[];
  /** Object path or name, for error messages. */
  source: string;
}

const MODIFIERS: ReadonlySet<number> = new Set([KIND.TYPEDEF, KIND.VOLATILE, KIND.CONST, KIND.RESTRICT, KIND.TYPE_TAG]);

/** @internal */
export function corrupt(source: string, why: string): LoadFailed {
  return new LoadFailed(source, `its .BTF section is corrupt: ${why}`, '', { op: 'read BTF' });
}

/**
 * Parses raw BTF.
 * @internal
 * @throws {@link @bpfscope/core!LoadFailed} for a corrupt section
 */
export function parseBtf(btf: Uint8Array, source: string): BtfTypes {
  const fail = (why: string): never => {
    throw corrupt(source, why);
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
  // BTF names are C identifiers: an all-ASCII string section (every one seen) is decoded
  // once, and each name is a slice of it; one TextDecoder call per name cost a third of a
  // parse. Any other byte decodes each name as UTF-8 on its own.
  const strings = btf.subarray(strOff, strEnd);
  const table = isAscii(strings) ? Buffer.from(strings.buffer, strings.byteOffset, strings.byteLength).toString('latin1') : null;
  const str = (off: number): string => {
    const start = strOff + off;
    if (start >= strEnd) return fail(`string offset ${off} out of range`);
    if (table !== null) {
      const end = table.indexOf('\0', off);
      return table.slice(off, end < 0 ? table.length : end);
    }
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
      case KIND.INT: {
        const word = u32();
        t.int = { encoding: (word >>> 24) & 0x0f, bits: word & 0xff };
        break;
      }
      case KIND.VAR: case KIND.DECL_TAG:
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
      case KIND.DATASEC:
        t.vars = [];
        for (let i = 0; i < vlen; i++) t.vars.push({ type: u32(), offset: u32(), size: u32() });
        break;
      case KIND.ENUM: case KIND.FUNC_PROTO:
        p += vlen * 8;
        break;
      case KIND.ENUM64:
        p += vlen * 12;
        break;
      case KIND.PTR: case KIND.FWD: case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.FUNC: case KIND.FLOAT: case KIND.TYPE_TAG:
        break;
      default:
        fail(`unknown type kind ${kind}`);
    }
    types.push(t);
  }
  return { types, source };
}

/** The type record of `id`, or a LoadFailed for a dangling reference. @internal */
export function typeAt(btf: BtfTypes, id: number): BtfType {
  const t = btf.types[id];
  if (t === undefined) throw corrupt(btf.source, `bad type reference ${id}`);
  return t;
}

/** Follows typedefs and const/volatile/restrict/type tags to the underlying type id. @internal */
export function resolveId(btf: BtfTypes, id: number): number {
  for (let depth = 0; depth < 32; depth++) {
    const t = typeAt(btf, id);
    if (!MODIFIERS.has(t.kind)) return id;
    id = t.sizeOrType;
  }
  throw corrupt(btf.source, `type ${id} is a chain of more than 32 typedefs/modifiers`);
}

/** sizeof the type `id`. @internal */
export function sizeOfType(btf: BtfTypes, id: number, depth = 0): number {
  if (depth > 32) throw corrupt(btf.source, `type ${id} nests too deeply`);
  const t = typeAt(btf, resolveId(btf, id));
  switch (t.kind) {
    case KIND.PTR:
      return 8;
    case KIND.ARRAY:
      return (t.array?.nelems ?? 0) * sizeOfType(btf, t.array?.type ?? 0, depth + 1);
    case KIND.INT: case KIND.ENUM: case KIND.ENUM64: case KIND.STRUCT: case KIND.UNION: case KIND.FLOAT: case KIND.DATASEC:
      return t.sizeOrType;
    default:
      return 0;
  }
}

/**
 * The C spelling of type `id` (`__u32`, `struct x`, `char[16]`, `void *`), typedef names kept.
 * @internal
 * @throws {@link @bpfscope/core!LoadFailed} for an array nested more than 32 deep (corrupt BTF: a cycle)
 */
export function typeName(btf: BtfTypes, id: number, depth = 0): string {
  if (id === 0) return 'void';
  if (depth > 32) return '?';
  const t = typeAt(btf, id);
  const named = (keyword: string): string => `${keyword} ${t.name || '(anonymous)'}`;
  switch (t.kind) {
    case KIND.STRUCT:
      return named('struct');
    case KIND.UNION:
      return named('union');
    case KIND.ENUM: case KIND.ENUM64:
      return named('enum');
    case KIND.PTR:
      return `${typeName(btf, t.sizeOrType, depth + 1)} *`;
    case KIND.ARRAY: {
      let dims = '';
      let at: BtfType | undefined = t;
      let elem = 0;
      // Bounded: corrupt BTF can make an array its own element (found by fuzzing: the
      // unbounded walk grew `dims` until the heap ran out).
      for (let n = 0; at?.kind === KIND.ARRAY && at.array; n++) {
        if (n === 32) throw corrupt(btf.source, `type ${id} is an array of arrays more than 32 deep (a cycle?)`);
        dims += `[${at.array.nelems}]`;
        elem = at.array.type;
        at = btf.types[elem];
      }
      return `${typeName(btf, elem, depth + 1)}${dims}`;
    }
    case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.TYPE_TAG:
      return typeName(btf, t.sizeOrType, depth + 1);
    default:
      return t.name;
  }
}
