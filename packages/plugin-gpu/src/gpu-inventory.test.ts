import { DataUnavailable } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { FakeKernel, FakeNvmlReader, fakeParts, nvmlAbsent } from '../test/fake-parts.js';
import { sysRootOf } from '../test/fixture-trees.js';
import { gpuInventory, takeGpuInventory } from './gpu-inventory.js';

const noRuntime = new DataUnavailable('CUDA runtime', 'no libcudart.so in the linker cache', { details: { lookedFor: ['libcudart.so*'] } });

describe('gpu inventory (doctor)', () => {
  it('NVML found, the amdgpu card listed with its ids, the CUDA runtimes', () => {
    const inv = takeGpuInventory({ sysRoot: sysRootOf('amd-rx6800') }, fakeParts(new FakeNvmlReader(null), new FakeKernel(null)));
    expect(inv).toEqual({
      sysRoot: sysRootOf('amd-rx6800'),
      nvml: { library: 'libnvidia-ml.so.1', summary: 'NVML 12.535.104 (stand-in), 1 device', unavailable: null },
      drm: { cards: [{ card: 0, driver: 'amdgpu', vendorId: '0x1002', deviceId: '0x73bf', busId: '0000:0b:00.0', skipped: null }], unavailable: null },
      cuda: { runtimes: ['/opt/cuda/lib64/libcudart.so.12'], unavailable: null },
      unavailable: null,
      noDevice: null,
    });
  });

  it('a VM: NVML not there, the simpledrm card listed as skipped, no CUDA runtime: unavailable with each reason', () => {
    const nvml = new FakeNvmlReader(nvmlAbsent());
    const inv = takeGpuInventory({ sysRoot: sysRootOf('vm-simpledrm') }, fakeParts(nvml, new FakeKernel(null), noRuntime));
    expect(inv.drm.cards).toEqual([{ card: 0, driver: 'simple-framebuffer', vendorId: null, deviceId: null, busId: null, skipped: 'driver simple-framebuffer has no GPU figures in sysfs that this reader knows (it reads amdgpu, i915, xe)' }]);
    expect(inv.unavailable).toBe(
      `no GPU found here: NVML: libnvidia-ml.so.1 is unavailable: dlopen found no such library; DRM sysfs: no card of amdgpu, i915 or xe below ${sysRootOf('vm-simpledrm')}/class/drm; CUDA runtime: CUDA runtime is unavailable: no libcudart.so in the linker cache`,
    );
    expect(inv.noDevice).toBe(`no GPU device here: NVML: libnvidia-ml.so.1 is unavailable: dlopen found no such library; DRM sysfs: no card of amdgpu, i915 or xe below ${sysRootOf('vm-simpledrm')}/class/drm`);
    expect([nvml.opens, nvml.closes]).toEqual([1, 1]);
  });

  it('a CUDA runtime without a device: the family has something to read (eBPF), but no device', () => {
    const inv = takeGpuInventory({ sysRoot: sysRootOf('no-drm') }, fakeParts(new FakeNvmlReader(nvmlAbsent()), new FakeKernel(null)));
    expect(inv.cuda.runtimes).toEqual(['/opt/cuda/lib64/libcudart.so.12']);
    expect(inv.unavailable).toBeNull();
    expect(inv.noDevice).toBe(`no GPU device here: NVML: libnvidia-ml.so.1 is unavailable: dlopen found no such library; DRM sysfs: ${sysRootOf('no-drm')}/class/drm does not exist (no DRM driver is loaded, or no display or GPU device)`);
  });

  it('the public function over a tree without class/drm says so', () => {
    const inv = gpuInventory({ sysRoot: sysRootOf('no-drm'), nvmlLibrary: '/nonexistent/libnvidia-ml.so.1' });
    expect(inv.nvml).toMatchObject({ library: '/nonexistent/libnvidia-ml.so.1', summary: null });
    expect(inv.drm).toEqual({ cards: [], unavailable: `${sysRootOf('no-drm')}/class/drm does not exist (no DRM driver is loaded, or no display or GPU device)` });
  });
});
