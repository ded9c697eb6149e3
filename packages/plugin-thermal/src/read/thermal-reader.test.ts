import { createProcfsReader, DataUnavailable, EventProcessingFailed, type Clock } from '@bpfscope/core';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureReader, malformedWithEio, sysRootOf } from '../../test/fixture-trees.js';
import { resolveThermalOptions } from '../options.js';
import { thermalSensorInventory } from './sensor-inventory.js';
import { requireSensors, ThermalReader } from './thermal-reader.js';

const clock: Clock = { monotonicNs: () => 0n, wallMs: () => Date.UTC(2026, 0, 2, 3, 4, 5) };
const options = resolveThermalOptions({}, '/nonexistent/thermal.bpf.o');
const read = (machine: string) => new ThermalReader(fixtureReader(machine), clock, options).read();

describe('ThermalReader on an Intel laptop (coretemp, acpitz, x86_pkg_temp, nvme)', () => {
  const m = read('intel-thinkpad-t480');

  it('reads the zones with their trip points, in °C', () => {
    expect(m.zones.map(({ error, kernel, ...z }) => ({ ...z, error: error === null, kernel }))).toEqual([
      { id: 0, type: 'acpitz', temperatureCelsius: 48, policy: 'step_wise', mode: 'enabled', trips: [{ index: 0, type: 'critical', temperatureCelsius: 128, hysteresisCelsius: 0 }], level: 'normal', error: true, kernel: null },
      {
        id: 1, type: 'x86_pkg_temp', temperatureCelsius: 52, policy: 'step_wise', mode: 'enabled', level: 'normal', error: true, kernel: null,
        trips: [{ index: 0, type: 'passive', temperatureCelsius: 0, hysteresisCelsius: 0 }, { index: 1, type: 'passive', temperatureCelsius: 0, hysteresisCelsius: 0 }],
      },
    ]);
  });

  it('reads the cooling devices (intel_powerclamp idle reads -1)', () => {
    expect(m.cooling.map((c) => [c.id, c.type, c.curState, c.maxState, c.kernelUpdates, c.error])).toEqual([
      [0, 'Processor', 0, 3, null, null], [1, 'Processor', 0, 3, null, null], [2, 'Processor', 0, 3, null, null], [3, 'Processor', 0, 3, null, null],
      [4, 'intel_powerclamp', -1, 50, null, null], [5, 'TCC Offset', 0, 63, null, null],
    ]);
  });

  it('reads every hwmon temperature channel and skips the chip without one (BAT0)', () => {
    expect(m.sensors.map((s) => [s.id, s.chip, s.label, s.kind, s.temperatureCelsius, s.maxCelsius, s.critCelsius, s.alarm, s.level])).toEqual([
      ['hwmon0/temp1', 'acpitz', null, 'acpi', 48, null, 128, null, 'normal'],
      ['hwmon1/temp1', 'nvme', 'Composite', 'storage', 38.85, 81.85, 84.85, false, 'normal'],
      ['hwmon1/temp2', 'nvme', 'Sensor 1', 'storage', 38.85, 65261.85, null, null, 'normal'],
      ['hwmon1/temp3', 'nvme', 'Sensor 2', 'storage', 41.85, 65261.85, null, null, 'normal'],
      ['hwmon2/temp1', 'coretemp', 'Package id 0', 'cpu', 52, 100, 100, false, 'normal'],
      ['hwmon2/temp2', 'coretemp', 'Core 0', 'cpu', 49, 100, 100, false, 'normal'],
      ['hwmon2/temp3', 'coretemp', 'Core 1', 'cpu', 50, 100, 100, false, 'normal'],
      ['hwmon2/temp4', 'coretemp', 'Core 2', 'cpu', 51, 100, 100, false, 'normal'],
      ['hwmon2/temp5', 'coretemp', 'Core 3', 'cpu', 52, 100, 100, false, 'normal'],
    ]);
    expect(m.sensors.every((s) => s.error === null)).toBe(true);
  });

  it('gives per-core temperatures shaped as CpuTemperatureStat, and the package', () => {
    const lastUpdate = '2026-01-02T03:04:05.000Z';
    expect(m.cpus).toEqual([0, 1, 2, 3].map((c) => ({ cpuId: c, packageId: 0, temperatureCelsius: 49 + c, maxTemperatureCelsius: 100, lastUpdate })));
    expect(m.packages).toEqual([{ packageId: 0, chip: 'coretemp', label: 'Package id 0', temperatureCelsius: 52 }]);
    expect(m.unavailable).toEqual({});
    expect(m.errors).toEqual({});
    expect(m.level).toBe('normal');
    expect(m.alerts).toEqual([]);
  });
});

