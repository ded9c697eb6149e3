// The family's assembly through an engine, with stand-ins for NVML and the kernel part
// (test/fake-parts.ts) and the real DRM reader over fixture trees: the order of the
// sources, where the devices come from, what each fallback says, errors kept.
import { AttachFailed, createEngine, DataUnavailable, InsufficientPermissions, NativeUnavailable, type Engine, type Logger } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { FakeKernel, FakeNvmlReader, fakeParts, gpuWith, KERNEL_READING, kernelNothing, NVML_DEVICE, nvmlAbsent } from '../test/fake-parts.js';
import { sysRootOf } from '../test/fixture-trees.js';
import type { GpuPartFactories } from './part-factories.js';

const logged: Array<[string, string]> = [];
const logger: Logger = { error: (m) => void logged.push(['error', m]), warn: (m) => void logged.push(['warn', m]), info: (m) => void logged.push(['info', m]), debug() {} };
const engineOver = (parts: GpuPartFactories, machine: string, mode: 'auto' | 'fallback' = 'auto', families = {}): Engine =>
  createEngine({ plugins: [gpuWith(parts)], config: { mode, sysRoot: sysRootOf(machine), cache: { enabled: false }, families: { gpu: families } }, logger });
const collect = async (e: Engine) => {
  const snap = await e.collect();
  const stats = e.stats();
  await e.close();
  return { snap, r: snap.get('gpu'), stats };
};
const symbolMissing = (): NativeUnavailable => new NativeUnavailable(['libnvidia-ml.so.1'], 'undefined symbol: nvmlDeviceGetCount_v2');

describe('gpu family: the eBPF source (gpu-ebpf) first', () => {
  it('devices from NVML, marked in fieldSources, beside the kernel part\'s CUDA work and fences', async () => {
    const { snap, r } = await collect(engineOver(fakeParts(new FakeNvmlReader(null), new FakeKernel(null)), 'amd-rx6800'));
    expect(snap.errors).toEqual([]);
    expect(r?.source).toBe('ebpf');
    expect(r?.data.fieldSources).toEqual({ devices: 'nvml' });
    expect(r?.data.devices).toEqual([NVML_DEVICE]);
    expect(r?.data.cuda).toEqual(KERNEL_READING.cuda);
    expect(r?.data.fences).toEqual(KERNEL_READING.fences);
    expect(r?.data.kernel).toEqual({ invocations: 20, drops: 0 });
    expect(r?.data.errors).toEqual({});
    expect(r?.data.unavailable).toEqual({});
  });

  it('NVML not installed: the devices from DRM sysfs (the RX 6800 fixture), no error', async () => {
    const { r } = await collect(engineOver(fakeParts(new FakeNvmlReader(nvmlAbsent()), new FakeKernel(null)), 'amd-rx6800'));
    expect(r?.source).toBe('ebpf');
    expect(r?.data.fieldSources).toEqual({ devices: 'sysfs' });
    expect(r?.data.devices.map((d) => [d.id, d.driver, d.utilizationPercent, d.memoryUsedBytes])).toEqual([['drm:card0', 'amdgpu', 37, 1288359936]]);
    expect(r?.data.errors).toEqual({});
  });

  it('NVML there but broken (a symbol missing): its error kept in errors.devices, logged, counted; the devices from DRM', async () => {
    logged.length = 0;
    const { r, stats } = await collect(engineOver(fakeParts(new FakeNvmlReader(symbolMissing()), new FakeKernel(null)), 'amd-rx6800'));
    expect(r?.data.fieldSources).toEqual({ devices: 'sysfs' });
    expect(r?.data.devices).toHaveLength(1);
    expect(r?.data.errors.devices).toBeInstanceOf(NativeUnavailable);
    expect(r?.data.errors.devices?.message).toMatch(/undefined symbol: nvmlDeviceGetCount_v2/);
    expect(logged).toContainEqual(['warn', 'gpu: NVML failed; trying the next device reader']);
    expect(stats.collectors.find((c) => c.family === 'gpu')?.sourceStats?.counters).toEqual({ reads: 1, kernelReadErrors: 0, deviceReadersFailed: 1, deviceReadersAbsent: 0 });
  });

  it('no device reader but the programs attach: devices empty with the reason, CUDA work still read', async () => {
    const { r } = await collect(engineOver(fakeParts(new FakeNvmlReader(nvmlAbsent()), new FakeKernel(null)), 'no-drm'));
    expect(r?.source).toBe('ebpf');
    expect(r?.data.devices).toEqual([]);
    expect(r?.data.unavailable.devices).toMatch(/^no device reader found a GPU: NVML: libnvidia-ml.so.1 is unavailable: dlopen found no such library; DRM sysfs: DRM sysfs is unavailable: .*no-drm\/sys\/class\/drm does not exist/);
    expect(r?.data.cuda).toHaveLength(1);
  });

  it('a kernel read that fails: its error in errors.kernel, the devices still read', async () => {
    const failing = new FakeKernel(null, KERNEL_READING, new DataUnavailable('gpu_cuda map', 'gone'));
    const { r } = await collect(engineOver(fakeParts(new FakeNvmlReader(null), failing), 'no-drm'));
    expect(r?.data.devices).toEqual([NVML_DEVICE]);
    expect(r?.data.errors.kernel?.message).toBe('gpu_cuda map is unavailable: gone');
    expect(r?.data.kernel).toBeNull();
  });
});

