// The thermal reader against trees built from other projects' sysfs captures
// (test/fixtures/README.md gives each one's repository, path, commit, licence and what the
// source says of its origin). Every reading is compared exactly with its file's value.
import type { Clock } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { fixtureReader } from '../../test/fixture-trees.js';
import { resolveThermalOptions } from '../options.js';
import { ThermalReader } from './thermal-reader.js';

const clock: Clock = { monotonicNs: () => 0n, wallMs: () => Date.UTC(2026, 0, 2, 3, 4, 5) };
const options = resolveThermalOptions({}, '/nonexistent/thermal.bpf.o');
const read = (machine: string) => new ThermalReader(fixtureReader(machine), clock, options).read();
const row = (s: ReturnType<typeof read>['sensors'][number]) =>
  [s.id, s.chip, s.label, s.kind, s.temperatureCelsius, s.maxCelsius, s.critCelsius, s.alarm, s.level, s.error];

describe('coretemp from node_exporter\'s hwmon capture (the older "Physical id 0" package label)', () => {
  const m = read('nodeexp-coretemp');

  it('reads the package and the four cores: temp*_input, _max (84 °C), _crit (100 °C), _crit_alarm', () => {
    expect(m.sensors.map(row)).toEqual([
      ['hwmon0/temp1', 'coretemp', 'Physical id 0', 'cpu', 55, 84, 100, false, 'normal', null],
      ['hwmon0/temp2', 'coretemp', 'Core 0', 'cpu', 54, 84, 100, false, 'normal', null],
      ['hwmon0/temp3', 'coretemp', 'Core 1', 'cpu', 52, 84, 100, false, 'normal', null],
      ['hwmon0/temp4', 'coretemp', 'Core 2', 'cpu', 53, 84, 100, false, 'normal', null],
      ['hwmon0/temp5', 'coretemp', 'Core 3', 'cpu', 50, 84, 100, false, 'normal', null],
    ]);
  });

  it('takes "Physical id 0" as package 0 (the label coretemp gave before "Package id"), and the cores as CpuTemperatureStat', () => {
    expect(m.packages).toEqual([{ packageId: 0, chip: 'coretemp', label: 'Physical id 0', temperatureCelsius: 55 }]);
    const lastUpdate = '2026-01-02T03:04:05.000Z';
    expect(m.cpus).toEqual([
      { cpuId: 0, packageId: 0, temperatureCelsius: 54, maxTemperatureCelsius: 84, lastUpdate },
      { cpuId: 1, packageId: 0, temperatureCelsius: 52, maxTemperatureCelsius: 84, lastUpdate },
      { cpuId: 2, packageId: 0, temperatureCelsius: 53, maxTemperatureCelsius: 84, lastUpdate },
      { cpuId: 3, packageId: 0, temperatureCelsius: 50, maxTemperatureCelsius: 84, lastUpdate },
    ]);
    expect(Object.keys(m.unavailable).sort()).toEqual(['cooling', 'zones']);
    expect(m.errors).toEqual({});
    expect([m.level, m.alerts]).toEqual(['normal', []]);
  });
});

describe('nvme from node_exporter\'s PCIe capture (channels 1-3 and 9: the numbering has a gap)', () => {
  const m = read('nodeexp-nvme');

  it('reads Composite with its limits, and Sensor 1, 2 and 8 with the driver\'s "no threshold" maximum (0xFFFF K)', () => {
    expect(m.sensors.map(row)).toEqual([
      ['hwmon3/temp1', 'nvme', 'Composite', 'storage', 43.85, 84.85, 94.85, false, 'normal', null],
      ['hwmon3/temp2', 'nvme', 'Sensor 1', 'storage', 43.85, 65261.85, null, null, 'normal', null],
      ['hwmon3/temp3', 'nvme', 'Sensor 2', 'storage', 45.85, 65261.85, null, null, 'normal', null],
      ['hwmon3/temp9', 'nvme', 'Sensor 8', 'storage', 43.85, 65261.85, null, null, 'normal', null],
    ]);
  });

  it('has no CPU chip, and says so', () => {
    expect([m.cpus, m.packages, m.zones, m.cooling]).toEqual([[], [], [], []]);
    expect(m.unavailable.cpus).toMatch(/^no coretemp or k10temp chip below class\/hwmon/);
    expect(Object.keys(m.unavailable).sort()).toEqual(['cooling', 'cpus', 'packages', 'zones']);
  });
});

