// The DRM reader against fixture trees (test/fixtures/README.md): every figure compared
// exactly with the files' values; malformed and unreadable files each leave their figure
// null with the error, the others still read.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProcfsReader, DataUnavailable, EventProcessingFailed } from '@bpfscope/core';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureReader, malformedWithEio, sysRootOf } from '../../test/fixture-trees.js';
import { DrmReader } from './drm-reader.js';

const readerOf = (machine: string): DrmReader => {
  const r = new DrmReader(fixtureReader(machine));
  r.open();
  return r;
};

describe('DRM reader: amdgpu (Radeon RX 6800 fixture)', () => {
  const r = readerOf('amd-rx6800');
  const [d, ...rest] = r.read();

  it('finds card0 only (not the connectors card0-DP-1, card0-HDMI-A-1, nor renderD128) with its identity from the links', () => {
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ id: 'drm:card0', index: 0, vendor: 'amd', driver: 'amdgpu', busId: '0000:0b:00.0', source: 'sysfs', name: null, error: null });
    expect(r.info()).toEqual({ kind: 'sysfs', summary: `DRM sysfs below ${sysRootOf('amd-rx6800')}: card0 amdgpu 0x1002:0x73bf at 0000:0b:00.0` });
  });

  it('reads busy percent, VRAM, the current DPM levels, and power, temperature and fan from its hwmon chip', () => {
    expect(d!.utilizationPercent).toBe(37);
    expect(d!.memoryUsedBytes).toBe(1288359936);
    expect(d!.memoryTotalBytes).toBe(17163091968);
    expect(d!.clocks).toEqual({ graphicsMhz: 2105, smMhz: null, memoryMhz: 1000 });
    expect(d!.powerMilliwatts).toBe(48000); // power1_average 48000000 µW
    expect(d!.temperatureCelsius).toBe(52); // temp1_input (edge) 52000 m°C
    expect(d!.fanPercent).toBe((1120 / 3300) * 100); // fan1_input 1120 of fan1_max 3300 RPM (before pwm1, 89 of 255)
  });

  it('says why the rest is not there', () => {
    expect(Object.keys(d!.unavailable).sort()).toEqual(['clocks', 'computeUnitsActive', 'name', 'processes']);
    expect(d!.unavailable.name).toMatch(/no product_name/);
    expect(d!.unavailable.clocks).toMatch(/^smMhz: .*NVIDIA/);
    expect(d!.unavailable.processes).toMatch(/fdinfo/);
  });
});

describe('DRM reader: i915 (ThinkPad X1 Carbon Gen 9 fixture)', () => {
  const [d] = readerOf('intel-x1c9-i915').read();

  it('reads the actual GPU frequency (gt_act_freq_mhz, not the requested gt_cur_freq_mhz)', () => {
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'intel', driver: 'i915', busId: '0000:00:02.0', error: null });
    expect(d!.clocks).toEqual({ graphicsMhz: 350, smMhz: null, memoryMhz: null });
  });

  it('says that i915 has no busy percentage, no VRAM files and (integrated) no hwmon, never zeros', () => {
    for (const k of ['utilizationPercent', 'memoryUsedBytes', 'memoryTotalBytes', 'powerMilliwatts', 'temperatureCelsius', 'fanPercent'] as const) expect(d![k]).toBeNull();
    expect(d!.unavailable.utilizationPercent).toMatch(/i915 has no busy-percentage file in sysfs/);
    expect(d!.unavailable.memoryTotalBytes).toMatch(/i915 has no device-memory usage files/);
    expect(d!.unavailable.powerMilliwatts).toMatch(/only for discrete GPUs/);
  });
});

