import { DataUnavailable, isBpfscopeError, type BpfscopeError, type Clock, type ProcfsReader } from '@bpfscope/core';
import { AlertTracker, maxLevel, type LevelChange } from '../alerts/alert-tracker.js';
import type { ResolvedThermalOptions } from '../options.js';
import type { ThermalAlertEvent, ThermalEvent } from '../records-events.js';
import type { AlertLevel, CoolingDevice, TemperatureSensor, ThermalMetrics, ThermalZone } from '../records.js';
import { cpuTemperatures } from '../sysfs/cpu-temperatures.js';
import { HWMON_CLASS, listChannels, listHwmon, readChip, type SensorReading } from '../sysfs/read-hwmon.js';
import { listThermal, readCooling, readZone, THERMAL_CLASS } from '../sysfs/read-zones.js';
import { isMissing } from '../sysfs/sysfs-values.js';

/** What sysfs offers: zone, cooling-device and hwmon numbers, or why a class is missing. @internal */
export interface ThermalInventory {
  zones: number[];
  cooling: number[];
  hwmon: number[];
  thermalMissing: string | null;
  hwmonMissing: string | null;
}

const missing = (sys: ProcfsReader, rel: string): string => `${sys.sysRoot}/${rel} does not exist (a kernel without the subsystem, or a machine without such devices)`;

/** List the thermal and hwmon classes; a class that is not there is empty, with its reason. @internal */
export function takeInventory(sys: ProcfsReader): ThermalInventory {
  const inv: ThermalInventory = { zones: [], cooling: [], hwmon: [], thermalMissing: null, hwmonMissing: null };
  try {
    Object.assign(inv, listThermal(sys));
  } catch (e) {
    if (!isMissing(e)) throw e;
    inv.thermalMissing = missing(sys, THERMAL_CLASS);
  }
  try {
    // A chip with no temperature channel (fans, voltages only) is not a thermal sensor.
    inv.hwmon = listHwmon(sys).filter((n) => listChannels(sys, n).length > 0);
  } catch (e) {
    if (!isMissing(e)) throw e;
    inv.hwmonMissing = missing(sys, HWMON_CLASS);
  }
  return inv;
}

/**
 * Fail unless sysfs has a thermal zone or an hwmon temperature channel: a machine without
 * them (most virtual machines) has no thermal family, rather than one full of nothing.
 * @throws {@link @bpfscope/core!DataUnavailable} naming what was looked for
 * @internal
 */
export function requireSensors(sys: ProcfsReader): ThermalInventory {
  const inv = takeInventory(sys);
  if (inv.zones.length === 0 && inv.hwmon.length === 0) {
    const looked = [
      inv.thermalMissing ?? `no thermal_zone* below ${sys.sysRoot}/${THERMAL_CLASS}`,
      inv.hwmonMissing ?? `no hwmon* with a temp*_input below ${sys.sysRoot}/${HWMON_CLASS}`,
    ];
    throw new DataUnavailable('thermal sensors', `this machine exposes no temperature sensor: ${looked.join('; ')}`, {
      details: { sysRoot: sys.sysRoot, lookedFor: [`${THERMAL_CLASS}/thermal_zone*`, `${HWMON_CLASS}/hwmon*/temp*_input`] },
      remedy:
        'Nothing to fix when the machine has no sensors (virtual machines rarely pass them through). On hardware that has them, load the driver ' +
        '(coretemp on Intel, k10temp on AMD, nvme, amdgpu; `sensors-detect` from lm-sensors finds the others); with config.sysRoot set, check that it points at sysfs.',
    });
  }
  return inv;
}

/**
 * Reads zones, cooling devices and hwmon channels from sysfs and keeps each sensor's alert
 * level across reads; both sources use it. Level changes go to the `events()` sinks.
 * @internal
 */
export class ThermalReader {
  readonly #tracker: AlertTracker;
  readonly sinks = new Set<(e: ThermalEvent) => void>();
  #reads = 0;
  #alerts = 0;