describe('k10temp and nvme from telegraf\'s test data (an AMD Zen part with one CCD)', () => {
  const m = read('telegraf-k10temp-nvme');

  it('reads Tctl and Tccd1 (k10temp has no limits), and the nvme channels with theirs', () => {
    expect(m.sensors.map(row)).toEqual([
      ['hwmon0/temp1', 'nvme', 'Composite', 'storage', 35.85, 81.85, 84.85, false, 'normal', null],
      ['hwmon0/temp2', 'nvme', 'Sensor 1', 'storage', 35.85, 65261.85, null, null, 'normal', null],
      ['hwmon0/temp3', 'nvme', 'Sensor 2', 'storage', 38.85, 65261.85, null, null, 'normal', null],
      ['hwmon1/temp1', 'k10temp', 'Tctl', 'cpu', 33.25, null, null, null, 'normal', null],
      ['hwmon1/temp3', 'k10temp', 'Tccd1', 'cpu', 33.25, null, null, null, 'normal', null],
    ]);
  });

  it('takes Tctl as the package, and says that k10temp has no per-core temperatures', () => {
    expect(m.packages).toEqual([{ packageId: 0, chip: 'k10temp', label: 'Tctl', temperatureCelsius: 33.25 }]);
    expect(m.cpus).toEqual([]);
    expect(m.unavailable.cpus).toMatch(/^k10temp measures the die/);
    expect(Object.keys(m.unavailable).sort()).toEqual(['cooling', 'cpus', 'zones']);
    expect([m.level, m.alerts, m.errors]).toEqual(['normal', [], {}]);
  });
});

describe('amdgpu hwmon chips from LACT\'s debug snapshots (RX 6900 XT, Vega 56)', () => {
  it('Radeon RX 6900 XT (Navi 21): edge, junction, mem with their _crit (no _max from amdgpu), GPU thresholds', () => {
    const m = read('amd-rx6900xt-lact');
    expect(m.sensors.map(row)).toEqual([
      ['hwmon5/temp1', 'amdgpu', 'edge', 'gpu', 56, null, 100, null, 'normal', null],
      ['hwmon5/temp2', 'amdgpu', 'junction', 'gpu', 59, null, 110, null, 'normal', null],
      ['hwmon5/temp3', 'amdgpu', 'mem', 'gpu', 54, null, 100, null, 'normal', null],
    ]);
    expect([m.level, m.alerts, m.cpus, m.errors]).toEqual(['normal', [], [], {}]);
  });

  it('Radeon RX Vega 56 (Vega 10): the same three channels with Vega 10\'s limits (85, 105, 95 °C)', () => {
    const m = read('amd-vega56-lact');
    expect(m.sensors.map(row)).toEqual([
      ['hwmon4/temp1', 'amdgpu', 'edge', 'gpu', 38, null, 85, null, 'normal', null],
      ['hwmon4/temp2', 'amdgpu', 'junction', 'gpu', 38, null, 105, null, 'normal', null],
      ['hwmon4/temp3', 'amdgpu', 'mem', 'gpu', 39, null, 95, null, 'normal', null],
    ]);
    expect([m.level, m.alerts, m.errors]).toEqual(['normal', [], {}]);
  });
});

describe('GPU hwmon chips from LACT\'s debug snapshots (amdgpu on an APU and on Southern Islands; i915 and xe on Arc)', () => {
  const only = (machine: string) => {
    const m = read(machine);
    expect([m.level, m.alerts, m.errors, m.cpus, m.zones]).toEqual(['normal', [], {}, [], []]);
    return m.sensors.map(row);
  };

  it('Phoenix APU: edge only, without limits; R7 240: edge with _crit 120 °C', () => {
    expect(only('amd-phoenix-apu-lact')).toEqual([['hwmon6/temp1', 'amdgpu', 'edge', 'gpu', 25, null, null, null, 'normal', null]]);
    expect(only('amd-r7-240-lact')).toEqual([['hwmon1/temp1', 'amdgpu', 'edge', 'gpu', 52, null, 120, null, 'normal', null]]);
  });

  it('Arc A380: i915\'s one unlabelled channel; xe\'s pkg and vram (temp2, temp3: no temp1)', () => {
    expect(only('intel-a380-i915-lact')).toEqual([['hwmon1/temp1', 'i915', null, 'gpu', 55, null, null, null, 'normal', null]]);
    expect(only('intel-a380-xe-lact')).toEqual([
      ['hwmon0/temp2', 'xe', 'pkg', 'gpu', 56, null, null, null, 'normal', null],
      ['hwmon0/temp3', 'xe', 'vram', 'gpu', 54, null, null, null, 'normal', null],
    ]);
  });

  it('Arc B580: sixteen channels (pkg with _max 60 and _crit 100, vram, mctrl, pcie, twelve VRAM channels with _crit 105), in channel order', () => {
    const vram = [52, 54, 54, 54, 52, 52, 54, 54, 54, 56, 54, 54];
    expect(only('intel-b580-xe-lact')).toEqual([
      ['hwmon2/temp2', 'xe', 'pkg', 'gpu', 54, 60, 100, null, 'normal', null],
      ['hwmon2/temp3', 'xe', 'vram', 'gpu', 56, null, 105, null, 'normal', null],
      ['hwmon2/temp4', 'xe', 'mctrl', 'gpu', 55, null, 100, null, 'normal', null],
      ['hwmon2/temp5', 'xe', 'pcie', 'gpu', 58, null, 100, null, 'normal', null],
      ...vram.map((t, i) => [`hwmon2/temp${6 + i}`, 'xe', `vram_ch_${i}`, 'gpu', t, null, 105, null, 'normal', null]),
    ]);
  });
});

