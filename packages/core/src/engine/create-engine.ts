import type { BpfscopeConfig } from '../config/schema.js';
import { validateConfig } from '../config/validate-config.js';
import { createConsoleLogger, type Logger } from '../logger.js';
import type { Plugin } from '../types.js';
import type { Clock } from '../services/clock.js';
import type { BatchClock } from '../sampling/adaptive-batcher.js';
import type { ProcfsReader } from '../services/procfs-reader.js';
import { Engine } from './engine.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /** Plugins to register, e.g. `[cpu()]`. */
  plugins?: readonly Plugin[];
  /** Configuration; validated here. */
  config?: BpfscopeConfig;
  /** Your logger. @default JSON lines on stderr at `config.logLevel` */
  logger?: Logger;
  /**
   * Services to use in place of the engine's own, for every plugin (a plugin that registers
   * its own in `register` still wins for itself): a procfs reader over a fixture tree, a
   * test clock. @default the procfs reader over `config.procRoot`/`config.sysRoot` and the system clock
   */
  services?: EngineServices;
}

/** Services an embedding application or a test gives the engine (see {@link EngineOptions.services}). */
export interface EngineServices {
  /** The procfs/sysfs reader every plugin resolves through {@link PROCFS_READER}. */
  procfs?: ProcfsReader;
  /** The clock of the engine (snapshot times, the cache's TTL) and of every plugin ({@link CLOCK}). */
  clock?: Clock;
  /** The monotonic time and timers of the overhead governor's calibration windows (docs/governor.md). @default the process's, timers unref'ed */
  governorClock?: BatchClock;
}

/**
 * Create an engine with its plugins.
 *
 * @example
 * ```ts
 * import { createEngine } from '@bpfscope/core';
 * import { cpu } from '@bpfscope/plugin-cpu';
 *
 * const engine = createEngine({ plugins: [cpu()] });
 * const snap = await engine.collect();
 * console.log(snap.get('cpu')?.data.total.busyPercent);
 * await engine.close();
 * ```
 * @param options - plugins, config, logger
 * @returns the engine (not started: sources initialise on `start()` or the first `collect()`)
 * @throws {@link ConfigError} for an invalid config or two plugins with one name
 */
export function createEngine(options: EngineOptions = {}): Engine {
  const config = validateConfig(options.config ?? {});
  const engine = new Engine(config, options.logger ?? createConsoleLogger(config.logLevel), options.services);
  for (const p of options.plugins ?? []) engine.use(p);
  return engine;
}
