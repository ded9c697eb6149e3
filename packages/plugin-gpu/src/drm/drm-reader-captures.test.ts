// The DRM reader against trees built from other projects' captures of amdgpu device
// directories (test/fixtures/README.md gives each one's repository, path, commit, licence
// and what the source says of its origin). Every figure is compared exactly with its file.
import { DataUnavailable } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { fixtureReader, sysRootOf } from '../../test/fixture-trees.js';
import { DrmReader } from './drm-reader.js';

const readerOf = (machine: string): DrmReader => {
  const r = new DrmReader(fixtureReader(machine));
  r.open();
  return r;
};
const NO_NAME = 'amdgpu has no product_name for this board (it is read from the FRU EEPROM of server and workstation boards)';
const NO_SM = 'smMhz: the streaming-multiprocessor clock is NVIDIA\'s (NVML)';

describe('DRM reader: Radeon RX Vega 64 (prometheus/procfs capture, no hwmon in it)', () => {
  const r = readerOf('amd-vega64-procfs');
  const [d, ...rest] = r.read();

  it('names the card from vendor 0x1002, device 0x687f and the bus id 0000:09:00.0', () => {
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ id: 'drm:card0', index: 0, vendor: 'amd', driver: 'amdgpu', busId: '0000:09:00.0', source: 'sysfs', name: null, error: null });
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('amd-vega64-procfs')}: card0 amdgpu 0x1002:0x687f at 0000:09:00.0`);
  });

  it('reads gpu_busy_percent 4, VRAM 1490378752 of 8573157376 bytes, sclk level 0 (852 MHz), mclk level 0 (167 MHz)', () => {
    expect([d!.utilizationPercent, d!.memoryUsedBytes, d!.memoryTotalBytes]).toEqual([4, 1490378752, 8573157376]);
    expect(d!.clocks).toEqual({ graphicsMhz: 852, smMhz: null, memoryMhz: 167 });
  });

  it('an empty product_name (a board without FRU EEPROM) is no name, and the absent hwmon chip leaves power, temperature and fan unavailable', () => {
    for (const k of ['powerMilliwatts', 'temperatureCelsius', 'fanPercent', 'computeUnitsActive', 'processes'] as const) expect(d![k]).toBeNull();
    expect(d!.unavailable.name).toBe(NO_NAME);
    expect(d!.unavailable.clocks).toBe(NO_SM);
    for (const k of ['powerMilliwatts', 'temperatureCelsius', 'fanPercent'] as const) {
      expect(d!.unavailable[k]).toBe('amdgpu registered no hwmon chip for this GPU (device/hwmon is missing)');
    }
    expect(Object.keys(d!.unavailable).sort()).toEqual(['clocks', 'computeUnitsActive', 'fanPercent', 'name', 'powerMilliwatts', 'processes', 'temperatureCelsius']);
  });
});

describe('DRM reader: Radeon RX Vega 56 (amdgpu-sysfs-rs capture, with its hwmon chip)', () => {
  const r = readerOf('amd-vega56-lact');
  const [d] = r.read();

  it('reads every figure from the files', () => {
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'amd', driver: 'amdgpu', busId: '0000:0b:00.0', name: null, error: null });
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('amd-vega56-lact')}: card0 amdgpu 0x1002:0x687f at 0000:0b:00.0`);
    expect([d!.utilizationPercent, d!.memoryUsedBytes, d!.memoryTotalBytes]).toEqual([0, 16613376, 8573157376]);
    expect(d!.clocks).toEqual({ graphicsMhz: 852, smMhz: null, memoryMhz: 167 });
    expect(d!.powerMilliwatts).toBe(8000); // power1_average 8000000 µW
    expect(d!.temperatureCelsius).toBe(38); // temp1_input (edge) 38000 m°C
    expect(d!.fanPercent).toBe(0); // pwm1 0 of 255 (fan1_input reads 5 RPM: the fan is stopping)
    expect(Object.keys(d!.unavailable).sort()).toEqual(['clocks', 'computeUnitsActive', 'name', 'processes']);
  });
});

describe('DRM reader: Radeon RX 6900 XT (amdgpu-sysfs-rs capture, without the PCI `device` file)', () => {
  const r = readerOf('amd-rx6900xt-lact');
  const [d] = r.read();

  it('reads every figure, two-level sclk and four-level mclk included, and power, edge temperature and fan from hwmon5', () => {
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'amd', driver: 'amdgpu', busId: '0000:0c:00.0', name: null });
    expect([d!.utilizationPercent, d!.memoryUsedBytes, d!.memoryTotalBytes]).toEqual([3, 668274688, 17163091968]);
    expect(d!.clocks).toEqual({ graphicsMhz: 500, smMhz: null, memoryMhz: 1000 }); // sclk level 0 of 2, mclk level 3 of 4
    expect(d!.powerMilliwatts).toBe(36000); // power1_average 36000000 µW
    expect(d!.temperatureCelsius).toBe(56); // temp1_input (edge) 56000 m°C
    expect(d!.fanPercent).toBe(0); // pwm1 0 (zero-RPM idle: fan1_input 0)
    expect(Object.keys(d!.unavailable).sort()).toEqual(['clocks', 'computeUnitsActive', 'name', 'processes']);
  });

  it('the missing PCI device id is the device\'s error (ENOENT), shown as "?", and stops no figure', () => {
    expect(d!.error).toBeInstanceOf(DataUnavailable);
    expect(d!.error?.message).toMatch(/class\/drm\/card0\/device\/device is unavailable: the file does not exist/);
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('amd-rx6900xt-lact')}: card0 amdgpu 0x1002:? at 0000:0c:00.0`);
  });
});
