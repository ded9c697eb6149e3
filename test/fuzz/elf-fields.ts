// The integer fields of an eBPF ELF object that the loader trusts: the ELF header,
// every section header, symbols, relocation entries, the .BTF header and type
// records, and the .BTF.ext header and its records. Offsets are absolute in the file.

/** One integer field of the file. */
export interface Field {
  /** e.g. `shdr[4].sh_size`, `btf.type[12].info`. */
  name: string;
  offset: number;
  size: 1 | 2 | 4 | 8;
}

const EHDR: readonly [string, number, 1 | 2 | 4 | 8][] = [
  ['e_ident.class', 4, 1], ['e_ident.data', 5, 1], ['e_type', 16, 2], ['e_machine', 18, 2], ['e_version', 20, 4], ['e_entry', 24, 8],
  ['e_phoff', 32, 8], ['e_shoff', 40, 8], ['e_flags', 48, 4], ['e_ehsize', 52, 2], ['e_phentsize', 54, 2], ['e_phnum', 56, 2],
  ['e_shentsize', 58, 2], ['e_shnum', 60, 2], ['e_shstrndx', 62, 2],
];
const SHDR: readonly [string, number, 1 | 2 | 4 | 8][] = [
  ['sh_name', 0, 4], ['sh_type', 4, 4], ['sh_flags', 8, 8], ['sh_addr', 16, 8], ['sh_offset', 24, 8], ['sh_size', 32, 8],
  ['sh_link', 40, 4], ['sh_info', 44, 4], ['sh_addralign', 48, 8], ['sh_entsize', 56, 8],
];
const SYM: readonly [string, number, 1 | 2 | 4 | 8][] = [['st_name', 0, 4], ['st_info', 4, 1], ['st_other', 5, 1], ['st_shndx', 6, 2], ['st_value', 8, 8], ['st_size', 16, 8]];
const BTF_HDR: readonly [string, number, 1 | 2 | 4 | 8][] = [
  ['magic', 0, 2], ['version', 2, 1], ['flags', 3, 1], ['hdr_len', 4, 4], ['type_off', 8, 4], ['type_len', 12, 4], ['str_off', 16, 4], ['str_len', 20, 4],
];
const BTF_EXT_HDR: readonly [string, number, 1 | 2 | 4 | 8][] = [
  ['magic', 0, 2], ['version', 2, 1], ['flags', 3, 1], ['hdr_len', 4, 4], ['func_info_off', 8, 4], ['func_info_len', 12, 4],
  ['line_info_off', 16, 4], ['line_info_len', 20, 4], ['core_relo_off', 24, 4], ['core_relo_len', 28, 4],
];
const SHT_SYMTAB = 2;
const SHT_REL = 9;

interface Section {
  index: number;
  name: string;
  type: number;
  offset: number;
  size: number;
}

/** The sections of a sound ELF64 little-endian image (the unmutated fixture). */
export function sections(image: Uint8Array): Section[] {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const shnum = view.getUint16(60, true);
  const strndx = view.getUint16(62, true);
  const raw = (i: number): Omit<Section, 'name'> & { nameOff: number } => {
    const b = shoff + i * 64;
    return { index: i, nameOff: view.getUint32(b, true), type: view.getUint32(b + 4, true), offset: Number(view.getBigUint64(b + 24, true)), size: Number(view.getBigUint64(b + 32, true)) };
  };
  const names = raw(strndx);
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = raw(i);
    let end = names.offset + s.nameOff;
    while (end < image.length && image[end] !== 0) end++;
    out.push({ index: i, type: s.type, offset: s.offset, size: s.size, name: new TextDecoder().decode(image.subarray(names.offset + s.nameOff, end)) });
  }
  return out;
}

const table = (prefix: string, base: number, fields: readonly [string, number, 1 | 2 | 4 | 8][]): Field[] =>
  fields.map(([name, offset, size]) => ({ name: `${prefix}.${name}`, offset: base + offset, size }));

/** Every field named above, for one fixture image. */
export function elfFields(image: Uint8Array): Field[] {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const out = table('ehdr', 0, EHDR);
  const shoff = Number(view.getBigUint64(40, true));
  for (const s of sections(image)) {
    out.push(...table(`shdr[${s.index}](${s.name})`, shoff + s.index * 64, SHDR));
    if (s.type === SHT_SYMTAB) for (let o = 0; o + 24 <= s.size; o += 24) out.push(...table(`${s.name}[${o / 24}]`, s.offset + o, SYM));
    if (s.type === SHT_REL) {
      for (let o = 0; o + 16 <= s.size; o += 16) {
        out.push({ name: `${s.name}[${o / 16}].r_offset`, offset: s.offset + o, size: 8 });
        out.push({ name: `${s.name}[${o / 16}].r_type`, offset: s.offset + o + 8, size: 4 });
        out.push({ name: `${s.name}[${o / 16}].r_sym`, offset: s.offset + o + 12, size: 4 });
      }
    }
    if (s.name === '.BTF') out.push(...btfFields(view, s.offset, s.size));
    if (s.name === '.BTF.ext' && s.size >= 32) {
      out.push(...table('btf_ext', s.offset, BTF_EXT_HDR));
      const hdrLen = view.getUint32(s.offset + 4, true);
      // The records (func_info, line_info, CO-RE relocations) are arrays of u32s after the header.
      for (let o = hdrLen; o + 4 <= s.size; o += 4) out.push({ name: `btf_ext.word[${(o - hdrLen) / 4}]`, offset: s.offset + o, size: 4 });
    }
  }
  return out;
}

// The type records of .BTF: name_off, info (vlen, kind, kind_flag) and size/type, then
// the kind's own u32s (members, params, array, enum values, datasec vars).
function btfFields(view: DataView, base: number, size: number): Field[] {
  const out = table('btf', base, BTF_HDR);
  const hdrLen = view.getUint32(base + 4, true);
  let p = base + hdrLen + view.getUint32(base + 8, true);
  const end = p + view.getUint32(base + 12, true);
  if (end > base + size) return out;
  for (let id = 1; p + 12 <= end; id++) {
    const info = view.getUint32(p + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    out.push({ name: `btf.type[${id}].name_off`, offset: p, size: 4 }, { name: `btf.type[${id}].info`, offset: p + 4, size: 4 }, { name: `btf.type[${id}].size_type`, offset: p + 8, size: 4 });
    const extraWords = ({ 1: 1, 3: 3, 4: 3 * vlen, 5: 3 * vlen, 6: 2 * vlen, 13: 2 * vlen, 14: 1, 15: 3 * vlen, 17: 1, 19: 3 * vlen } as Record<number, number>)[kind] ?? 0;
    for (let w = 0; w < extraWords; w++) out.push({ name: `btf.type[${id}].word[${w}]`, offset: p + 12 + w * 4, size: 4 });
    p += 12 + extraWords * 4;
  }
  return out;
}
