import { isBpfscopeError, type BpfscopeError, type ProcfsReader } from '@bpfscope/core';
import { listNumbered, parseInteger, parseMillidegrees, readAttr, readOptionalAttr, readOptionalCelsius } from './sysfs-values.js';

/** A thermal zone as sysfs gives it, before alert levels and kernel counts. @internal */
export interface ZoneReading {
  id: number;
  type: string;
  temperatureCelsius: number | null;
  policy: string | null;
  mode: string | null;
  trips: { index: number; type: string; temperatureCelsius: number; hysteresisCelsius: number | null }[];
  error: BpfscopeError | null;
}

/** A cooling device as sysfs gives it. @internal */
export interface CoolingReading {
  id: number;
  type: string;
  curState: number | null;
  maxState: number | null;
  error: BpfscopeError | null;
}

/** Where the thermal class is below the sysfs root. @internal */
export const THERMAL_CLASS = 'class/thermal';

const TRIP_FILE = /^trip_point_(\d+)_type$/;

/** Run a read; a taxonomy error is kept (the first one) instead of thrown. */
function keep<T>(errors: BpfscopeError[], read: () => T): T | null {
  try {
    return read();
  } catch (e) {
    if (!isBpfscopeError(e)) throw e;
    errors.push(e);
    return null;
  }
}

/**
 * One zone: `type`, `temp`, `policy`, `mode` and its trip points (Documentation/ABI/testing/sysfs-class-thermal).
 * @internal
 */
export function readZone(sys: ProcfsReader, id: number): ZoneReading {
  const dir = `${THERMAL_CLASS}/thermal_zone${id}`;
  const errors: BpfscopeError[] = [];
  const type = keep(errors, () => readAttr(sys, `${dir}/type`)) ?? '';
  const temperatureCelsius = keep(errors, () => parseMillidegrees(`${sys.sysRoot}/${dir}/temp`, readAttr(sys, `${dir}/temp`)));
  const policy = keep(errors, () => readOptionalAttr(sys, `${dir}/policy`));
  const mode = keep(errors, () => readOptionalAttr(sys, `${dir}/mode`));
  const trips: ZoneReading['trips'] = [];
  const indexes = keep(errors, () => sys.listSys(dir).map((e) => TRIP_FILE.exec(e.name)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b)) ?? [];
  for (const index of indexes) {
    const trip = keep(errors, () => ({
      index,
      type: readAttr(sys, `${dir}/trip_point_${index}_type`),
      temperatureCelsius: parseMillidegrees(`${sys.sysRoot}/${dir}/trip_point_${index}_temp`, readAttr(sys, `${dir}/trip_point_${index}_temp`)),
      hysteresisCelsius: readOptionalCelsius(sys, `${dir}/trip_point_${index}_hyst`),
    }));
    if (trip) trips.push(trip);
  }
  return { id, type, temperatureCelsius, policy, mode, trips, error: errors[0] ?? null };
}

/** One cooling device: `type`, `cur_state`, `max_state`. @internal */
export function readCooling(sys: ProcfsReader, id: number): CoolingReading {
  const dir = `${THERMAL_CLASS}/cooling_device${id}`;
  const errors: BpfscopeError[] = [];
  const type = keep(errors, () => readAttr(sys, `${dir}/type`)) ?? '';
  const state = (name: string): number | null => keep(errors, () => parseInteger(`${sys.sysRoot}/${dir}/${name}`, readAttr(sys, `${dir}/${name}`)));
  return { id, type, curState: state('cur_state'), maxState: state('max_state'), error: errors[0] ?? null };
}

/** The zone and cooling-device numbers present. @internal */
export function listThermal(sys: ProcfsReader): { zones: number[]; cooling: number[] } {
  return { zones: listNumbered(sys, THERMAL_CLASS, 'thermal_zone'), cooling: listNumbered(sys, THERMAL_CLASS, 'cooling_device') };
}
