import { parseFailure, type ProcfsReader } from '@bpfscope/core';
import type { DeviceFigures } from './device-figures.js';
import { isMissing, listNumbered, readInteger, readOptionalAttr, readOptionalInteger } from './drm-files.js';

/** Power, temperature and fan of a GPU from its hwmon chip. @internal */
export interface HwmonFigures {
  powerMilliwatts: number | null;
  temperatureCelsius: number | null;
  fanPercent: number | null;
}

/** The hwmon chip below a card's device (`device/hwmon/hwmonM`), or null when the driver registers none. @internal */
export function findHwmon(sys: ProcfsReader, cardDir: string): string | null {
  const rel = `${cardDir}/device/hwmon`;
  try {
    const n = listNumbered(sys, rel, 'hwmon');
    return n.length === 0 ? null : `${rel}/hwmon${n[0]}`;
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

/** The first `tempK_input` channel of a chip: amdgpu's `edge` (temp1), xe's `pkg` (temp2). */
function firstTemperature(sys: ProcfsReader, hw: string): string | null {
  const channels = sys.listSys(hw).map((e) => /^temp(\d+)_input$/.exec(e.name)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  return channels.length === 0 ? null : `${hw}/temp${channels[0]}_input`;
}

/**
 * The power of a card from its energy counter: mW over the time since the previous
 * reading, or why there is none (the first reading, a counter that went back).
 * @internal
 */
export type EnergyRate = (energyMicrojoules: number, counter: string) => number | string;

/**
 * Read the chip (Documentation/hwmon/sysfs-interface): `power1_average`, else
 * `power1_input` (µW), else the rate of `energy1_input` (µJ; i915 and xe discrete GPUs
 * have only energy counters), else of `energy2_input` (xe's package counter, which is
 * all xe shows on DG2 cards such as the Arc A380: sysfs-driver-intel-xe-hwmon); the first
 * `tempK_input` (m°C); `fan1_input`/`fan1_max` (RPM, measured), else `pwm1` (0–255).
 * @param noHwmon - why there is no chip, for the three figures, when there is none
 * @param energyRate - the card's power from its energy counter
 * @internal
 */
export function readDrmHwmon(sys: ProcfsReader, cardDir: string, f: DeviceFigures, noHwmon: string, energyRate: EnergyRate): HwmonFigures {
  const hw = findHwmon(sys, cardDir);
  if (hw === null) return { powerMilliwatts: f.none('powerMilliwatts', noHwmon), temperatureCelsius: f.none('temperatureCelsius', noHwmon), fanPercent: f.none('fanPercent', noHwmon) };
  const name = readOptionalAttr(sys, `${hw}/name`) ?? 'hwmon';
  let noPower = `${name} hwmon has no power1_average, power1_input, energy1_input or energy2_input`;
  const powerMilliwatts = f.take(
    'powerMilliwatts',
    () => {
      const uw = readOptionalInteger(sys, `${hw}/power1_average`) ?? readOptionalInteger(sys, `${hw}/power1_input`);
      if (uw !== null) return uw / 1000;
      const card = readOptionalInteger(sys, `${hw}/energy1_input`);
      const uj = card ?? readOptionalInteger(sys, `${hw}/energy2_input`);
      if (uj === null) return null;
      const rate = energyRate(uj, card !== null ? 'energy1_input' : 'energy2_input');
      if (typeof rate === 'number') return rate;
      noPower = rate;
      return null;
    },
    () => noPower,
  );
  const temperatureCelsius = f.take(
    'temperatureCelsius',
    () => {
      const rel = firstTemperature(sys, hw);
      return rel === null ? null : readInteger(sys, rel, true) / 1000;
    },
    `${name} hwmon has no temp*_input`,
  );
  const fanPercent = f.take(
    'fanPercent',
    () => {
      // The tachometer first: pwm1 is a setting, and in automatic mode (pwm1_enable 2) a
      // driver may leave it at the last manual value (a captured Arc B580 reads pwm1 0
      // while fan1 turns at 1116 of 2160 RPM).
      const rpm = readOptionalInteger(sys, `${hw}/fan1_input`);
      const max = rpm === null ? null : readOptionalInteger(sys, `${hw}/fan1_max`);
      if (rpm !== null && max !== null && max > 0) return (rpm / max) * 100;
      const pwm = readOptionalInteger(sys, `${hw}/pwm1`);
      if (pwm === null) return null;
      if (pwm > 255) throw parseFailure(`${sys.sysRoot}/${hw}/pwm1`, 1, String(pwm), 'a PWM duty cycle is 0 to 255');
      return (pwm / 255) * 100;
    },
    `${name} hwmon has no fan1_input with fan1_max, nor pwm1 (a passively cooled board, or a driver without fan control)`,
  );
  return { powerMilliwatts, temperatureCelsius, fanPercent };
}
