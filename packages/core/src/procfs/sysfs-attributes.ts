// Helpers for plugins that read sysfs class directories (hwmon, thermal, drm): numbered
// entries, optional attributes, integer attributes, each failure a taxonomy error.
import type { ProcfsReader } from '../services/procfs-reader.js';
import { parseFailure } from './parse-failure.js';
import { procReadErrorCode } from './read-proc-file.js';

/**
 * Whether a read failed because its path does not exist (a missing file, or a directory on
 * its path missing: the class directory of a kernel without the subsystem).
 * @param e - what a {@link ProcfsReader} read threw
 * @returns true for ENOENT and ENOTDIR
 */
export function isMissingPath(e: unknown): boolean {
  const code = procReadErrorCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The numbers N of the entries named `<prefix><N>` in a sysfs directory, in numeric order
 * (`thermal_zone10` after `thermal_zone9`). Class entries are symbolic links in a live
 * sysfs, so entries are matched by name only.
 * @param sys - the engine's reader
 * @param rel - the directory below `sys.sysRoot`, e.g. `class/hwmon`
 * @param prefix - the name before the number, e.g. `hwmon` (a regular expression fragment)
 * @returns the numbers, ascending
 * @throws the reader's DataUnavailable when the directory cannot be listed
 */
export function listNumberedSys(sys: ProcfsReader, rel: string, prefix: string): number[] {
  const re = new RegExp(`^${prefix}(\\d+)$`);
  const out: number[] = [];
  for (const e of sys.listSys(rel)) {
    const m = re.exec(e.name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

/**
 * The trimmed text of a sysfs attribute, or null when it does not exist (an attribute a
 * driver may lack).
 * @param sys - the engine's reader
 * @param rel - the file below `sys.sysRoot`
 * @param reasons - the reason for each errno the driver may return (as for `readSys`)
 * @returns the text, or null
 * @throws the reader's DataUnavailable for any other failure
 */
export function readOptionalSysAttr(sys: ProcfsReader, rel: string, reasons?: Readonly<Record<string, string>>): string | null {
  try {
    return sys.readSys(rel, reasons).trim();
  } catch (e) {
    if (isMissingPath(e)) return null;
    throw e;
  }
}

/**
 * An integer attribute's value.
 * @param path - the file, for the error
 * @param text - its trimmed text
 * @param signed - whether a minus sign is allowed (millidegrees may be negative)
 * @returns the integer
 * @throws {@link EventProcessingFailed} (via {@link parseFailure}) naming the file for empty, non-numeric or out-of-range text
 */
export function parseSysInteger(path: string, text: string, signed = true): number {
  if (!(signed ? /^-?\d+$/ : /^\d+$/).test(text)) throw parseFailure(path, 1, text, text === '' ? 'the file is empty, an integer was expected' : `not ${signed ? 'an' : 'a non-negative'} integer`);
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw parseFailure(path, 1, text, 'the integer is out of range');
  return v;
}