describe('ThermalReader on an AMD desktop (k10temp, amdgpu, nvme; no thermal zones)', () => {
  const m = read('amd-ryzen-5900x-rx6800');

  it('reads k10temp and amdgpu channels, with the GPU thresholds for the GPU', () => {
    expect(m.sensors.map((s) => [s.id, s.label, s.kind, s.temperatureCelsius, s.critCelsius, s.level])).toEqual([
      ['hwmon0/temp1', 'Composite', 'storage', 44.85, 84.85, 'normal'],
      ['hwmon1/temp1', 'Tctl', 'cpu', 61.25, null, 'normal'],
      ['hwmon1/temp3', 'Tccd1', 'cpu', 58, null, 'normal'],
      ['hwmon1/temp4', 'Tccd2', 'cpu', 55.75, null, 'normal'],
      // 86 °C is a CPU warning but under the GPU's 85/95 it is a warning too; 97 is critical; 74 normal.
      ['hwmon2/temp1', 'edge', 'gpu', 86, 100, 'warning'],
      ['hwmon2/temp2', 'junction', 'gpu', 97, 110, 'critical'],
      ['hwmon2/temp3', 'mem', 'gpu', 74, 100, 'normal'],
    ]);
    expect(m.level).toBe('critical');
  });

  it('says why there are no zones and no per-core temperatures, and takes Tctl as the package', () => {
    expect(m.zones).toEqual([]);
    expect(m.cooling).toEqual([]);
    expect(m.cpus).toEqual([]);
    expect(m.packages).toEqual([{ packageId: 0, chip: 'k10temp', label: 'Tctl', temperatureCelsius: 61.25 }]);
    expect(m.unavailable.cpus).toMatch(/^k10temp measures the die/);
    expect(m.unavailable.zones).toMatch(/no thermal_zone\* below .*amd-ryzen-5900x-rx6800\/sys\/class\/thermal$/);
    expect(Object.keys(m.unavailable).sort()).toEqual(['cooling', 'cpus', 'zones']);
  });

  it('raises an alert for each sensor that starts above a threshold, once', () => {
    expect(m.alerts.map((a) => [a.sensor, a.name, a.previous, a.level, a.temperatureCelsius])).toEqual([
      ['hwmon2/temp1', 'edge', 'normal', 'warning', 86],
      ['hwmon2/temp2', 'junction', 'normal', 'critical', 97],
    ]);
  });
});

describe('ThermalReader on malformed files', () => {
  const tree = malformedWithEio();
  afterAll(() => tree.remove());
  const m = new ThermalReader(createProcfsReader('/proc', tree.sysRoot), clock, options).read();

  it('keeps each bad file as a taxonomy error on its own zone, device or channel', () => {
    const [z0, z1] = m.zones;
    expect(z0?.temperatureCelsius).toBeNull();
    expect(z0?.error).toBeInstanceOf(EventProcessingFailed);
    expect(z0?.error?.message).toMatch(/thermal_zone0\/temp line 1: the file is empty/);
    expect(z0?.trips).toEqual([]); // trip_point_0_temp is 'n/a'
    expect(z1?.temperatureCelsius).toBe(45);
    expect(z1?.error).toBeNull();
    expect(m.cooling[0]?.curState).toBeNull();
    expect(m.cooling[0]?.maxState).toBe(3);
    expect(m.cooling[0]?.error?.message).toMatch(/cur_state line 1: not an integer/);
  });

  it('reads EIO from a real read(2) as DataUnavailable with the sensor-off reason, and the other channels', () => {
    const by = new Map(m.sensors.map((s) => [s.label, s]));
    expect(by.get('Package id 0')?.temperatureCelsius).toBe(47);
    expect(by.get('Core 3')?.temperatureCelsius).toBe(46);
    expect(by.get('Core 0')?.error?.message).toMatch(/temp2_input line 1: the file is empty/);
    expect(by.get('Core 1')?.error?.message).toMatch(/temp3_input line 1: not an integer/);
    const eio = by.get('Core 2')?.error;
    expect(eio).toBeInstanceOf(DataUnavailable);
    expect(eio?.details).toMatchObject({ code: 'EIO' });
    expect(eio?.errno).toBe(5);
    expect((eio as DataUnavailable).reason).toMatch(/^the driver could not read the sensor \(EIO/);
    // The sensor is off, its limit is still read.
    expect(by.get('Core 2')?.maxCelsius).toBe(100);
    expect(m.sensors.map((s) => s.temperatureCelsius)).toEqual([47, null, null, null, 46]);
    expect(m.cpus.map((c) => c.cpuId)).toEqual([3]);
  });

  it('reports the chip whose name cannot be read, and reads the others', () => {
    expect(m.errors.sensors).toBeInstanceOf(DataUnavailable);
    expect(m.errors.sensors?.message).toMatch(/hwmon1\/name/);
  });
});

describe('requireSensors', () => {
  it('refuses a machine without zones or hwmon, saying what it looked for', () => {
    let caught: unknown;
    try {
      requireSensors(fixtureReader('no-sensors'));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataUnavailable);
    const reason = (caught as DataUnavailable).reason;
    expect(reason).toMatch(/no thermal_zone\* below .*no-sensors\/sys\/class\/thermal; .*no-sensors\/sys\/class\/hwmon does not exist/);
    expect((caught as DataUnavailable).details.lookedFor).toEqual(['class/thermal/thermal_zone*', 'class/hwmon/hwmon*/temp*_input']);
  });

  it('accepts a machine with hwmon channels only', () => {
    expect(requireSensors(fixtureReader('amd-ryzen-5900x-rx6800')).hwmon).toEqual([0, 1, 2]);
  });
});

describe('thermalSensorInventory', () => {
  it('lists what a machine has, without reading values', () => {
    expect(thermalSensorInventory(sysRootOf('intel-thinkpad-t480'))).toEqual({
      sysRoot: sysRootOf('intel-thinkpad-t480'),
      zones: [{ id: 0, type: 'acpitz' }, { id: 1, type: 'x86_pkg_temp' }],
      coolingDevices: 6,
      chips: [{ hwmon: 0, chip: 'acpitz', channels: 1 }, { hwmon: 1, chip: 'nvme', channels: 3 }, { hwmon: 2, chip: 'coretemp', channels: 5 }],
      unavailable: null,
    });
    const none = thermalSensorInventory(sysRootOf('no-sensors'));
    expect(none).toMatchObject({ zones: [], coolingDevices: 0, chips: [] });
    expect(none.unavailable).toMatch(/no temperature sensor/);
  });
});
