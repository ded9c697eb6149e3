import type { BpfscopeError, SourceKind } from '@bpfscope/core';
import type { ThermalEvent } from './records-events.js';

/** An alert level of one sensor, from the configured thresholds with hysteresis. */
export type AlertLevel = 'normal' | 'warning' | 'critical';

/** What kind of part a sensor measures, from its driver's name. */
export type SensorKind = 'cpu' | 'gpu' | 'storage' | 'acpi' | 'other';

/** One trip point of a thermal zone (`trip_point_N_*`). */
export interface TripPoint {
  /** N of `trip_point_N_*`. */
  index: number;
  /** `trip_point_N_type`: `critical`, `hot`, `passive`, `active` (as the kernel writes it). */
  type: string;
  /** `trip_point_N_temp`, °C (the file holds millidegrees). */
  temperatureCelsius: number;
  /** `trip_point_N_hyst`, °C; null when the zone has no such file. */
  hysteresisCelsius: number | null;
}

/** What the kernel's own readings of one zone did between two reads (eBPF). */
export interface ZoneKernelReadings {
  /** Readings the kernel took of this zone (thermal:thermal_temperature) since the previous read. */
  readings: number;
  /** Trip crossings (thermal:thermal_zone_trip) since the previous read. */
  tripCrossings: number;
  /** Lowest of those readings, °C; null without readings. */
  minCelsius: number | null;
  /** Highest of those readings, °C; null without readings. */
  maxCelsius: number | null;
}

/** One thermal zone (`thermal_zoneN`). */
export interface ThermalZone {
  /** N of `thermal_zoneN` (the kernel's zone id). */
  id: number;
  /** `type`, e.g. `acpitz`, `x86_pkg_temp`. */
  type: string;
  /** `temp`, °C; null when the read failed (see `error`). */
  temperatureCelsius: number | null;
  /** `policy`: the governor, e.g. `step_wise`; null when absent. */
  policy: string | null;
  /** `mode`: `enabled` or `disabled`; null when absent. */
  mode: string | null;
  /** Trip points in index order (a malformed one is left out and its error kept in `error`). */
  trips: TripPoint[];
  /** Alert level of `temperatureCelsius`. */
  level: AlertLevel;
  /** The kernel's readings between reads (eBPF source); null with the sysfs source. */
  kernel: ZoneKernelReadings | null;
  /** The taxonomy error when a file of this zone was unreadable or malformed. */
  error: BpfscopeError | null;
}

/** One cooling device (`cooling_deviceN`). */
export interface CoolingDevice {
  /** N of `cooling_deviceN`. */
  id: number;
  /** `type`, e.g. `Processor`, `Fan`, `intel_powerclamp`. */
  type: string;
  /** `cur_state`; null when unreadable. */
  curState: number | null;
  /** `max_state`; null when unreadable. */
  maxState: number | null;
  /** State changes the kernel made since the previous read (thermal:cdev_update, eBPF); null with the sysfs source. */
  kernelUpdates: number | null;
  /** The taxonomy error when a file was unreadable or malformed. */
  error: BpfscopeError | null;
}

/** One hwmon temperature channel (`hwmonN/tempK_*`). */
export interface TemperatureSensor {
  /** `hwmonN/tempK`: unique in a reading, stable while the driver stays bound. */
  id: string;
  /** The chip's `name`, e.g. `coretemp`, `k10temp`, `nvme`, `amdgpu`. */
  chip: string;
  /** `tempK_label`, e.g. `Package id 0`, `Core 3`, `Tctl`, `Composite`, `edge`; null without one. */
  label: string | null;
  /** From the chip name: coretemp/k10temp → cpu, amdgpu/nouveau/i915/xe/radeon → gpu, nvme/drivetemp → storage, acpitz → acpi. */
  kind: SensorKind;
  /** `tempK_input`, °C; null when the read failed (see `error`). */
  temperatureCelsius: number | null;
  /** `tempK_max`, °C; null when absent. */
  maxCelsius: number | null;
  /** `tempK_crit`, °C; null when absent. */
  critCelsius: number | null;
  /** Any of `tempK_alarm`, `_max_alarm`, `_crit_alarm` reads 1; null when the chip has none of them. */
  alarm: boolean | null;
  /** Alert level of `temperatureCelsius` against this kind's thresholds. */
  level: AlertLevel;
  /** The taxonomy error when `tempK_input` was unreadable (a sensor that is off: EIO, ENODATA) or malformed. */
  error: BpfscopeError | null;
}

/** Temperature of one CPU core (coretemp `Core N`), shaped as seed SmoothTask's `CpuTemperatureStat`. */
export interface CpuTemperatureStat {
  /** N of the `Core N` label: the core's id within its package (topology `core_id`), not a logical CPU number. */
  cpuId: number;
  /** The package (`Package id P` of the same chip); null when the chip has no package channel. */
  packageId: number | null;
  /** `tempK_input`, °C. */
  temperatureCelsius: number;
  /** `tempK_max`, °C (coretemp: the high threshold below TjMax); null when absent. */
  maxTemperatureCelsius: number | null;
  /** ISO time of the reading. */
  lastUpdate: string;
}

/** A CPU package's temperature: coretemp `Package id P`, k10temp `Tctl` (or `Tdie`). */
export interface PackageTemperature {
  /** P of `Package id P`; the k10temp chip's order among k10temp chips. */
  packageId: number;
  /** The chip, `coretemp` or `k10temp`. */
  chip: string;
  /** The channel's label. */
  label: string;
  /** °C. */
  temperatureCelsius: number;
}

/** Kernel-side counters of the thermal programs (eBPF). */
export interface ThermalKernelStats {
  /** Program runs (readings, trips and cooling updates). */
  invocations: number;
  /** Trip events put in the ring buffer. */
  events: number;
  /** Trip events lost to a full ring buffer, and zones or devices the maps had no room for. */
  drops: number;
}

/** Parts of {@link ThermalMetrics} that can be unavailable or fail. */
export type ThermalField = 'zones' | 'cooling' | 'sensors' | 'cpus' | 'packages' | 'tripCrossings' | 'kernel';

/** The `thermal` family's data. */
export interface ThermalMetrics {
  /** Thermal zones, by id. */
  zones: ThermalZone[];
  /** Cooling devices, by id. */
  cooling: CoolingDevice[];
  /** hwmon temperature channels, by hwmon index then channel. */
  sensors: TemperatureSensor[];
  /** Per-core CPU temperatures (coretemp). */
  cpus: CpuTemperatureStat[];
  /** CPU package temperatures (coretemp, k10temp). */
  packages: PackageTemperature[];
  /** The highest level among zones and sensors. */
  level: AlertLevel;
  /** Alerts raised since the previous read (level changes), also sent through `engine.events('thermal')`. */
  alerts: ThermalEvent[];
  /** Kernel-side counters (eBPF); null with the sysfs source. */
  kernel: ThermalKernelStats | null;
  /** Parts that did not come from the family's source. */
  fieldSources: Partial<Record<ThermalField, SourceKind>>;
  /** Parts this source cannot measure here, with the reason. */
  unavailable: Partial<Record<ThermalField, string>>;
  /** Parts whose reading failed as a whole, with the taxonomy error. */
  errors: Partial<Record<ThermalField, BpfscopeError>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    thermal: ThermalMetrics;
  }
  interface FamilyEvents {
    thermal: ThermalEvent;
  }
}
