import { machineConstants } from '@bpfscope/core';
import type { ReadProcessOptions } from '@bpfscope/plugin-proc';

/**
 * The units /proc/&lt;pid&gt;/stat is read in (page size, clock ticks), measured on this
 * machine; null with the reason when either could not be measured, and then no
 * process's CPU time or RSS is given rather than one computed with an assumed unit.
 * @internal
 */
export function processUnits(procRoot = '/proc'): { options: ReadProcessOptions; reason: null } | { options: null; reason: string } {
  const { pageSize, clockTicks } = machineConstants(procRoot);
  if (pageSize.value === null) return { options: null, reason: pageSize.reason };
  if (clockTicks.value === null) return { options: null, reason: clockTicks.reason };
  return { options: { pageSize: pageSize.value, userHz: clockTicks.value }, reason: null };
}
