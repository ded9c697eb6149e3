// A structural check of an ELF image before libbpf sees it. libbpf and libelf
// trust section offsets; a truncated or foreign file must be refused here with
// a message that says what is wrong, never reach them. The same holds for the
// type ids and string offsets of the object's BTF (btf-check.ts).
import { checkBtf } from './btf-check.js';

const EM_BPF = 247;
const ET_REL = 1;
const SHT_NOBITS = 8;
const EHDR_SIZE = 64;
const SHDR_SIZE = 64;

const MACHINES: Readonly<Record<number, string>> = { 3: 'x86', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V' };

/**
 * Checks that `image` is a 64-bit little-endian relocatable eBPF ELF object whose
 * header and sections lie inside the image.
 *
 * @param image - the bytes of a .bpf.o
 * @returns a one-sentence description of the first problem, or undefined when the image is sound
 * @internal
 */
export function checkBpfElf(image: Uint8Array): string | undefined {
  if (image.length < 4 || image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46) {
    return `not an ELF file (it starts with ${hex(image.subarray(0, 4)) || 'nothing'}, not 7f 45 4c 46)`;
  }
  if (image.length < EHDR_SIZE) return `truncated: ${image.length} bytes, too short for an ELF header (${EHDR_SIZE} bytes)`;
  if (image[4] !== 2) return 'not a 64-bit ELF file; eBPF objects are ELF64';
  if (image[5] !== 1) return 'a big-endian ELF file; this host needs little-endian eBPF objects (clang -target bpfel)';
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_BPF) {
    return `not an eBPF object: its machine is ${MACHINES[machine] ?? `e_machine ${machine}`}, not BPF (247)`;
  }
  if (type !== ET_REL) return `not a relocatable object (e_type ${type}); libbpf loads the .o that clang -target bpf -c writes`;
  const shoff = Number(view.getBigUint64(40, true));
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  const shstrndx = view.getUint16(62, true);
  if (shnum === 0) return 'the ELF file has no section table';
  if (shentsize !== SHDR_SIZE) return `bad section header size ${shentsize} (expected ${SHDR_SIZE})`;
  const tableEnd = shoff + shnum * SHDR_SIZE;
  if (tableEnd > image.length) {
    return `truncated: the section table ends at byte ${tableEnd} but the image has ${image.length} bytes`;
  }
  if (shstrndx >= shnum) return `bad section name table index ${shstrndx} (${shnum} sections)`;
  const names = section(view, shoff, shstrndx);
  if (names.offset + names.size > image.length) return `truncated: the section name table ends at byte ${names.offset + names.size} but the image has ${image.length} bytes`;
  for (let i = 1; i < shnum; i++) {
    const s = section(view, shoff, i);
    if (s.type === SHT_NOBITS) continue;
    const end = s.offset + s.size;
    if (end > image.length) {
      const name = names.offset + names.size <= image.length ? sectionName(image, names.offset, names.size, s.nameOffset) : undefined;
      return `truncated: section ${i}${name ? ` (${name})` : ''} ends at byte ${end} but the image has ${image.length} bytes`;
    }
  }
  const btf = elfSection(image, '.BTF');
  const problem = btf === undefined ? undefined : checkBtf(btf);
  return problem === undefined ? undefined : `its .BTF section is corrupt: ${problem}`;
}

function section(view: DataView, shoff: number, index: number): { nameOffset: number; type: number; offset: number; size: number } {
  const base = shoff + index * SHDR_SIZE;
  return {
    nameOffset: view.getUint32(base, true),
    type: view.getUint32(base + 4, true),
    offset: Number(view.getBigUint64(base + 24, true)),
    size: Number(view.getBigUint64(base + 32, true)),
  };
}

function sectionName(image: Uint8Array, tableOffset: number, tableSize: number, nameOffset: number): string | undefined {
  if (nameOffset >= tableSize) return undefined;
  const start = tableOffset + nameOffset;
  let end = start;
  while (end < tableOffset + tableSize && image[end] !== 0) end++;
  return new TextDecoder().decode(image.subarray(start, end));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * The contents of the section called `name`, for an image {@link checkBpfElf} accepted.
 * @returns a view into `image`, or undefined when there is no such section
 * @internal
 */
export function elfSection(image: Uint8Array, name: string): Uint8Array | undefined {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const shnum = view.getUint16(60, true);
  const names = section(view, shoff, view.getUint16(62, true));
  for (let i = 1; i < shnum; i++) {
    const s = section(view, shoff, i);
    if (s.type !== SHT_NOBITS && sectionName(image, names.offset, names.size, s.nameOffset) === name) {
      return image.subarray(s.offset, s.offset + s.size);
    }
  }
  return undefined;
}
