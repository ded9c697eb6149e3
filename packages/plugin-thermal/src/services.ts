import type { Clock, ObjectLoader, ProcfsReader } from '@bpfscope/core';
import type { ThermalCollector } from './plugin.js';

/** The engine's services the thermal sources use, resolved from the container by the {@link ThermalCollector}. @internal */
export interface ThermalServices {
  /** Loads (and shares) the compiled object: the engine's `OBJECT_LOADER` (eBPF source only). */
  readonly loader: ObjectLoader;
  /** Where sysfs is read (`config.sysRoot`): the engine's `PROCFS_READER`. */
  readonly procfs: ProcfsReader;
  /** Wall time of the readings: the engine's `CLOCK`. */
  readonly clock: Clock;
}
