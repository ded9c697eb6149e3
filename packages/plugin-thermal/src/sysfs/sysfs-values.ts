import { isMissingPath, listNumberedSys, parseSysInteger, readOptionalSysAttr, type ProcfsReader } from '@bpfscope/core';

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
  return readOptionalSysAttr(sys, rel, SENSOR_READ_REASONS);
}

/**
 * An integer attribute (millidegrees, states, 0/1 alarms). Empty or non-numeric text is
 * an EventProcessingFailed naming the file.
 * @internal
 */
export function parseInteger(path: string, text: string): number {
  return parseSysInteger(path, text);
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
  return listNumberedSys(sys, rel, prefix);
}

/** Whether a path is missing (the class directory of a kernel without the subsystem). @internal */
export function isMissing(e: unknown): boolean {
  return isMissingPath(e);
}

