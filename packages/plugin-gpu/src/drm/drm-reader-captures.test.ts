// The DRM reader against trees built from other projects' captures of amdgpu device
// directories (test/fixtures/README.md gives each one's repository, path, commit, licence
// and what the source says of its origin). Every figure is compared exactly with its file.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProcfsReader, DataUnavailable } from '@bpfscope/core';
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

describe('DRM reader: Radeon RX Vega 56 (LACT debug snapshot, with its hwmon chip)', () => {
  const r = readerOf('amd-vega56-lact');
  const [d] = r.read();

  it('reads every figure from the files', () => {
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'amd', driver: 'amdgpu', busId: '0000:0b:00.0', name: null, error: null });
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('amd-vega56-lact')}: card0 amdgpu 0x1002:0x687f at 0000:0b:00.0`);
    expect([d!.utilizationPercent, d!.memoryUsedBytes, d!.memoryTotalBytes]).toEqual([0, 16613376, 8573157376]);
    expect(d!.clocks).toEqual({ graphicsMhz: 852, smMhz: null, memoryMhz: 167 });
    expect(d!.powerMilliwatts).toBe(8000); // power1_average 8000000 µW
    expect(d!.temperatureCelsius).toBe(38); // temp1_input (edge) 38000 m°C
    expect(d!.fanPercent).toBe((5 / 3500) * 100); // fan1_input 5 of fan1_max 3500 RPM: the fan is stopping (pwm1 reads 0)
    expect(Object.keys(d!.unavailable).sort()).toEqual(['clocks', 'computeUnitsActive', 'name', 'processes']);
  });
});

describe('DRM reader: Radeon RX 6900 XT (LACT debug snapshot, without the PCI `device` file)', () => {
  const r = readerOf('amd-rx6900xt-lact');
  const [d] = r.read();

  it('reads every figure, two-level sclk and four-level mclk included, and power, edge temperature and fan from hwmon5', () => {
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'amd', driver: 'amdgpu', busId: '0000:0c:00.0', name: null });
    expect([d!.utilizationPercent, d!.memoryUsedBytes, d!.memoryTotalBytes]).toEqual([3, 668274688, 17163091968]);
    expect(d!.clocks).toEqual({ graphicsMhz: 500, smMhz: null, memoryMhz: 1000 }); // sclk level 0 of 2, mclk level 3 of 4
    expect(d!.powerMilliwatts).toBe(36000); // power1_average 36000000 µW
    expect(d!.temperatureCelsius).toBe(56); // temp1_input (edge) 56000 m°C
    expect(d!.fanPercent).toBe(0); // fan1_input 0 of fan1_max 3400 RPM (zero-RPM idle; pwm1 0)
    expect(Object.keys(d!.unavailable).sort()).toEqual(['clocks', 'computeUnitsActive', 'name', 'processes']);
  });

  it('the missing PCI device id is the device\'s error (ENOENT), shown as "?", and stops no figure', () => {
    expect(d!.error).toBeInstanceOf(DataUnavailable);
    expect(d!.error?.message).toMatch(/class\/drm\/card0\/device\/device is unavailable: the file does not exist/);
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('amd-rx6900xt-lact')}: card0 amdgpu 0x1002:? at 0000:0c:00.0`);
  });
});

