import { isBpfscopeError, type BpfscopeError, type ProcfsReader } from '@bpfscope/core';
import type { SensorKind } from '../records.js';
import { listNumbered, parseInteger, parseMillidegrees, readAttr, readOptionalAttr, readOptionalCelsius } from './sysfs-values.js';

/** Where the hwmon class is below the sysfs root. @internal */
export const HWMON_CLASS = 'class/hwmon';

/** One hwmon temperature channel as sysfs gives it. @internal */
export interface SensorReading {
  id: string;
  hwmon: number;
  channel: number;
  chip: string;
  label: string | null;
  kind: SensorKind;
  temperatureCelsius: number | null;
  maxCelsius: number | null;
  critCelsius: number | null;
  alarm: boolean | null;
  error: BpfscopeError | null;
}

const KINDS: Readonly<Record<string, SensorKind>> = {
  coretemp: 'cpu', k10temp: 'cpu', k8temp: 'cpu', zenpower: 'cpu', cpu_thermal: 'cpu', via_cputemp: 'cpu',
  amdgpu: 'gpu', radeon: 'gpu', nouveau: 'gpu', i915: 'gpu', xe: 'gpu',
  nvme: 'storage', drivetemp: 'storage',
  acpitz: 'acpi',
};

/** The kind of part a chip measures, from its hwmon `name`. @internal */
export function sensorKind(chip: string): SensorKind {
  return KINDS[chip] ?? 'other';
}

const INPUT = /^temp(\d+)_input$/;

/** The temperature channels of one chip (`tempK_input` present), in channel order. @internal */
export function listChannels(sys: ProcfsReader, hwmon: number): number[] {
  return sys.listSys(`${HWMON_CLASS}/hwmon${hwmon}`).map((e) => INPUT.exec(e.name)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
}

/** The hwmon chip numbers present. @internal */
export function listHwmon(sys: ProcfsReader): number[] {
  return listNumbered(sys, HWMON_CLASS, 'hwmon');
}

function alarmOf(sys: ProcfsReader, dir: string, k: number): boolean | null {
  let seen = false;
  for (const suffix of ['alarm', 'max_alarm', 'crit_alarm']) {
    const t = readOptionalAttr(sys, `${dir}/temp${k}_${suffix}`);
    if (t === null) continue;
    seen = true;
    if (parseInteger(`${sys.sysRoot}/${dir}/temp${k}_${suffix}`, t) !== 0) return true;
  }
  return seen ? false : null;
}

/**
 * One chip's temperature channels (Documentation/hwmon/sysfs-interface): `tempK_input`,
 * `_label`, `_max`, `_crit` and the alarms. An attribute that cannot be read (EIO,
 * ENODATA) or is malformed is null and the channel keeps the first such error (its
 * input's first); the channel's other attributes and the other channels are still read.
 * @throws a {@link DataUnavailable} when the chip's `name` cannot be read
 * @internal
 */
export function readChip(sys: ProcfsReader, hwmon: number): SensorReading[] {
  const dir = `${HWMON_CLASS}/hwmon${hwmon}`;
  const chip = readAttr(sys, `${dir}/name`);
  const kind = sensorKind(chip);
  return listChannels(sys, hwmon).map((k) => {
    const s: SensorReading = { id: `hwmon${hwmon}/temp${k}`, hwmon, channel: k, chip, label: null, kind, temperatureCelsius: null, maxCelsius: null, critCelsius: null, alarm: null, error: null };
    // Each attribute on its own: a sensor that is off (EIO on its input) still shows its limits.
    const keep = <T>(read: () => T): T | null => {
      try {
        return read();
      } catch (e) {
        if (!isBpfscopeError(e)) throw e;
        s.error ??= e;
        return null;
      }
    };
    s.temperatureCelsius = keep(() => parseMillidegrees(`${sys.sysRoot}/${dir}/temp${k}_input`, readAttr(sys, `${dir}/temp${k}_input`)));
    s.label = keep(() => readOptionalAttr(sys, `${dir}/temp${k}_label`));
    s.maxCelsius = keep(() => readOptionalCelsius(sys, `${dir}/temp${k}_max`));
    s.critCelsius = keep(() => readOptionalCelsius(sys, `${dir}/temp${k}_crit`));
    s.alarm = keep(() => alarmOf(sys, dir, k));
    return s;
  });
}