  constructor(private readonly sys: ProcfsReader, private readonly clock: Clock, private readonly options: ResolvedThermalOptions) {
    this.#tracker = new AlertTracker(options.hysteresisCelsius);
  }

  /** One reading, without the kernel parts (the eBPF source adds them). */
  read(): ThermalMetrics {
    const sys = this.sys;
    const timeMs = this.clock.wallMs();
    const inv = takeInventory(sys);
    const m: ThermalMetrics = { zones: [], cooling: [], sensors: [], cpus: [], packages: [], level: 'normal', alerts: [], kernel: null, fieldSources: {}, unavailable: {}, errors: {} };
    const changes: LevelChange[] = [];
    const seen = new Set<string>();
    const names = new Map<string, string>();
    let level: AlertLevel = 'normal';
    for (const id of inv.zones) {
      const z = readZone(sys, id);
      const key = `thermal_zone${id}`;
      seen.add(key);
      names.set(key, z.type);
      const zone: ThermalZone = { ...z, level: this.#tracker.update(key, z.temperatureCelsius, this.options.thresholds, changes), kernel: null };
      level = maxLevel(level, zone.level);
      m.zones.push(zone);
    }
    m.cooling = inv.cooling.map((id): CoolingDevice => ({ ...readCooling(sys, id), kernelUpdates: null }));
    const readings: SensorReading[] = [];
    let chipError: BpfscopeError | null = null;
    for (const n of inv.hwmon) {
      try {
        readings.push(...readChip(sys, n));
      } catch (e) {
        // A chip that went away between the listing and the read, or whose name is unreadable.
        if (!isBpfscopeError(e)) throw e;
        chipError ??= e;
      }
    }
    for (const r of readings) {
      seen.add(r.id);
      names.set(r.id, r.label ?? r.chip);
      const t = r.kind === 'gpu' ? this.options.gpuThresholds : this.options.thresholds;
      const s: TemperatureSensor = { id: r.id, chip: r.chip, label: r.label, kind: r.kind, temperatureCelsius: r.temperatureCelsius, maxCelsius: r.maxCelsius, critCelsius: r.critCelsius, alarm: r.alarm, level: this.#tracker.update(r.id, r.temperatureCelsius, t, changes), error: r.error };
      level = maxLevel(level, s.level);
      m.sensors.push(s);
    }
    this.#tracker.retain(seen);
    const cpu = cpuTemperatures(readings, new Date(timeMs).toISOString());
    m.cpus = cpu.cpus;
    m.packages = cpu.packages;
    if (cpu.cpusUnavailable !== null) m.unavailable.cpus = cpu.cpusUnavailable;
    if (cpu.packages.length === 0) m.unavailable.packages = 'no coretemp `Package id N` or k10temp `Tctl`/`Tdie` channel was read';
    if (inv.zones.length === 0) m.unavailable.zones = inv.thermalMissing ?? `no thermal_zone* below ${sys.sysRoot}/${THERMAL_CLASS}`;
    if (inv.cooling.length === 0) m.unavailable.cooling = inv.thermalMissing ?? `no cooling_device* below ${sys.sysRoot}/${THERMAL_CLASS}`;
    if (inv.hwmon.length === 0) m.unavailable.sensors = inv.hwmonMissing ?? `no hwmon* with a temp*_input below ${sys.sysRoot}/${HWMON_CLASS}`;
    if (chipError) m.errors.sensors = chipError;
    m.level = level;
    m.alerts = changes.map((c): ThermalAlertEvent => ({ type: 'alert', sensor: c.key, name: names.get(c.key) ?? c.key, previous: c.previous, level: c.level, temperatureCelsius: c.celsius, timeMs, source: 'sysfs' }));
    this.#reads++;
    this.#alerts += m.alerts.length;
    for (const a of m.alerts) for (const sink of this.sinks) sink(a);
    return m;
  }

  /** Reads and alerts so far. */
  stats(): Record<string, number> {
    return { reads: this.#reads, alerts: this.#alerts };
  }
}
