import type { InjectionToken } from 'tsyringe';
import type { ResolvedConfig } from './config/schema.js';
import type { Logger } from './logger.js';
import type { Aggregator, Collector, Filter } from './types.js';

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