describe('gpu family: the fallbacks', () => {
  it('the programs do not attach: gpu-nvml, saying CUDA work, fences and kernel counters need eBPF; the attach error is the fallback', async () => {
    const kernel = new FakeKernel(new AttachFailed('gpu_launch', 'uprobe', 'permission denied'));
    const nvml = new FakeNvmlReader(null);
    const { snap, r } = await collect(engineOver(fakeParts(nvml, kernel), 'amd-rx6800'));
    expect(snap.errors).toEqual([]);
    expect(r?.source).toBe('nvml');
    expect(r?.fallback).toBeInstanceOf(AttachFailed);
    expect(r?.data.fieldSources).toEqual({});
    expect(r?.data.devices).toEqual([NVML_DEVICE]);
    expect(Object.keys(r?.data.unavailable ?? {}).sort()).toEqual(['cuda', 'fences', 'kernel']);
    expect(r?.data.unavailable.cuda).toMatch(/needs the eBPF source \(uprobes on libcudart.so\)/);
    expect(r?.data.unavailable.fences).toMatch(/dma_fence tracepoints/);
    // The eBPF source closed what it had opened: NVML reader opened twice (eBPF, then gpu-nvml), closed once.
    expect([nvml.opens, nvml.closes, kernel.closes]).toEqual([2, 2, 1]);
  });

  it('mode fallback and NVML broken: gpu-sysfs, the devices from the fixture', async () => {
    const { r, stats } = await collect(engineOver(fakeParts(new FakeNvmlReader(symbolMissing()), new FakeKernel(null)), 'intel-x1c9-i915', 'fallback'));
    expect(r?.source).toBe('sysfs');
    expect(r?.data.devices.map((d) => [d.id, d.driver, d.clocks.graphicsMhz])).toEqual([['drm:card0', 'i915', 350]]);
    expect(stats.collectors.find((c) => c.family === 'gpu')?.rejected.map((x) => [x.source, x.code])).toEqual([['gpu-ebpf', 'DATA_UNAVAILABLE'], ['gpu-nvml', 'NATIVE_UNAVAILABLE']]);
  });
});

describe('gpu family: nothing found', () => {
  it('no NVML, no DRM card, nothing to attach: unavailable, naming what every part looked for, never zeros', async () => {
    const { snap, r } = await collect(engineOver(fakeParts(new FakeNvmlReader(nvmlAbsent()), new FakeKernel(kernelNothing())), 'vm-simpledrm'));
    expect(r).toBeUndefined();
    const err = snap.errors.find((e) => e.family === 'gpu')?.error as DataUnavailable;
    expect(err).toBeInstanceOf(DataUnavailable);
    expect(err.reason).toMatch(/^no GPU found here: NVML: libnvidia-ml.so.1 is unavailable: .*; DRM sysfs: .*card0 simple-framebuffer: driver simple-framebuffer has no GPU figures.*; eBPF: gpu eBPF programs is unavailable: no libcudart.so found and no dma_fence tracepoint$/);
    expect(err.details.lookedFor).toEqual(['libnvidia-ml.so.1', 'class/drm/card* with driver amdgpu|i915|xe', 'libcudart.so*', 'dma_fence:dma_fence_init']);
  });

  it('no device reader and the programs cannot even look (no privilege): still "no GPU found", the privilege error its cause and remedy', async () => {
    const denied = new InsufficientPermissions('load the gpu programs', ['CAP_BPF', 'CAP_PERFMON']);
    const { snap } = await collect(engineOver(fakeParts(new FakeNvmlReader(nvmlAbsent()), new FakeKernel(denied)), 'no-drm'));
    const err = snap.errors.find((e) => e.family === 'gpu')?.error as DataUnavailable;
    expect(err).toBeInstanceOf(DataUnavailable);
    expect(err.reason).toMatch(/; eBPF: .*load the gpu programs/);
    expect(err.cause).toBe(denied);
    expect(err.remedy).toContain(`And for eBPF: ${denied.remedy}`);
  });

  it('mode fallback: the first device source\'s error names NVML and DRM', async () => {
    const { snap } = await collect(engineOver(fakeParts(new FakeNvmlReader(nvmlAbsent()), new FakeKernel(null)), 'no-drm', 'fallback'));
    const err = snap.errors.find((e) => e.family === 'gpu')?.error as DataUnavailable;
    expect(err.details.lookedFor).toEqual(['libnvidia-ml.so.1', 'class/drm/card* with driver amdgpu|i915|xe']);
  });
});

describe('gpu family options', () => {
  it('config.families.gpu overrides the factory\'s nvmlLibrary and cudaRuntimes', async () => {
    const parts = fakeParts(new FakeNvmlReader(null), new FakeKernel(null));
    await collect(engineOver(parts, 'no-drm', 'auto', { nvmlLibrary: '/opt/nvidia/libnvidia-ml.so.1', cudaRuntimes: ['/opt/cuda/lib64/libcudart.so.12'] }));
    expect(parts.options[0]).toMatchObject({ nvmlLibrary: '/opt/nvidia/libnvidia-ml.so.1', cudaRuntimes: ['/opt/cuda/lib64/libcudart.so.12'] });
  });

  it('a relative CUDA runtime path in the config is a ConfigError naming it', async () => {
    const e = engineOver(fakeParts(new FakeNvmlReader(null), new FakeKernel(null)), 'no-drm', 'auto', { cudaRuntimes: ['libcudart.so'] });
    await expect(e.start()).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'gpu.cudaRuntimes', value: ['libcudart.so'] });
    await e.close();
  });
});
