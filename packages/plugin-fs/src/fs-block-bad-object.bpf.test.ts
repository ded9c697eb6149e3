// A block object that cannot serve: a missing file, a file that is no eBPF object, another
// family's object (no struct fs_blk_dev in its BTF). Each is a LoadFailed naming the file or the
// struct, the source stays closed (a read is Closed), and the next source with the shipped
// object loads and reads.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { Closed, createConsoleLogger, LoadFailed, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fsEbpfSource } from '../test/ebpf-source.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };
const CPU_OBJECT = fileURLToPath(new URL('../../plugin-cpu/bpf/cpu.bpf.o', import.meta.url));

describeKernel('fs eBPF source: a block object that cannot serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fsb-obj-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refused = async (path: string): Promise<unknown> => {
    const source = fsEbpfSource({ blockObjectPath: path });
    const error = await source.init(context).then(() => null, (e: unknown) => e);
    await expect(source.read(read)).rejects.toBeInstanceOf(Closed);
    await source.close();
    return error;
  };

  it('refuses a missing file, a file that is no object and a foreign object with LoadFailed', async () => {
    const garbage = join(dir, 'garbage.bpf.o');
    writeFileSync(garbage, 'not an ELF object at all');
    const missing = await refused(join(dir, 'missing.bpf.o'));
    expect(missing).toBeInstanceOf(LoadFailed);
    expect((missing as LoadFailed).message).toMatch(/missing\.bpf\.o/);
    expect(await refused(garbage)).toBeInstanceOf(LoadFailed);
    const foreign = await refused(CPU_OBJECT);
    expect(foreign).toBeInstanceOf(LoadFailed);
    expect((foreign as LoadFailed).message).toMatch(/no struct fs_blk_dev/);

    const good = fsEbpfSource();
    try {
      await good.init(context);
      const m = await good.read(read);
      expect(m.kernel).not.toBeNull();
      expect(good.detached()).toBeNull();
    } finally {
      await good.close();
    }
  });
});
