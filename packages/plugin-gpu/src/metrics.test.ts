import { createEngine, SOURCE_ATTRIBUTE } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { FakeKernel, FakeNvmlReader, fakeParts, gpuWith, nvmlAbsent } from '../test/fake-parts.js';
import { sysRootOf } from '../test/fixture-trees.js';

const pointsOf = async (nvml: FakeNvmlReader, machine: string, detail: boolean) => {
  const engine = createEngine({ plugins: [gpuWith(fakeParts(nvml, new FakeKernel(null)))], config: { sysRoot: sysRootOf(machine), logLevel: 'silent' } });
  const points = engine.metricPoints(await engine.collect(), detail ? { detail: ['process'] } : {});
  await engine.close();
  const series = new Map(points.series.map((s) => [s.descriptor.name, s]));
  const values = (name: string): Array<[string, number]> =>
    (series.get(name)?.points ?? []).map((p) => [String(p.attributes['bpfscope.gpu.clock'] ?? p.attributes['hw.id'] ?? p.attributes['process.pid'] ?? p.attributes['bpfscope.gpu.cuda.copy_direction']), 'value' in p ? p.value : NaN]);
  return { points, series, values };
};

describe('gpu metric points', () => {
  it('the RX 6800 fixture (devices from DRM sysfs in an eBPF reading): OpenTelemetry hw.* names, units converted, each from its source', async () => {
    const { points, series, values } = await pointsOf(new FakeNvmlReader(nvmlAbsent()), 'amd-rx6800', false);
    expect(points.mapErrors).toEqual([]);
    expect(values('hw.gpu.utilization')).toEqual([['drm:card0', 0.37]]);
    expect(values('hw.gpu.memory.usage')).toEqual([['drm:card0', 1288359936]]);
    expect(values('hw.gpu.memory.limit')).toEqual([['drm:card0', 17163091968]]);
    expect(values('hw.gpu.memory.utilization')).toEqual([['drm:card0', 1288359936 / 17163091968]]);
    expect(values('hw.power')).toEqual([['drm:card0', 48]]);
    expect(values('bpfscope.gpu.temperature')).toEqual([['drm:card0', 52]]);
    expect(values('hw.fan.speed_ratio')).toEqual([['drm:card0/fan', ((1120 / 3300) * 100) / 100]]); // fan1_input of fan1_max, as fanPercent / 100
    expect(values('bpfscope.gpu.clock.frequency')).toEqual([['graphics', 2105e6], ['memory', 1000e6]]);
    expect(series.get('hw.gpu.utilization')?.points[0]?.attributes).toEqual({
      [SOURCE_ATTRIBUTE]: 'sysfs', 'hw.id': 'drm:card0', 'hw.type': 'gpu', 'hw.vendor': 'amd', 'hw.gpu.task': 'general', 'bpfscope.gpu.driver': 'amdgpu', 'bpfscope.gpu.bus_id': '0000:0b:00.0',
    });
    expect(series.get('hw.fan.speed_ratio')?.points[0]?.attributes).toEqual({ [SOURCE_ATTRIBUTE]: 'sysfs', 'hw.id': 'drm:card0/fan', 'hw.type': 'fan', 'hw.parent': 'drm:card0' });
    // The fences and the programs' counters from the (stand-in) kernel part, marked ebpf; no per-process series without the detail.
    expect(values('bpfscope.gpu.fence.emitted')).toEqual([['undefined', 5]]);
    expect(series.get('bpfscope.gpu.fence.signaled')?.points[0]?.attributes).toEqual({ [SOURCE_ATTRIBUTE]: 'ebpf', 'bpfscope.gpu.fence.driver': 'amdgpu', 'bpfscope.gpu.fence.timeline': 'gfx_0.0.0', 'bpfscope.gpu.fence.context': 12 });
    expect(values('bpfscope.gpu.kernel.invocations')).toEqual([['undefined', 20]]);
    expect(series.has('bpfscope.gpu.cuda.kernel_launches')).toBe(false);
  });

  it('with the process detail: per-process CUDA work and NVML per-process memory', async () => {
    const { values } = await pointsOf(new FakeNvmlReader(null), 'no-drm', true);
    expect(values('bpfscope.gpu.cuda.kernel_launches')).toEqual([['4242', 7]]);
    expect(values('bpfscope.gpu.cuda.allocated')).toEqual([['4242', 3 << 20]]);
    expect(values('bpfscope.gpu.cuda.copied')).toEqual([['4242', 4096], ['4242', 2048], ['4242', 0], ['4242', 0]]);
    expect(values('bpfscope.gpu.process.memory.usage')).toEqual([['nvml:0', 1_073_741_824]]);
    // NVML's device: no fan point (its fan is unavailable), an sm clock.
    expect(values('hw.fan.speed_ratio')).toEqual([]);
    expect(values('bpfscope.gpu.clock.frequency')).toEqual([['graphics', 1740e6], ['sm', 1740e6], ['memory', 6251e6]]);
  });
});
