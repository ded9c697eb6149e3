import { parseFailure, procReadErrorCode, type ProcfsReader } from '@bpfscope/core';

/**
 * Why a sensor file could not be read, for the codes a hwmon or thermal driver returns
 * from its show() callback (Documentation/hwmon/sysfs-interface: a disabled sensor returns
 * ENODATA; drivers whose bus read fails, or whose device sleeps, return EIO or ENXIO).
 * @internal
 */
export const SENSOR_READ_REASONS: Readonly<Record<string, string>> = Object.freeze({
  EIO: 'the driver could not read the sensor (EIO: the device is off, asleep or its bus read failed)',
  ENODATA: 'the sensor is disabled (ENODATA, as Documentation/hwmon/sysfs-interface says of a disabled channel)',
  ENXIO: 'the device behind the sensor is gone or not ready (ENXIO)',
  EAGAIN: 'the driver had no reading ready (EAGAIN)',
  EINVAL: 'the driver refused the read (EINVAL: the sensor is not in a readable state)',
  ETIMEDOUT: 'the sensor did not answer in time (ETIMEDOUT)',
});

/** The text of one sysfs attribute, trimmed; a read failure is a {@link DataUnavailable}. @internal */
export function readAttr(sys: ProcfsReader, rel: string): string {
  return sys.readSys(rel, SENSOR_READ_REASONS).trim();
}

/** Like {@link readAttr}, but null when the file does not exist (an optional attribute). @internal */
export function readOptionalAttr(sys: ProcfsReader, rel: string): string | null {
  try {
    return readAttr(sys, rel);
  } catch (e) {
    if (procReadErrorCode(e) === 'ENOENT') return null;
    throw e;
  }
}

/**
 * An integer attribute (millidegrees, states, 0/1 alarms). Empty or non-numeric text is
 * an EventProcessingFailed naming the file.
 * @internal
 */
export function parseInteger(path: string, text: string): number {
  if (!/^-?\d+$/.test(text)) throw parseFailure(path, 1, text, text === '' ? 'the file is empty, an integer was expected' : 'not an integer');
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw parseFailure(path, 1, text, 'the integer is out of range');
  return v;
}

/** A millidegree attribute as °C. @internal */
export function parseMillidegrees(path: string, text: string): number {
  return parseInteger(path, text) / 1000;
}

/** A millidegree attribute as °C; null when the file does not exist. @internal */
export function readOptionalCelsius(sys: ProcfsReader, rel: string): number | null {
  const t = readOptionalAttr(sys, rel);
  return t === null ? null : parseMillidegrees(`${sys.sysRoot}/${rel}`, t);
}

/** The entries of a class directory whose names match, by their number (thermal_zone10 after thermal_zone9). @internal */
export function listNumbered(sys: ProcfsReader, rel: string, prefix: string): number[] {
  const re = new RegExp(`^${prefix}(\\d+)$`);
  const out: number[] = [];
  // In a live sysfs the class entries are symbolic links (not directories): match by name only.
  for (const e of sys.listSys(rel)) {
    const m = re.exec(e.name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

/** Whether a path is missing (the class directory of a kernel without the subsystem). @internal */
export function isMissing(e: unknown): boolean {
  const code = procReadErrorCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

