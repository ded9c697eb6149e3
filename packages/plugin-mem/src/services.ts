import type { Clock, ObjectLoader, ProcfsReader } from '@bpfscope/core';
import type { MemCollector } from './plugin.js';

/** The engine's services the mem sources use, resolved from the container by the {@link MemCollector}. @internal */
export interface MemServices {
  /** Loads (and shares) the compiled object: the engine's `OBJECT_LOADER` (eBPF source only). */
  readonly loader: ObjectLoader;
  /** Where procfs and sysfs are read: the engine's `PROCFS_READER`. */
  readonly procfs: ProcfsReader;
  /** Monotonic and wall time: the engine's `CLOCK` (the clock of the kernel's OOM timestamps). */
  readonly clock: Clock;
}
