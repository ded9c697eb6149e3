// The devices filter in the kernel: with two loop devices of the test's own and the filter
// on one of them, O_DIRECT writes on both count only on the kept one (exactly as
// /sys/block/<dev>/stat counts it), and the kernel's own table (fs_blk_dev, read through a
// handle on the same loaded object) does not move for the other, though its stat shows the
// writes. Cleared at run time (no reload), the filter lets the other device count again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { NativeObjectLoader, type LoadedBpfObject } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { fsEbpfSource } from '../test/ebpf-source.js';
import { blockStat, createLoop, dd, type LoopDevice } from '../test/loop-device.js';
import type { FsEbpfSource } from './ebpf/fs-ebpf-source.js';
import { devOf } from './ebpf/block/decode-devices.js';
import { blockLayouts } from './ebpf/block/block-layouts.js';
import { FS_BLOCK_OBJECT_PATH } from './object-path.js';
import type { FsMetrics } from './records.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };

const writesOf = (m: FsMetrics, name: string): number => m.devices.find((d) => d.name === name)?.writes ?? 0;

describeKernel('fs eBPF source: the devices filter is applied in the kernel and changes at run time', () => {
  let kept: LoopDevice | null = null;
  let other: LoopDevice | null = null;
  let source: FsEbpfSource | null = null;
  let handle: LoadedBpfObject | null = null;

  /** Write requests in the kernel table's entry of `dev` (summed over CPUs), or null without an entry. */
  const rawEntry = (dev: string): number | null => {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, devOf(dev)!, true);
    const at = blockLayouts(handle!.structLayouts()).dev.ios + 8;
    const cpus = handle!.object.map('fs_blk_dev').lookupPerCpu(key);
    return cpus === undefined ? null : cpus.reduce((s, v) => s + Number(new DataView(v.buffer, v.byteOffset).getBigUint64(at, true)), 0);
  };

  beforeAll(async () => {
    kept = createLoop(16, false);
    other = createLoop(16, false);
    source = fsEbpfSource();
    await source.init(context);
    handle = await new NativeObjectLoader().load({ path: FS_BLOCK_OBJECT_PATH });
  });
  afterAll(async () => {
    handle?.close();
    await source?.close();
    kept?.remove();
    other?.remove();
  });

  it('counts only the kept device while the filter is on, and the other again once it is cleared', async () => {
    const a = kept!;
    const b = other!;
    expect(await source!.pushdown({ devices: [a.dev] })).toEqual({ pushedDown: ['devices'], notPushed: [] });
    const m0 = await source!.read(read);
    const [a0, b0, raw0] = [blockStat(a.name), blockStat(b.name), rawEntry(b.dev)];
    await dd(['if=/dev/zero', `of=${a.path}`, 'bs=64K', 'count=32', 'oflag=direct']);
    await dd(['if=/dev/zero', `of=${b.path}`, 'bs=64K', 'count=24', 'oflag=direct']);
    const [a1, b1] = [blockStat(a.name), blockStat(b.name)];
    const m1 = await source!.read(read);
    expect(b1.writes - b0.writes).toBeGreaterThan(0);
    expect({ kept: writesOf(m1, a.name) - writesOf(m0, a.name), other: m1.devices.some((d) => d.name === b.name), otherInKernel: rawEntry(b.dev) })
      .toEqual({ kept: a1.writes - a0.writes, other: false, otherInKernel: raw0 });
    expect(m1.unavailable.devices).toBeUndefined();

    expect(await source!.pushdown({})).toEqual({ pushedDown: [], notPushed: [] });
    const m2 = await source!.read(read);
    const b2 = blockStat(b.name);
    await dd(['if=/dev/zero', `of=${b.path}`, 'bs=64K', 'count=16', 'oflag=direct']);
    const b3 = blockStat(b.name);
    const m3 = await source!.read(read);
    expect(writesOf(m3, b.name) - writesOf(m2, b.name)).toBe(b3.writes - b2.writes);
    expect(b3.writes - b2.writes).toBeGreaterThan(0);
  });
});
