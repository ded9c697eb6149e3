import type { CpuTemperatureStat, PackageTemperature } from '../records.js';
import type { SensorReading } from './read-hwmon.js';

const CORE = /^Core (\d+)$/;
// "Package id P" since Linux 3.x; older kernels wrote "Physical id P" (Documentation/hwmon/coretemp.rst).
const PACKAGE = /^(?:Package|Physical) id (\d+)$/;

/** Per-core and package temperatures picked from the hwmon channels. @internal */
export interface CpuTemperatures {
  cpus: CpuTemperatureStat[];
  packages: PackageTemperature[];
  /** Why there are no per-core temperatures, when there are none. */
  cpusUnavailable: string | null;
}

/**
 * Per-core temperatures from coretemp (`Core N` channels; the package from the chip's
 * `Package id P` channel) and package temperatures from coretemp and k10temp. k10temp
 * measures the die (`Tctl`, `Tdie` when the part has an offset, and one `TccdN` per core
 * complex), never single cores: its package is `Tdie` when present, else `Tctl`.
 * @param sensors - the hwmon channels of this reading
 * @param lastUpdate - ISO time of the reading
 * @internal
 */
export function cpuTemperatures(sensors: readonly SensorReading[], lastUpdate: string): CpuTemperatures {
  const cpus: CpuTemperatureStat[] = [];
  const packages: PackageTemperature[] = [];
  const byChip = new Map<number, SensorReading[]>();
  for (const s of sensors) {
    if (s.chip !== 'coretemp' && s.chip !== 'k10temp') continue;
    const list = byChip.get(s.hwmon) ?? [];
    list.push(s);
    byChip.set(s.hwmon, list);
  }
  let amdPackage = 0;
  let amdOnly = byChip.size > 0;
  for (const channels of byChip.values()) {
    const chip = channels[0]!.chip;
    if (chip === 'coretemp') {
      amdOnly = false;
      const pkg = channels.map((c) => (c.label === null ? null : PACKAGE.exec(c.label))).find((m) => m);
      const packageId = pkg ? Number(pkg[1]) : null;
      for (const c of channels) {
        if (c.temperatureCelsius === null || c.label === null) continue;
        const core = CORE.exec(c.label);
        if (core) cpus.push({ cpuId: Number(core[1]), packageId, temperatureCelsius: c.temperatureCelsius, maxTemperatureCelsius: c.maxCelsius, lastUpdate });
        else if (PACKAGE.test(c.label)) packages.push({ packageId: packageId ?? 0, chip, label: c.label, temperatureCelsius: c.temperatureCelsius });
      }
    } else {
      const die = channels.find((c) => c.label === 'Tdie' && c.temperatureCelsius !== null) ?? channels.find((c) => c.label === 'Tctl' && c.temperatureCelsius !== null);
      if (die) packages.push({ packageId: amdPackage, chip, label: die.label!, temperatureCelsius: die.temperatureCelsius! });
      amdPackage++;
    }
  }
  cpus.sort((a, b) => (a.packageId ?? 0) - (b.packageId ?? 0) || a.cpuId - b.cpuId);
  let cpusUnavailable: string | null = null;
  if (cpus.length === 0) {
    cpusUnavailable = amdOnly
      ? 'k10temp measures the die (Tctl/Tdie) and each core complex (TccdN), not single cores: per-core temperatures need coretemp (Intel)'
      : byChip.size === 0
        ? 'no coretemp or k10temp chip below class/hwmon (the driver is not loaded, or a virtual machine has no CPU sensors)'
        : 'the coretemp chips have no readable Core N channel';
  }
  return { cpus, packages, cpusUnavailable };
}
