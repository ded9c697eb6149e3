import type { Clock, ObjectLoader, ProcfsReader } from '@bpfscope/core';

/** The engine's services the fs sources use, resolved from the container by the family's collector. @internal */
export interface FsServices {
  /** Loads (and shares) the compiled object: the engine's `OBJECT_LOADER` (eBPF source only). */
  readonly loader: ObjectLoader;
  /** Where procfs and sysfs are read: the engine's `PROCFS_READER`. */
  readonly procfs: ProcfsReader;
  /** Monotonic and wall time: the engine's `CLOCK`. */
  readonly clock: Clock;
}
