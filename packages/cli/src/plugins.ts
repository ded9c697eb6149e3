import type { Plugin } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { fs } from '@bpfscope/plugin-fs';
import { mem } from '@bpfscope/plugin-mem';
import { net } from '@bpfscope/plugin-net';
import { proc } from '@bpfscope/plugin-proc';
import { syscall } from '@bpfscope/plugin-syscall';
import { gpu, gpuInventory } from '@bpfscope/plugin-gpu';
import { thermal, thermalSensorInventory } from '@bpfscope/plugin-thermal';

/** What the command's options change in the plugins. @internal */
export interface FamilyOptions {
  /** Count bpfscope's own system calls (`--include-self`). */
  includeSelf: boolean;
  /**
   * Read the per-process detail of mem (faults) and syscall (calls), opt-in in both plugins:
   * on for `snapshot`; `top` shows syscall's and not mem's; `serve` reads both only with
   * `--detail process`.
   * @default true
   */
  processes?: boolean;
}

/**
 * Families the command knows, with their plugin factories. The command lists the 15
 * processes with the most CPU time, not the whole table, and the syscall family's top
 * processes and the mem family's processes with the most faults (per-process detail, opt-in
 * in both plugins, is on here unless {@link FamilyOptions.processes} turns it off). @internal
 */
export const FAMILIES: Readonly<Record<string, (o: FamilyOptions) => Plugin>> = {
  cpu: () => cpu(),
  fs: () => fs({ topK: 10 }),
  mem: (o) => mem({ processes: o.processes ?? true, topProcesses: 10 }),
  net: () => net({ topK: 10 }),
  proc: () => proc({ topK: { by: 'cpu', k: 15 } }),
  syscall: (o) => syscall({ includeSelf: o.includeSelf, processes: o.processes ?? true }),
  thermal: () => thermal(),
  gpu: () => gpu(),
};

/**
 * Families that need hardware a machine may not have, each with a check that gives the
 * reason it is missing (null when present), looking below the sysfs root given. Without
 * `--families` the command leaves such a family out where its hardware is missing (a
 * virtual machine has no temperature sensors and no GPU device; a CUDA runtime alone
 * does not count), rather than fail every snapshot;
 * `--families thermal,gpu` asks for them anyway. @internal
 */
export const HARDWARE_FAMILIES: Readonly<Record<string, (sysRoot: string) => string | null>> = {
  thermal: (sysRoot) => thermalSensorInventory(sysRoot).unavailable,
  gpu: (sysRoot) => gpuInventory({ sysRoot }).noDevice,
};

/** The families used without `--families`: all, less the hardware families this machine lacks. @internal */
export function defaultFamilies(sysRoot = '/sys'): string[] {
  return Object.keys(FAMILIES).filter((f) => (HARDWARE_FAMILIES[f]?.(sysRoot) ?? null) === null);
}