describe('DRM reader: xe (Arc B580 fixture)', () => {
  const [d] = readerOf('intel-arc-b580-xe').read();

  it('reads tile0/gt0/freq0/act_freq and the first hwmon temperature (temp2, pkg)', () => {
    expect(d!.unavailable.powerMilliwatts).toBe('power is the rate of the hwmon energy1_input counter between two readings: this is the first reading');
    expect(d).toMatchObject({ id: 'drm:card0', vendor: 'intel', driver: 'xe', busId: '0000:03:00.0', error: null });
    expect(d!.clocks.graphicsMhz).toBe(2850);
    expect(d!.temperatureCelsius).toBe(54);
  });

  it('a fan speed without its maximum: no percentage, said, not guessed', () => {
    expect(d!.fanPercent).toBeNull();
    expect(d!.unavailable.fanPercent).toMatch(/no fan1_input with fan1_max, nor pwm1/);
  });

  it('power from the energy counter (no power file): null at the first reading, then µJ over the monotonic time between readings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-gpu-energy-'));
    try {
      cpSync(sysRootOf('intel-arc-b580-xe'), join(dir, 'sys'), { recursive: true, verbatimSymlinks: true });
      const energy = join(dir, 'sys/class/drm/card0/device/hwmon/hwmon3/energy1_input');
      const times = [1_000_000_000n, 1_500_000_000n, 2_000_000_000n, 2_500_000_000n];
      const r = new DrmReader(createProcfsReader('/proc', join(dir, 'sys')), { monotonicNs: () => times.shift()! });
      r.open();
      const first = r.read()[0]!;
      expect(first.powerMilliwatts).toBeNull();
      expect(first.unavailable.powerMilliwatts).toBe('power is the rate of the hwmon energy1_input counter between two readings: this is the first reading');
      writeFileSync(energy, `${123456789012 + 25_000_000}\n`); // 25 J in 0.5 s
      expect(r.read()[0]!.powerMilliwatts).toBe(50_000);
      const still = r.read()[0]!; // the counter did not move: no rate, not 0 W
      expect(still.powerMilliwatts).toBeNull();
      expect(still.unavailable.powerMilliwatts).toMatch(/did not move since the previous reading/);
      writeFileSync(energy, '1000\n');
      expect(r.read()[0]!.unavailable.powerMilliwatts).toMatch(/went back since the previous reading/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DRM reader: malformed files', () => {
  const eio = malformedWithEio();
  afterAll(() => eio.remove());
  const r = new DrmReader(createProcfsReader('/proc', eio.sysRoot));
  r.open();
  const [d] = r.read();

  it('reads what is well formed: VRAM total, fan', () => {
    expect(d!.memoryTotalBytes).toBe(8573157376);
    expect(d!.fanPercent).toBe((128 / 255) * 100);
  });

  it('each bad file leaves its figure null with its error: empty, non-numeric, no current level, a bad line, a real EIO', () => {
    expect(d!.utilizationPercent).toBeNull();
    expect(d!.unavailable.utilizationPercent).toMatch(/^EVENT_PROCESSING_FAILED: .*gpu_busy_percent line 1: the file is empty/);
    expect(d!.memoryUsedBytes).toBeNull();
    expect(d!.unavailable.memoryUsedBytes).toMatch(/mem_info_vram_used line 1: not a non-negative integer/);
    expect(d!.clocks).toEqual({ graphicsMhz: null, smMhz: null, memoryMhz: null });
    expect(d!.unavailable.clocks).toMatch(/pp_dpm_sclk line 1: no level is marked \*.*; smMhz: .*; .*pp_dpm_mclk line 2: not a DPM level/);
    expect(d!.powerMilliwatts).toBeNull();
    expect(d!.unavailable.powerMilliwatts).toMatch(/power1_average line 1: not a non-negative integer/);
    expect(d!.temperatureCelsius).toBeNull();
    expect(d!.unavailable.temperatureCelsius).toMatch(/^DATA_UNAVAILABLE: .*temp1_input is unavailable: the driver could not read it \(EIO/);
  });

  it('keeps the first error as the device\'s error', () => {
    expect(d!.error).toBeInstanceOf(EventProcessingFailed);
    expect(d!.error?.message).toMatch(/gpu_busy_percent/);
  });
});

describe('DRM reader: no GPU', () => {
  it('a tree without class/drm: DataUnavailable naming what was looked for', () => {
    const r = new DrmReader(fixtureReader('no-drm'));
    expect(() => r.open()).toThrow(DataUnavailable);
    expect(() => r.open()).toThrow(`DRM sysfs is unavailable: ${sysRootOf('no-drm')}/class/drm does not exist`);
    try {
      r.open();
    } catch (e) {
      expect((e as DataUnavailable).details.lookedFor).toEqual(['class/drm/card* with driver amdgpu|i915|xe']);
    }
  });

  it('a virtual machine with only the firmware framebuffer (simpledrm): the card is named and skipped, not read as a GPU', () => {
    const r = new DrmReader(fixtureReader('vm-simpledrm'));
    expect(() => r.open()).toThrow(/no card of a driver this reader knows below .*vm-simpledrm\/sys\/class\/drm: card0 simple-framebuffer: driver simple-framebuffer has no GPU figures/);
  });

  it('a card that goes away after open: the device is kept with its error and no figure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-gpu-gone-'));
    try {
      cpSync(sysRootOf('amd-rx6800'), join(dir, 'sys'), { recursive: true, verbatimSymlinks: true });
      const r = new DrmReader(createProcfsReader('/proc', join(dir, 'sys')));
      r.open();
      rmSync(join(dir, 'sys/class/drm/card0'));
      const [d] = r.read();
      expect(d).toMatchObject({ id: 'drm:card0', driver: null, utilizationPercent: null, memoryTotalBytes: null, temperatureCelsius: null });
      expect(d!.error).toBeInstanceOf(DataUnavailable);
      expect(d!.error?.message).toMatch(/class\/drm\/card0\/device\/driver is unavailable: the link does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('read before open is refused', () => {
    expect(() => new DrmReader(fixtureReader('amd-rx6800')).read()).toThrow(/the reader is not open/);
  });
});
