import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { REPO_ROOT, fixture } from '../test/helpers.js';
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
  {
    // seed 11 case 166: one byte 0x00 → 0xff at 8881 (a type id 52 → 65332); crashed in bpf_object__load
    name: 'mem.bpf.o, a flipped byte in a type id',
    ...mutated(join(REPO_ROOT, 'packages/plugin-mem/bpf/mem.bpf.o'), [[8881, [0xff]]]),
    message: /its \.BTF section is corrupt: type \[51\] refers to type \[65332\], but there are 627/,
  },
];

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
