// The gpu family's fixture trees (test/fixtures/README.md says where each came from).
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProcfsReader, type ProcfsReader } from '@bpfscope/core';

/** The sysfs root of a fixture machine, e.g. `amd-rx6800`. */
export const sysRootOf = (machine: string): string => fileURLToPath(new URL(`./fixtures/${machine}/sys`, import.meta.url));

/** A reader over a fixture machine's sysfs (its procfs root is the real one: the DRM reader reads none). */
export const fixtureReader = (machine: string): ProcfsReader => createProcfsReader('/proc', sysRootOf(machine));

/** Where the malformed tree's amdgpu hwmon chip is, below its sysfs root. */
export const MALFORMED_HWMON = 'devices/pci0000:00/0000:00:01.1/0000:03:00.0/hwmon/hwmon0';

/**
 * A copy of the `malformed` tree in which the amdgpu chip's `temp1_input` is a symbolic
 * link to /proc/self/mem: reading it from offset 0 makes the kernel's read(2) fail with
 * EIO (address 0 of the reading process is not mapped), a real EIO from a real read, as a
 * driver gives for a sensor it cannot read. A link into /proc is not committed, hence the
 * copy (its other links are copied as they are, relative, so they stay inside the copy).
 * @returns the copy's sysfs root and a function that removes it
 */
export function malformedWithEio(): { sysRoot: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-gpu-'));
  const sysRoot = join(dir, 'sys');
  cpSync(sysRootOf('malformed'), sysRoot, { recursive: true, verbatimSymlinks: true });
  symlinkSync('/proc/self/mem', join(sysRoot, MALFORMED_HWMON, 'temp1_input'));
  return { sysRoot, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
