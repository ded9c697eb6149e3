import { createProcfsReader, isBpfscopeError } from '@bpfscope/core';
import { listChannels } from '../sysfs/read-hwmon.js';
import { readAttr } from '../sysfs/sysfs-values.js';
import { requireSensors, takeInventory } from './thermal-reader.js';

/** A thermal zone found by {@link thermalSensorInventory}. */
export interface InventoryZone {
  /** N of `thermal_zoneN`. */
  id: number;
  /** Its `type`; null when unreadable. */
  type: string | null;
}

/** An hwmon chip with temperature channels, found by {@link thermalSensorInventory}. */
export interface InventoryChip {
  /** N of `hwmonN`. */
  hwmon: number;
  /** Its `name`; null when unreadable. */
  chip: string | null;
  /** Its `temp*_input` channels. */
  channels: number;
}

/** What temperature sensors a machine exposes, as the thermal family would find them. */
export interface ThermalSensorInventory {
  /** The sysfs root looked at. */
  sysRoot: string;
  /** Thermal zones. */
  zones: InventoryZone[];
  /** Cooling devices found. */
  coolingDevices: number;
  /** hwmon chips with at least one temperature channel. */
  chips: InventoryChip[];
  /** Why the family is unavailable here (no zone and no channel), or null when it has sensors. */
  unavailable: string | null;
}

/**
 * List the temperature sensors below a sysfs root without reading their values, for a
 * support report (`bpfscope doctor`).
 * @param sysRoot - the sysfs root
 * @default sysRoot `/sys`
 * @returns the zones, cooling devices and hwmon chips found, or why there are none
 * @example
 * ```ts
 * const inv = thermalSensorInventory();
 * if (inv.unavailable) console.log('no thermal family:', inv.unavailable);
 * ```
 */
export function thermalSensorInventory(sysRoot = '/sys'): ThermalSensorInventory {
  const sys = createProcfsReader('/proc', sysRoot);
  let unavailable: string | null = null;
  try {
    requireSensors(sys);
  } catch (e) {
    if (!isBpfscopeError(e)) throw e;
    unavailable = e.message;
  }
  const inv = takeInventory(sys);
  const attempt = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch (e) {
      if (isBpfscopeError(e)) return null;
      throw e;
    }
  };
  return {
    sysRoot,
    zones: inv.zones.map((id) => ({ id, type: attempt(() => readAttr(sys, `class/thermal/thermal_zone${id}/type`)) })),
    coolingDevices: inv.cooling.length,
    chips: inv.hwmon.map((hwmon) => ({ hwmon, chip: attempt(() => readAttr(sys, `class/hwmon/hwmon${hwmon}/name`)), channels: listChannels(sys, hwmon).length })),
    unavailable,
  };
}
