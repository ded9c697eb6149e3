// The thermal family's fixture trees (test/fixtures/README.md says where each came from).
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProcfsReader, type ProcfsReader } from '@bpfscope/core';

/** The sysfs root of a fixture machine, e.g. `intel-thinkpad-t480`. */
export const sysRootOf = (machine: string): string => fileURLToPath(new URL(`./fixtures/${machine}/sys`, import.meta.url));

/** A reader over a fixture machine's sysfs (its procfs root is the real one: the thermal family reads none). */
export const fixtureReader = (machine: string): ProcfsReader => createProcfsReader('/proc', sysRootOf(machine));

/**
 * A copy of the `malformed` tree in which `hwmon0/temp4_input` is a symbolic link to
 * /proc/self/mem. Reading that file from offset 0 makes the kernel's read(2) fail with EIO
 * (address 0 of the reading process is not mapped), so the reader meets a real EIO from a
 * real read, as it does from a driver whose sensor is off. A link into /proc cannot be
 * committed as a fixture file, hence the copy.
 * @returns the copy's sysfs root and a function that removes it
 */
export function malformedWithEio(): { sysRoot: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-thermal-'));
  const sysRoot = join(dir, 'sys');
  cpSync(sysRootOf('malformed'), sysRoot, { recursive: true });
  symlinkSync('/proc/self/mem', join(sysRoot, 'class/hwmon/hwmon0/temp4_input'));
  return { sysRoot, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
