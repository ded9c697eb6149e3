// A structural check of an object's .BTF section before libbpf sees it. libbpf up
// to 1.2 (Debian 12 ships 1.1) follows type ids and string offsets of an object's
// BTF without checking them, and a corrupt one crashes the process in
// bpf_object__open or __load (found by the object fuzz test). These are the checks
// libbpf 1.3 added (btf_parse_hdr, btf_parse_str_sec, btf_parse_type_sec,
// btf_validate_type), done here so every libbpf version gets them.
import { KIND } from './btf-parse.js';

const BTF_MAGIC = 0xeb9f;
const HEADER = 24;
const MAX_NAME_OFFSET = 0xffffff;

// The u32 words after the 12-byte common record, per kind; undefined for an unknown kind.
function extraWords(kind: number, vlen: number): number | undefined {
  switch (kind) {
    case KIND.INT: case KIND.VAR: case KIND.DECL_TAG: return 1;
    case KIND.ARRAY: return 3;
    case KIND.STRUCT: case KIND.UNION: case KIND.DATASEC: case KIND.ENUM64: return 3 * vlen;
    case KIND.ENUM: case KIND.FUNC_PROTO: return 2 * vlen;
    case KIND.PTR: case KIND.FWD: case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT:
    case KIND.FUNC: case KIND.FLOAT: case KIND.TYPE_TAG: return 0;
    default: return undefined;
  }
}

/**
 * Checks raw BTF: header, string section, that every type record is whole and of a known
 * kind, that every name is inside the string section and every type id refers to a type.
 * @param btf - the .BTF section
 * @returns a description of the first problem, or undefined when the BTF is sound
 * @internal
 */
export function checkBtf(btf: Uint8Array): string | undefined {
  if (btf.length < HEADER) return `${btf.length} bytes, shorter than the BTF header (${HEADER})`;
  const view = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
  if (view.getUint16(0, true) !== BTF_MAGIC) return `bad magic 0x${view.getUint16(0, true).toString(16)} (expected 0xeb9f)`;
  if (view.getUint8(2) !== 1) return `version ${view.getUint8(2)} (expected 1)`;
  const hdrLen = view.getUint32(4, true);
  const [typeOff, typeLen, strOff, strLen] = [8, 12, 16, 20].map((o) => view.getUint32(o, true)) as [number, number, number, number];
  if (hdrLen < HEADER || hdrLen > btf.length) return `bad header length ${hdrLen}`;
  if (strOff + strLen > btf.length - hdrLen) return `its string section (${strOff}+${strLen}) runs past the end`;
  if (typeOff + typeLen > strOff) return `its type section (${typeOff}+${typeLen}) overlaps the strings at ${strOff}`;
  if (typeOff % 4 !== 0) return `its type section is not 4-byte aligned (offset ${typeOff})`;
  const strings = hdrLen + strOff;
  if (strLen === 0 || strLen - 1 > MAX_NAME_OFFSET || btf[strings + strLen - 1] !== 0 || btf[strings] !== 0) return 'its string section is empty, too long or not NUL-delimited';
  // Pass 1: the records, their kinds and sizes.
  const starts: number[] = [];
  const end = hdrLen + typeOff + typeLen;
  for (let p = hdrLen + typeOff; p < end; ) {
    if (p + 12 > end) return `type [${starts.length + 1}] is cut off`;
    const info = view.getUint32(p + 4, true);
    const words = extraWords((info >>> 24) & 0x1f, info & 0xffff);
    if (words === undefined) return `type [${starts.length + 1}] has an unknown kind ${(info >>> 24) & 0x1f}`;
    if (p + 12 + words * 4 > end) return `type [${starts.length + 1}] is cut off`;
    starts.push(p);
    p += 12 + words * 4;
  }
  // Pass 2: names and type references.
  const count = starts.length + 1; // ids 0 (void) .. starts.length
  const u32 = (o: number): number => view.getUint32(o, true);
  for (let i = 0; i < starts.length; i++) {
    const id = i + 1;
    const p = starts[i]!;
    const name = (off: number, what: string): string | undefined => (off < strLen ? undefined : `type [${id}]: ${what} offset ${off} is outside the strings (${strLen} bytes)`);
    const ref = (t: number): string | undefined => (t < count ? undefined : `type [${id}] refers to type [${t}], but there are ${count - 1}`);
    const info = u32(p + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const problem = name(u32(p), 'name') ?? members(kind, vlen, p + 12, u32, name, ref) ?? (refersByType(kind) ? ref(u32(p + 8)) : undefined);
    if (problem !== undefined) return problem;
    if (kind === KIND.FUNC) {
      const proto = starts[u32(p + 8) - 1];
      if (proto === undefined || ((u32(proto + 4) >>> 24) & 0x1f) !== KIND.FUNC_PROTO) return `type [${id}] is a function whose type [${u32(p + 8)}] is not a prototype`;
    }
  }
  return undefined;
}

const refersByType = (kind: number): boolean =>
  ([KIND.PTR, KIND.TYPEDEF, KIND.VOLATILE, KIND.CONST, KIND.RESTRICT, KIND.VAR, KIND.DECL_TAG, KIND.TYPE_TAG, KIND.FUNC, KIND.FUNC_PROTO] as number[]).includes(kind);

// The names and type ids inside a record's own words (members, parameters, values, variables).
function members(
  kind: number,
  vlen: number,
  at: number,
  u32: (o: number) => number,
  name: (off: number, what: string) => string | undefined,
  ref: (t: number) => string | undefined,
): string | undefined {
  switch (kind) {
    case KIND.ARRAY:
      return ref(u32(at)) ?? ref(u32(at + 4));
    case KIND.STRUCT: case KIND.UNION:
      for (let i = 0; i < vlen; i++) {
        const problem = name(u32(at + i * 12), 'member name') ?? ref(u32(at + i * 12 + 4));
        if (problem !== undefined) return problem;
      }
      return undefined;
    case KIND.ENUM: case KIND.ENUM64: {
      const size = kind === KIND.ENUM ? 8 : 12;
      for (let i = 0; i < vlen; i++) {
        const problem = name(u32(at + i * size), 'enumerator name');
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case KIND.FUNC_PROTO:
      for (let i = 0; i < vlen; i++) {
        const problem = name(u32(at + i * 8), 'parameter name') ?? ref(u32(at + i * 8 + 4));
        if (problem !== undefined) return problem;
      }
      return undefined;
    case KIND.DATASEC:
      for (let i = 0; i < vlen; i++) {
        const problem = ref(u32(at + i * 12));
        if (problem !== undefined) return problem;
      }
      return undefined;
    default:
      return undefined;
  }
}
