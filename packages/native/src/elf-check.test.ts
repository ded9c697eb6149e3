import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/helpers.js';
import { checkBpfElf } from './elf-check.js';

const real = readFileSync(fixture('maps.bpf.o'));

describe('checkBpfElf', () => {
  it('accepts the compiled eBPF objects', () => {
    for (const name of ['maps.bpf.o', 'missing_tp.bpf.o', 'missing_btf_tp.bpf.o']) {
      expect(checkBpfElf(readFileSync(fixture(name)))).toBeUndefined();
    }
  });

  it('names what is wrong with non-ELF input', () => {
    expect(checkBpfElf(new Uint8Array(0))).toMatch(/not an ELF file \(it starts with nothing/);
    expect(checkBpfElf(Buffer.from('#!/bin/sh\necho hello\n'))).toBe('not an ELF file (it starts with 23 21 2f 62, not 7f 45 4c 46)');
  });

  it('finds truncation at every length, and names the section cut off', () => {
    for (let len = 1; len < real.length; len += 97) {
      expect(checkBpfElf(real.subarray(0, len)), `length ${len}`).toMatch(/truncated|not an ELF/);
    }
    // A section that claims to run past the end (as in a file cut before its
    // section table was rewritten) is named.
    const copy = Buffer.from(real);
    const shoff = Number(copy.readBigUInt64LE(40));
    copy.writeBigUInt64LE(BigInt(copy.length), shoff + 2 * 64 + 32); // section 2's sh_size (1 is the name table)
    expect(checkBpfElf(copy)).toMatch(/^truncated: section 2 \(\S+\) ends at byte \d+ but the image has \d+ bytes$/);
  });

  it('refuses 32-bit, big-endian, foreign-machine and non-relocatable ELF files', () => {
    const b32 = Buffer.from(real);
    b32[4] = 1;
    expect(checkBpfElf(b32)).toMatch(/64-bit/);
    const be = Buffer.from(real);
    be[5] = 2;
    expect(checkBpfElf(be)).toMatch(/big-endian/);
    const x86 = Buffer.from(real);
    x86.writeUInt16LE(62, 18);
    expect(checkBpfElf(x86)).toBe('not an eBPF object: its machine is x86-64, not BPF (247)');
    const exec = Buffer.from(real);
    exec.writeUInt16LE(2, 16);
    expect(checkBpfElf(exec)).toMatch(/not a relocatable object/);
  });

  it('refuses a bad section table', () => {
    const none = Buffer.from(real);
    none.writeUInt16LE(0, 60);
    expect(checkBpfElf(none)).toMatch(/no section table/);
    const strndx = Buffer.from(real);
    strndx.writeUInt16LE(strndx.readUInt16LE(60), 62);
    expect(checkBpfElf(strndx)).toMatch(/bad section name table index/);
  });
});
