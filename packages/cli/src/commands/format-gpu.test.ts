import { fileURLToPath } from 'node:url';
import { createEngine } from '@bpfscope/core';
import { gpu, type GpuInventory, type GpuMetrics } from '@bpfscope/plugin-gpu';
import { describe, expect, it } from 'vitest';
import { paint } from '../colour.js';
import { formatGpu, formatGpuInventory } from './format-gpu.js';

const sysRoot = (machine: string): string => fileURLToPath(new URL(`../../../plugin-gpu/test/fixtures/${machine}/sys`, import.meta.url));

const tableOf = async (machine: string): Promise<string> => {
  const engine = createEngine({ plugins: [gpu()], config: { mode: 'fallback', sysRoot: sysRoot(machine), logLevel: 'silent' } });
  const r = (await engine.collect()).get('gpu');
  await engine.close();
  return formatGpu(r as NonNullable<typeof r> & { data: GpuMetrics }, paint(false));
};

describe('the gpu table', () => {
  it('one row per device with its figures, then what the driver does not give (RX 6800 fixture, DRM sysfs)', async () => {
    const text = await tableOf('amd-rx6800');
    expect(text.split('\n')).toEqual([
      '  gpu        name    bus           busy%            memory     W    °C   MHz  mem MHz  fan%  note',
      '  drm:card0  amdgpu  0000:0b:00.0     37  1.2 GiB/16.0 GiB  48.0  52.0  2105     1000    34',
      '  drm:card0 name: amdgpu has no product_name for this board (it is read from the FRU EEPROM of server and workstation boards)',
      "  drm:card0 clocks: smMhz: the streaming-multiprocessor clock is NVIDIA's (NVML)",
      '  drm:card0 computeUnitsActive: the driver exposes no count of active compute units in sysfs',
      '  drm:card0 processes: DRM sysfs does not list the processes using a GPU (per-client usage is in /proc/<pid>/fdinfo, which this source does not read)',
      '  unavailable: cuda: per-process CUDA runtime work needs the eBPF source (uprobes on libcudart.so)',
      '  unavailable: fences: per-context GPU jobs need the eBPF source (dma_fence tracepoints)',
      '  unavailable: kernel: kernel-side counters exist only with the eBPF source',
    ]);
  });

  it('an i915 laptop: dashes where the driver gives nothing, each with its reason, never zeros', async () => {
    const text = await tableOf('intel-x1c9-i915');
    expect(text.split('\n').slice(0, 2)).toEqual([
      '  gpu        name  bus           busy%  memory  W  °C  MHz  mem MHz  fan%  note',
      '  drm:card0  i915  0000:00:02.0      -       -  -   -  350        -     -',
    ]);
    expect(text).toContain('  drm:card0 utilizationPercent: i915 has no busy-percentage file in sysfs');
  });

  it('says in lines what doctor found', () => {
    const inv: GpuInventory = {
      sysRoot: '/sys',
      nvml: { library: 'libnvidia-ml.so.1', summary: null, unavailable: 'libnvidia-ml.so.1 is unavailable: not found' },
      drm: { cards: [{ card: 0, driver: 'amdgpu', vendorId: '0x1002', deviceId: '0x73bf', busId: '0000:0b:00.0', skipped: null }, { card: 1, driver: 'simple-framebuffer', vendorId: null, deviceId: null, busId: null, skipped: 'no figures' }], unavailable: null },
      cuda: { runtimes: ['/usr/local/cuda/lib64/libcudart.so.12'], unavailable: null },
      unavailable: null,
    };
    expect(formatGpuInventory(inv)).toBe(
      'NVML: none (libnvidia-ml.so.1 is unavailable: not found)\n    DRM: card0 amdgpu 0x1002:0x73bf at 0000:0b:00.0, card1 simple-framebuffer (skipped)\n    CUDA runtime: /usr/local/cuda/lib64/libcudart.so.12',
    );
  });
});
