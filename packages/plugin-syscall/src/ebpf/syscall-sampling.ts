// The kernel part of the syscall family's event sampling: each engine's slot of the shared
// object is its own event source in the sc_smp maps (bpf/include/bpfscope_sampling.h), so
// engines sharing the object sample independently.
import { ConfigError, splitSamplingForKernel, type KernelSamplingCounts, type SamplingConfig, type SamplingPushdownResult } from '@bpfscope/core';
import { KernelSamplingMaps, type BpfObject } from '@bpfscope/native';
import { syscallNumber } from '../syscall-table.js';
import { SC_MAX_SYSCALLS } from './syscall-maps.js';

/** The syscall number of a priority kind: a name from the table, or a number below SC_MAX_SYSCALLS. */
function classOf(kind: string | number, path: string): number {
  const nr = typeof kind === 'number' ? kind : syscallNumber(kind);
  if (nr === null || !Number.isInteger(nr) || nr < 0 || nr >= SC_MAX_SYSCALLS) {
    throw new ConfigError(path, kind, `a system call name of the x86_64 table or a number below ${SC_MAX_SYSCALLS}`);
  }
  return nr;
}

/** One KernelSamplingMaps per loaded object (its maps and layouts resolved once, not per call). */
const mapsOf = new WeakMap<BpfObject, KernelSamplingMaps>();
function smp(obj: BpfObject): KernelSamplingMaps {
  let m = mapsOf.get(obj);
  if (m === undefined) mapsOf.set(obj, (m = new KernelSamplingMaps(obj, 'sc_smp')));
  return m;
}

/**
 * Puts the kernel-expressible part of `config` in force for one slot and returns it with
 * the rest. Tail thresholds go down in latency mode only (counts mode sends events at
 * entry, with no duration to judge).
 * @internal
 */
export function pushSyscallSampling(obj: BpfObject, slot: number, config: SamplingConfig<unknown> | null, latency: boolean): SamplingPushdownResult<unknown> {
  const split = splitSamplingForKernel(config, { tail: latency, priority: { pids: true, cgroups: true, kinds: true } }, 'families.syscall.sampling');
  smp(obj).apply(slot, split.kernel, classOf, 'families.syscall.sampling');
  return split;
}

/** A slot's kernel sampling counts. @internal */
export function syscallSamplingCounts(obj: BpfObject, slot: number): KernelSamplingCounts {
  return smp(obj).counts(slot);
}

/** Removes what a previous engine left in the slot's sampling maps (its setting, high entries). @internal */
export function clearSyscallSampling(obj: BpfObject, slot: number): void {
  smp(obj).apply(slot, null, classOf, 'families.syscall.sampling');
}
