// cpuTemperature() and graphics() over the thermal and gpu families, read from fixture trees
// (packages/plugin-thermal/test/fixtures, packages/plugin-gpu/test/fixtures): each value is
// the fixture file's, in systeminformation's units and rounding.
import { fileURLToPath } from 'node:url';
import { createEngine, DataUnavailable } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemInformation } from './system-information.js';

const thermalRoot = (m: string): string => fileURLToPath(new URL(`../../plugin-thermal/test/fixtures/${m}/sys`, import.meta.url));
const gpuRoot = (m: string): string => fileURLToPath(new URL(`../../plugin-gpu/test/fixtures/${m}/sys`, import.meta.url));
// No NVML here or on CI; named so that a machine with the driver does not change the answer.
const NO_NVML = { gpu: { nvmlLibrary: '/nonexistent/libnvidia-ml.so.1' } };

const open: SystemInformation[] = [];
const facade = (sysRoot: string): SystemInformation => {
  const si = new SystemInformation({ config: { mode: 'fallback', sysRoot, families: NO_NVML } });
  open.push(si);
  return si;
};
afterEach(async () => {
  for (const si of open.splice(0)) await si.close();
});

describe('cpuTemperature() from the thermal family', () => {
  it('coretemp (ThinkPad T480 tree): the package as main, each core, the ACPI zone as socket', async () => {
    // Package id 0 52000, Core 0..3 49000..52000 m°C; thermal_zone0 acpitz 48000.
    expect(await facade(thermalRoot('intel-thinkpad-t480')).cpuTemperature()).toEqual({ main: 52, cores: [49, 50, 51, 52], max: 52, socket: [48], chipset: null });
  });

  it('k10temp (Ryzen 5900X tree): Tctl 61250 m°C as main, rounded to 0.1 as systeminformation rounds', async () => {
    expect(await facade(thermalRoot('amd-ryzen-5900x-rx6800')).cpuTemperature()).toEqual({ main: 61.3, cores: [], max: 61.3, socket: [], chipset: null });
  });

  it('a machine without sensors: nulls and empty lists, as systeminformation answers there', async () => {
    expect(await facade(thermalRoot('no-sensors')).cpuTemperature()).toEqual({ main: null, cores: [], max: null, socket: [], chipset: null });
  });

  it('an engine given without the thermal plugin: the missing plugin is an error, not an answer of nulls', async () => {
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'fallback' } });
    const si = new SystemInformation({ engine });
    try {
      await expect(si.cpuTemperature()).rejects.toBeInstanceOf(DataUnavailable);
    } finally {
      await si.close();
      await engine.close();
    }
  });
});

describe('graphics() from the gpu family', () => {
  it('amdgpu (RX 6800 tree): one controller with memory in MiB, power in W, the DPM clocks', async () => {
    const g = await facade(gpuRoot('amd-rx6800')).graphics();
    expect(g).toEqual({
      controllers: [
        {
          vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]',
          model: '',
          bus: 'PCI',
          busAddress: '0000:0b:00.0',
          vram: 16368, // mem_info_vram_total 17163091968 B
          vramDynamic: false,
          memoryTotal: 16368,
          memoryUsed: 1229, // mem_info_vram_used 1288359936 B = 1228.7 MiB
          memoryFree: 16368 - 1229,
          utilizationGpu: 37,
          temperatureGpu: 52,
          powerDraw: 48, // power1_average 48000000 µW
          clockCore: 2105,
          clockMemory: 1000,
          fanSpeed: (1120 / 3300) * 100, // fan1_input 1120 of fan1_max 3300 RPM
        },
      ],
      displays: [],
    });
  });

  it('i915 (X1 Carbon tree): integrated, no memory of its own, so vramDynamic; what i915 does not say is null', async () => {
    const [c] = (await facade(gpuRoot('intel-x1c9-i915')).graphics()).controllers;
    expect(c).toEqual({
      vendor: 'Intel Corporation', model: '', bus: 'PCI', busAddress: '0000:00:02.0', vram: null, vramDynamic: true,
      memoryTotal: null, memoryUsed: null, memoryFree: null, utilizationGpu: null, temperatureGpu: null, powerDraw: null, clockCore: 350, clockMemory: null, fanSpeed: null,
    });
  });

  it('a machine without a GPU: empty lists', async () => {
    expect(await facade(gpuRoot('no-drm')).graphics()).toEqual({ controllers: [], displays: [] });
  });
});
