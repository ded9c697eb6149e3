import type { Clock, ObjectLoader, ProcfsReader } from '@bpfscope/core';
import type { NetCollector } from './plugin.js';

/** The engine's services the net sources use, resolved from the container by the {@link NetCollector}. @internal */
export interface NetServices {
  /** Loads (and shares) the compiled object: the engine's `OBJECT_LOADER` (eBPF source only). */
  readonly loader: ObjectLoader;
  /** Where procfs and sysfs are read: the engine's `PROCFS_READER`. */
  readonly procfs: ProcfsReader;
  /** Monotonic and wall time: the engine's `CLOCK`. */
  readonly clock: Clock;
}
