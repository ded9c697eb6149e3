import type { Clock, ObjectLoader, ProcfsReader } from '@bpfscope/core';

/**
 * The engine's services the cpu sources use (the {@link CpuCollector} resolves them from the
 * container); each one left out is made by the source: a loader of its own, procfs over
 * `config.procRoot`, the system clock.
 */
export interface CpuSourceServices {
  /** Loads (and shares) the compiled object: the engine's `OBJECT_LOADER` (eBPF source only). */
  loader?: ObjectLoader;
  /** Where procfs is read: the engine's `PROCFS_READER`. */
  procfs?: ProcfsReader;
  /** Monotonic and wall time: the engine's `CLOCK` (for eBPF, the clock the kernel's timestamps are on). */
  clock?: Clock;
}