describe('a ThinkPad with a Core i5-2520M running hot, from a kernel-list mail (acpitz zone, coretemp, thinkpad fan chip)', () => {
  const m = read('thinkpad-i5-2520m-lkml');

  it('reads the acpitz zone: 96 °C, one critical trip at 99 °C and no trip_point_0_hyst file (hysteresis null, not 0)', () => {
    expect(m.zones.map(({ error, kernel, ...z }) => ({ ...z, error, kernel }))).toEqual([
      { id: 0, type: 'acpitz', temperatureCelsius: 96, policy: 'step_wise', mode: 'enabled', trips: [{ index: 0, type: 'critical', temperatureCelsius: 99, hysteresisCelsius: null }], level: 'critical', error: null, kernel: null },
    ]);
  });

  it('reads coretemp (package 97, cores 97 and 94 °C over their 86 °C max) and skips the fan-only thinkpad chip', () => {
    expect(m.sensors.map(row)).toEqual([
      ['hwmon0/temp1', 'coretemp', 'Package id 0', 'cpu', 97, 86, 100, null, 'critical', null],
      ['hwmon0/temp2', 'coretemp', 'Core 0', 'cpu', 97, 86, 100, null, 'critical', null],
      ['hwmon0/temp3', 'coretemp', 'Core 1', 'cpu', 94, 86, 100, null, 'critical', null],
    ]);
    expect(m.cpus.map((c) => [c.cpuId, c.packageId, c.temperatureCelsius, c.maxTemperatureCelsius])).toEqual([[0, 0, 97, 86], [1, 0, 94, 86]]);
    expect(m.packages).toEqual([{ packageId: 0, chip: 'coretemp', label: 'Package id 0', temperatureCelsius: 97 }]);
  });

  it('every reading over the 90 °C critical threshold raises a critical alert at the first reading: the zone and the three channels', () => {
    expect(m.level).toBe('critical');
    expect(m.alerts.map((a) => [a.sensor, a.name, a.previous, a.level, a.temperatureCelsius])).toEqual([
      ['thermal_zone0', 'acpitz', 'normal', 'critical', 96],
      ['hwmon0/temp1', 'Package id 0', 'normal', 'critical', 97],
      ['hwmon0/temp2', 'Core 0', 'normal', 'critical', 97],
      ['hwmon0/temp3', 'Core 1', 'normal', 'critical', 94],
    ]);
    expect(Object.keys(m.unavailable)).toEqual(['cooling']);
    expect(m.errors).toEqual({});
  });
});

describe('nvme on a NetApp ONTAP Controller reached over NVMe/FC, from a kernel-list mail (Composite at 0 K, no limits)', () => {
  const m = read('netapp-ontap-nvmefc-lkml');

  it('reads the one Composite channel as the -273.15 °C (0 K) the controller reports, with its alarm and no _max, _min or _crit', () => {
    expect(m.sensors.map(row)).toEqual([
      ['hwmon0/temp1', 'nvme', 'Composite', 'storage', -273.15, null, null, false, 'normal', null],
    ]);
    expect([m.level, m.alerts, m.errors]).toEqual(['normal', [], {}]);
  });

  it('has no CPU chip and no thermal zone, and says so', () => {
    expect([m.cpus, m.packages, m.zones, m.cooling]).toEqual([[], [], [], []]);
    expect(m.unavailable.cpus).toMatch(/^no coretemp or k10temp chip below class\/hwmon/);
    expect(Object.keys(m.unavailable).sort()).toEqual(['cooling', 'cpus', 'packages', 'zones']);
  });
});
