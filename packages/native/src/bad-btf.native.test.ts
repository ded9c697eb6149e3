import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { REPO_ROOT, fixture } from '../test/helpers.js';
import { elfFields } from '../../../test/fuzz/elf-fields.js';
import { BpfObject, NativeObjectLoader } from './index.js';

// Inputs the object fuzz test (object-fuzz.native.test.ts) found to crash the process in
// libbpf 1.1 with SIGSEGV, rebuilt here by their mutation. Each must now end in LoadFailed,
// from the open the TypeScript side does and from the engine's loader; were the BTF check
// gone, this test process would die instead.
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-bad-btf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mutated(path: string, edits: readonly [offset: number, bytes: readonly number[]][]): { image: Uint8Array; path: string } {
  const image = new Uint8Array(readFileSync(path));
  for (const [offset, bytes] of edits) image.set(bytes, offset);
  const out = join(dir, `${edits[0]![0]}.bpf.o`);
  writeFileSync(out, image);
  return { image, path: out };
}

const CASES = [
  {
    // seed 11 case 2043: struct member type id 5 → 6889 (u32 at 1468); crashed in bpf_object__open_mem
    name: 'uprobe_count.bpf.o, a member type id out of range',
    ...mutated(fixture('uprobe_count.bpf.o'), [[1468, [0xe9, 0x1a, 0, 0]]]),
    message: /its \.BTF section is corrupt: type \[16\] refers to type \[6889\], but there are 42/,
  },
  memPointerCase(),
];

/**
 * seed 11 case 166: one byte 0x00 → 0xff in the second byte of a pointer's type id in
 * mem.bpf.o (type [51] → [65332]); crashed in bpf_object__load. The object is rebuilt as its
 * sources change, so the pointer is found by its record, not by the offset of that day.
 */
function memPointerCase(): { name: string; image: Uint8Array; path: string; message: RegExp } {
  const path = join(REPO_ROOT, 'packages/plugin-mem/bpf/mem.bpf.o');
  const image = new Uint8Array(readFileSync(path));
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const fields = elfFields(image);
  const PTR = 2;
  const info = fields.find((f) => /^btf\.type\[\d+\]\.info$/.test(f.name) && ((view.getUint32(f.offset, true) >>> 24) & 0x1f) === PTR && Number(/\d+/.exec(f.name)![0]) > 40)!;
  const id = Number(/\d+/.exec(info.name)![0]);
  const typeField = info.offset + 4;
  const target = view.getUint32(typeField, true) | 0xff00;
  return {
    name: 'mem.bpf.o, a flipped byte in a pointer\'s type id',
    ...mutated(path, [[typeField + 1, [0xff]]]),
    message: new RegExp(`its \\.BTF section is corrupt: type \\[${id}\\] refers to type \\[${target}\\], but there are \\d+`),
  };
}

describeKernel('BTF that crashed libbpf 1.1 (found by fuzzing) is refused with LoadFailed', () => {
  for (const c of CASES) {
    it(`${c.name}: BpfObject.open`, () => {
      expect(() => BpfObject.open(c.image, { name: 'fuzz' })).toThrow(LoadFailed);
      expect(() => BpfObject.open(c.image, { name: 'fuzz' })).toThrow(c.message);
    });

    it(`${c.name}: NativeObjectLoader.load (the engine's path)`, async () => {
      const e = await new NativeObjectLoader().load({ path: c.path, shared: false }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(LoadFailed);
      expect((e as LoadFailed).message).toMatch(c.message);
    });
  }
});
