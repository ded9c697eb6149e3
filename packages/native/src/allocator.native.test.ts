// pinMallocMmapThreshold against glibc for real: after a load (libbpf frees the
// 5 MB kernel BTF, which raises glibc's dynamic thresholds), freed 1 MiB blocks go
// back to the system only when the threshold was pinned first.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture, REPO_ROOT } from '../test/helpers.js';
import { pinMallocMmapThreshold } from './index.js';

// Plain JS on the built package, in a fresh process: the allocator's state is per process.
const CHILD = String.raw`
import { readFileSync } from 'node:fs';
import { BpfObject, pinMallocMmapThreshold } from '@bpfscope/native';
const anonKb = () => Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
const pinned = process.argv[1] === 'pin' ? pinMallocMmapThreshold() : null;
const obj = BpfObject.open(process.argv[2]);
await obj.load();
obj.close();
gc();
const before = anonKb();
let blocks = Array.from({ length: 8 }, () => Buffer.alloc(1 << 20, 1));
const held = anonKb() - before;
blocks = null;
gc();
await new Promise((resolve) => setImmediate(resolve));
gc();
process.stdout.write(JSON.stringify({ pinned, held, kept: anonKb() - before }));`;

async function child(mode: 'pin' | 'default'): Promise<{ pinned: boolean | null; held: number; kept: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD, mode, fixture('maps.bpf.o')], { cwd: REPO_ROOT });
  return JSON.parse(stdout) as { pinned: boolean | null; held: number; kept: number };
}

describeKernel('pinMallocMmapThreshold', () => {
  it('after an object load, 8 MiB of freed 1 MiB buffers stay in the process by default and go back when the threshold is pinned', async () => {
    const [dflt, pinned] = await Promise.all([child('default'), child('pin')]);
    // Both held the 8 MiB while the buffers were alive.
    expect(dflt.held).toBeGreaterThan(7 * 1024);
    expect(pinned.held).toBeGreaterThan(7 * 1024);
    expect(pinned.pinned).toBe(true);
    expect(dflt.kept).toBeGreaterThan(6 * 1024);
    expect(pinned.kept).toBeLessThan(2 * 1024);
  });

  it('a size that is not an integer from 0 to 32 MiB is a ConfigError naming the limit', () => {
    for (const bad of [-1, 1.5, 64 * 1024 * 1024, Number.NaN]) {
      expect(() => pinMallocMmapThreshold(bad)).toThrow(ConfigError);
    }
    expect(() => pinMallocMmapThreshold(-1)).toThrow(/from 0 to 33554432/);
  });
});
