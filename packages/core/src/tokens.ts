import type { InjectionToken } from 'tsyringe';
import type { ResolvedConfig } from './config/schema.js';
import type { Logger } from './logger.js';
import type { Aggregator, Collector, Filter } from './types.js';
import type { ObjectLoader } from './services/object-loader.js';
import type { ProcfsReader } from './services/procfs-reader.js';
import type { Clock } from './services/clock.js';
import type { FamilyOptions } from './services/family-options.js';

/** The engine's validated configuration. */
export const CONFIG: InjectionToken<ResolvedConfig> = Symbol.for('bpfscope.config');
/** The engine's logger. */
export const LOGGER: InjectionToken<Logger> = Symbol.for('bpfscope.logger');
/** Collectors; a plugin registers one per family it provides. */
export const COLLECTOR: InjectionToken<Collector> = Symbol.for('bpfscope.collector');
/** User-space filters, applied before aggregators. */
export const FILTER: InjectionToken<Filter> = Symbol.for('bpfscope.filter');
/** Aggregators, applied after filters. */
export const AGGREGATOR: InjectionToken<Aggregator> = Symbol.for('bpfscope.aggregator');

/**
 * The object loader and its process-wide cache ({@link ObjectLoader}). `@bpfscope/native`'s
 * `registerObjectLoader(container)` provides it; the shipped eBPF plugins call it in
 * `register`. A loader a plugin registers is lifted into the engine's container, so
 * every plugin of one engine (a third-party one too) resolves the same instance, and
 * `engine.stats().programCache` counts that engine's loads.
 */
export const OBJECT_LOADER: InjectionToken<ObjectLoader> = Symbol.for('bpfscope.object-loader');
/** The procfs/sysfs reader over the configured roots ({@link ProcfsReader}). The engine provides it. */
export const PROCFS_READER: InjectionToken<ProcfsReader> = Symbol.for('bpfscope.procfs-reader');
/** Monotonic and wall-clock time ({@link Clock}). The engine provides it. */
export const CLOCK: InjectionToken<Clock> = Symbol.for('bpfscope.clock');

/**
 * The token of one family's validated options: `config.families.<family>` checked against
 * the plugin's {@link Plugin.optionSchemas}, defaults filled in. The engine registers it in
 * the plugin's container when it starts the plugin.
 * @param family - the family name, e.g. `proc`
 * @returns the token (the same symbol for the same name)
 */
export function familyOptionsToken(family: string): InjectionToken<FamilyOptions> {
  return Symbol.for(`bpfscope.family-options.${family}`);
}