// LACT debug snapshots (tests/snapshots/<vendor>/<model>/): the card directory, its gt/ and device/.
describe('DRM reader: Ryzen 7040 "Phoenix" APU graphics (LACT snapshot; 0x1002:0x15bf, no fan)', () => {
  const r = readerOf('amd-phoenix-apu-lact');
  const [d] = r.read();

  it('reads card1: busy 0, the 4 GiB carve-out with 1272893440 bytes used, sclk 800 and mclk 400 MHz, PPT power1_average 3103 mW, edge 25 °C', () => {
    expect(d).toMatchObject({ id: 'drm:card1', index: 1, vendor: 'amd', driver: 'amdgpu', busId: '0000:64:00.0', name: null, error: null });
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('amd-phoenix-apu-lact')}: card1 amdgpu 0x1002:0x15bf at 0000:64:00.0`);
    expect([d!.utilizationPercent, d!.memoryUsedBytes, d!.memoryTotalBytes]).toEqual([0, 1272893440, 4294967296]);
    expect(d!.clocks).toEqual({ graphicsMhz: 800, smMhz: null, memoryMhz: 400 });
    expect(d!.powerMilliwatts).toBe(3103); // power1_average 3103000 µW, before power1_input 3142000
    expect(d!.temperatureCelsius).toBe(25);
  });

  it('an APU has no fan and (here) no product_name file: each said', () => {
    expect(d!.fanPercent).toBeNull();
    expect(d!.unavailable.fanPercent).toMatch(/^amdgpu hwmon has no fan1_input with fan1_max, nor pwm1/);
    expect(d!.unavailable.name).toBe(NO_NAME);
    expect(Object.keys(d!.unavailable).sort()).toEqual(['clocks', 'computeUnitsActive', 'fanPercent', 'name', 'processes']);
  });
});

describe('DRM reader: Radeon R7 240 (Oland, Southern Islands; LACT snapshot)', () => {
  const [d] = readerOf('amd-r7-240-lact').read();

  it('reads VRAM 495321088 of 2147483648 bytes, edge 52 °C and pwm1 103 of 255 (no tachometer)', () => {
    expect(d).toMatchObject({ id: 'drm:card1', vendor: 'amd', driver: 'amdgpu', busId: '0000:01:00.0', name: null });
    expect([d!.memoryUsedBytes, d!.memoryTotalBytes]).toEqual([495321088, 2147483648]);
    expect(d!.temperatureCelsius).toBe(52);
    expect(d!.fanPercent).toBe((103 / 255) * 100);
  });

  it('no gpu_busy_percent, empty pp_dpm_sclk/pp_dpm_mclk and a PPT label without a reading: each unavailable with its reason, no error', () => {
    expect([d!.utilizationPercent, d!.powerMilliwatts, d!.clocks.graphicsMhz, d!.clocks.memoryMhz]).toEqual([null, null, null, null]);
    expect(d!.unavailable.utilizationPercent).toBe('amdgpu has no gpu_busy_percent for this GPU');
    expect(d!.unavailable.clocks).toBe(`graphicsMhz: amdgpu lists no levels in pp_dpm_sclk for this GPU (the file is empty); ${NO_SM}; memoryMhz: amdgpu lists no levels in pp_dpm_mclk for this GPU (the file is empty)`);
    expect(d!.unavailable.powerMilliwatts).toBe('amdgpu hwmon has no power1_average, power1_input, energy1_input or energy2_input');
    expect(d!.error).toBeNull();
  });
});

// The Intel ones.
const NO_DEVICE_FILE = /device\/device is unavailable: the file does not exist/;

describe('DRM reader: i915 on Comet Lake UHD Graphics (LACT snapshot; integrated, no hwmon)', () => {
  const r = readerOf('intel-cometlake-i915-lact');
  const [d] = r.read();

  it('reads gt_act_freq_mhz 300, says why the rest is not there, and keeps the missing `device` file as the error', () => {
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'intel', driver: 'i915', busId: '0000:00:02.0', name: null });
    expect(d!.clocks).toEqual({ graphicsMhz: 300, smMhz: null, memoryMhz: null });
    for (const k of ['utilizationPercent', 'memoryUsedBytes', 'memoryTotalBytes', 'powerMilliwatts', 'temperatureCelsius', 'fanPercent'] as const) expect(d![k]).toBeNull();
    expect(d!.unavailable.temperatureCelsius).toMatch(/only for discrete GPUs/);
    expect(d!.error?.message).toMatch(NO_DEVICE_FILE);
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('intel-cometlake-i915-lact')}: card0 i915 0x8086:? at 0000:00:02.0`);
  });
});

