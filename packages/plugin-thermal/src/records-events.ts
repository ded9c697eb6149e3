import type { AlertLevel } from './records.js';

/** A sensor or zone whose alert level changed (evaluated at each read, with hysteresis). */
export interface ThermalAlertEvent {
  /** Discriminant. */
  type: 'alert';
  /** The sensor's id (`hwmonN/tempK`) or the zone's (`thermal_zoneN`). */
  sensor: string;
  /** The sensor's label or the zone's type, for people. */
  name: string;
  /** The level before. */
  previous: AlertLevel;
  /** The level now. */
  level: AlertLevel;
  /** The reading that changed it, °C. */
  temperatureCelsius: number;
  /** Wall time of the reading, ms since the epoch. */
  timeMs: number;
  /** Where the reading came from. */
  source: 'sysfs';
}

/** A trip point crossing the kernel reported (thermal:thermal_zone_trip; eBPF source only). */
export interface ThermalTripEvent {
  /** Discriminant. */
  type: 'trip';
  /** The zone id (N of `thermal_zoneN`). */
  zoneId: number;
  /** The trip index (N of `trip_point_N_*`). */
  trip: number;
  /** The trip's kind from the kernel's enum: `active`, `passive`, `hot`, `critical` (or `type N` for one this version does not know). */
  tripType: string;
  /** The zone's temperature at the crossing, °C. */
  temperatureCelsius: number;
  /** Wall time of the crossing, ms since the epoch (from the kernel's monotonic clock). */
  timeMs: number;
  /** The kernel's CLOCK_MONOTONIC at the crossing, ms (the clock of `process.hrtime`). */
  monotonicMs: number;
  /** Where it came from. */
  source: 'ebpf';
}

/** The thermal family's events. */
export type ThermalEvent = ThermalAlertEvent | ThermalTripEvent;
