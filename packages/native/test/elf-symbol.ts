// ELF64 (little-endian) reading for tests: a function's file offset from a
// binary's symbol tables, the way a uprobe by offset needs it (st_value is a
// virtual address, turned into a file offset through the section the symbol
// lives in), and where a named section lies, to corrupt it on purpose.
import { readFileSync } from 'node:fs';

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;

interface Section {
  type: number;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  entsize: bigint;
}

/** The symbol's value (virtual address) and its file offset, or undefined when no symbol table names it. */
export function elfSymbol(path: string, name: string): { value: bigint; fileOffset: number } | undefined {
  const elf = readFileSync(path);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error(`${path}: not a little-endian ELF64 file`);
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    sections.push({
      type: elf.readUInt32LE(at + 4),
      addr: elf.readBigUInt64LE(at + 16),
      offset: elf.readBigUInt64LE(at + 24),
      size: elf.readBigUInt64LE(at + 32),
      link: elf.readUInt32LE(at + 40),
      entsize: elf.readBigUInt64LE(at + 56),
    });
  }
  for (const table of sections.filter((s) => s.type === SHT_SYMTAB || s.type === SHT_DYNSYM)) {
    const strings = sections[table.link];
    if (strings === undefined || table.entsize === 0n) continue;
    for (let at = Number(table.offset); at < Number(table.offset + table.size); at += Number(table.entsize)) {
      const nameAt = Number(strings.offset) + elf.readUInt32LE(at);
      const end = elf.indexOf(0, nameAt);
      if (elf.toString('latin1', nameAt, end) !== name) continue;
      const home = sections[elf.readUInt16LE(at + 6)];
      const value = elf.readBigUInt64LE(at + 8);
      if (home === undefined || value === 0n) continue; // undefined symbol (an import)
      return { value, fileOffset: Number(value - home.addr + home.offset) };
    }
  }
  return undefined;
}

/** Where a section's bytes lie in an ELF64 image, by name, or undefined when there is no such section. */
export function elfSection(image: Buffer, name: string): { offset: number; size: number } | undefined {
  const shoff = Number(image.readBigUInt64LE(0x28));
  const shentsize = image.readUInt16LE(0x3a);
  const shnum = image.readUInt16LE(0x3c);
  const strtab = Number(image.readBigUInt64LE(shoff + image.readUInt16LE(0x3e) * shentsize + 24));
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    const nameAt = strtab + image.readUInt32LE(at);
    if (image.toString('latin1', nameAt, image.indexOf(0, nameAt)) === name) {
      return { offset: Number(image.readBigUInt64LE(at + 24)), size: Number(image.readBigUInt64LE(at + 32)) };
    }
  }
  return undefined;
}