describe('DRM reader: Arc A380 under i915 (LACT snapshot; discrete, hwmon1)', () => {
  const r = readerOf('intel-a380-i915-lact');
  const [d] = r.read();

  it('reads card1: gt_act_freq_mhz 600, temp1_input 55 °C; power waits for a second energy1_input; fan1_input without fan1_max is no percentage', () => {
    expect(d).toMatchObject({ id: 'drm:card1', index: 1, vendor: 'intel', driver: 'i915', busId: '0000:0b:00.0', name: null });
    expect(d!.clocks.graphicsMhz).toBe(600);
    expect(d!.temperatureCelsius).toBe(55);
    expect(d!.powerMilliwatts).toBeNull();
    expect(d!.unavailable.powerMilliwatts).toBe('power is the rate of the hwmon energy1_input counter between two readings: this is the first reading');
    expect(d!.fanPercent).toBeNull();
    expect(d!.unavailable.fanPercent).toMatch(/^i915 hwmon has no fan1_input with fan1_max, nor pwm1/);
    expect(d!.error?.message).toMatch(NO_DEVICE_FILE);
  });

  it('a second reading of the unchanged counter gives no rate, not 0 W', () => {
    expect(r.read()[0]!.unavailable.powerMilliwatts).toBe('energy1_input did not move since the previous reading (read again too soon): no rate');
  });
});

describe('DRM reader: Arc A380 under xe (LACT snapshot; hwmon0 has only the package counter energy2)', () => {
  const [d] = readerOf('intel-a380-xe-lact').read();

  it('reads 0x8086:0x56a5, act_freq 0 (the GT idles in RC6) and temp2 (pkg) 56 °C; fan1_input 945 RPM without fan1_max is no percentage', () => {
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'intel', driver: 'xe', busId: '0000:08:00.0', name: null, error: null });
    expect(d!.clocks.graphicsMhz).toBe(0);
    expect(d!.temperatureCelsius).toBe(56);
    expect(d!.fanPercent).toBeNull();
  });

  it('takes power from energy2_input when there is no energy1_input: µJ over the monotonic time between two readings', () => {
    expect(d!.unavailable.powerMilliwatts).toBe('power is the rate of the hwmon energy2_input counter between two readings: this is the first reading');
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-gpu-a380-'));
    try {
      cpSync(sysRootOf('intel-a380-xe-lact'), join(dir, 'sys'), { recursive: true, verbatimSymlinks: true });
      const times = [1_000_000_000n, 3_000_000_000n];
      const r = new DrmReader(createProcfsReader('/proc', join(dir, 'sys')), { monotonicNs: () => times.shift()! });
      r.open();
      expect(r.read()[0]!.powerMilliwatts).toBeNull(); // energy2_input 59540970520 µJ
      writeFileSync(join(dir, 'sys/class/drm/card0/device/hwmon/hwmon0/energy2_input'), `${59540970520 + 30_000_000}\n`); // 30 J in 2 s
      expect(r.read()[0]!.powerMilliwatts).toBe(15_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DRM reader: Arc B580 under xe (LACT snapshot; hwmon2 with fan control)', () => {
  const r = readerOf('intel-b580-xe-lact');
  const [d] = r.read();

  it('reads 0x8086:0xe20b at 0000:09:00.0, act_freq 0, temp2 (pkg) 54 °C, and power from energy1_input (card) at the second reading', () => {
    expect(d).toMatchObject({ id: 'drm:card1', vendor: 'intel', driver: 'xe', busId: '0000:09:00.0', name: null, error: null });
    expect(r.info().summary).toBe(`DRM sysfs below ${sysRootOf('intel-b580-xe-lact')}: card1 xe 0x8086:0xe20b at 0000:09:00.0`);
    expect(d!.clocks.graphicsMhz).toBe(0);
    expect(d!.temperatureCelsius).toBe(54);
    expect(d!.unavailable.powerMilliwatts).toBe('power is the rate of the hwmon energy1_input counter between two readings: this is the first reading');
  });

  it('the fan from the tachometer, 1116 of 2160 RPM, not from pwm1, which reads 0 in automatic mode (pwm1_enable 2)', () => {
    expect(d!.fanPercent).toBe((1116 / 2160) * 100);
  });
});
