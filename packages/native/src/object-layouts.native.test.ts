// A loaded object's struct layouts come from the BTF the object parsed once (libbpf's
// finalized BTF, also read for the constants); they must equal the layouts read from the
// object file's own .BTF section, for every struct of every shipped plugin object.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { clearCache, NativeObjectLoader, readStructLayouts } from './index.js';

afterEach(() => clearCache());

const packages = new URL('../../', import.meta.url).pathname;
const objects = readdirSync(packages)
  .filter((p) => p.startsWith('plugin-'))
  .flatMap((p) => {
    try {
      return readdirSync(join(packages, p, 'bpf')).filter((f) => f.endsWith('.bpf.o')).map((f) => join(packages, p, 'bpf', f));
    } catch {
      return [];
    }
  });

describeKernel('struct layouts of a loaded object', () => {
  it('every shipped plugin object: the layouts of its one parse equal those of its file, struct by struct', async () => {
    expect(objects.map((o) => o.slice(packages.length)).sort()).toEqual([
      'plugin-cpu/bpf/cpu.bpf.o', 'plugin-fs/bpf/fs_block.bpf.o', 'plugin-fs/bpf/fs_file.bpf.o', 'plugin-gpu/bpf/gpu.bpf.o', 'plugin-mem/bpf/mem.bpf.o',
      'plugin-net/bpf/net.bpf.o', 'plugin-proc/bpf/proc.bpf.o', 'plugin-syscall/bpf/syscall.bpf.o', 'plugin-thermal/bpf/thermal.bpf.o',
    ]);
    for (const path of objects) {
      const fromFile = readStructLayouts(new Uint8Array(readFileSync(path)), path);
      const handle = await new NativeObjectLoader().load({ path });
      try {
        const loaded = handle.structLayouts();
        const names = [...fromFile.keys()].sort();
        expect({ path, names: [...loaded.keys()].sort() }).toEqual({ path, names });
        for (const name of names) expect({ path, name, layout: loaded.get(name) }).toEqual({ path, name, layout: fromFile.get(name) });
      } finally {
        handle.close();
      }
    }
  });
});
