// The metric points of a real eBPF reading: N MiB written with O_DIRECT to a loop device that
// nothing else writes (fs-block-loop.bpf.test.ts says why) raise its mapped write bytes by
// exactly N MiB, and its write requests and latency histogram count by what the kernel counts.
import { expect, it } from 'vitest';
import { Snapshot, toMetricPoints, type FamilyResult, type MetricPoints } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { blockStat, dd } from '../test/loop-device.js';
import { useLoopSource } from '../test/loop-source.js';
import type { FsEbpfSource } from './ebpf/fs-ebpf-source.js';
import { fsMetricMapper } from './metrics.js';

const MiB = 1 << 20;

async function points(source: FsEbpfSource): Promise<MetricPoints> {
  const data = await source.read({ signal: new AbortController().signal });
  const result: FamilyResult = { family: 'fs', source: 'ebpf', sourceName: source.name, fallback: null, data, timestamp: Date.now(), durationMs: 0 };
  const v = toMetricPoints(new Snapshot(result.timestamp, new Map([['fs', result]]), []), [fsMetricMapper]);
  expect(v.mapErrors).toEqual([]);
  return v;
}

/** The write point of `name` for the device (a number, or a histogram's count), 0 when the device has none yet. */
function written(v: MetricPoints, name: string, device: string): number {
  const p = v.series.find((s) => s.descriptor.name === name)?.points.find((q) => q.attributes['system.device'] === device && q.attributes['disk.io.direction'] === 'write');
  return p === undefined ? 0 : 'value' in p ? p.value : p.histogram.count;
}

describeKernel('fs metric points against a loop device written with O_DIRECT', () => {
  const N = 4;
  const setup = useLoopSource(N);

  it('system.disk.io rises by exactly N MiB; system.disk.operations and the latency histogram by the kernel\'s write requests', async () => {
    const dev = setup.loop().name;
    const before = await points(setup.source());
    const statBefore = blockStat(dev);
    await dd(['if=/dev/zero', `of=${setup.loop().mountPoint}/data`, 'bs=64K', `count=${N * 16}`, 'oflag=direct', 'conv=notrunc']);
    const statAfter = blockStat(dev);
    const after = await points(setup.source());
    const rise = (name: string): number => written(after, name, dev) - written(before, name, dev);
    const kernelWrites = statAfter.writes - statBefore.writes;
    expect(kernelWrites).toBeGreaterThan(0);
    expect({ bytes: rise('system.disk.io'), requests: rise('system.disk.operations'), latencies: rise('bpfscope.fs.disk.latency') }).toEqual({
      bytes: N * MiB,
      requests: kernelWrites,
      latencies: kernelWrites,
    });
    const io = after.series.find((s) => s.descriptor.name === 'system.disk.io')!;
    expect(io.points.find((p) => p.attributes['system.device'] === dev)!.attributes['bpfscope.source']).toBe('ebpf');
    expect(io.startTimeMs).not.toBeNull();
  });
});
