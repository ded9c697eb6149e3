import type { FamilyMetricMapper } from './metrics/metric-types.js';
import type { DependencyContainer } from 'tsyringe';
import type { BpfscopeError } from './errors/bpfscope-error.js';
import type { ResolvedConfig, FamilyMode } from './config/schema.js';
import type { Logger } from './logger.js';
import type { OptionSchema } from './services/family-options.js';
import type { SourceStats, SourceStatsOptions } from './source-stats.js';
import type { FamilyFilter, FilterRecord, PushdownResult } from './filter/family-filter.js';
import type { EventStream, SourceEventOptions } from './events/event-types.js';
import type { KernelSamplingCounts, KernelSamplingState, SamplingPushdownResult } from './sampling/kernel-sampling.js';
import type { SamplingConfig } from './sampling/sampling-config.js';
import type { GovernorInfo } from './engine/governor/governor-types.js';

/** Where a value came from. Every family value carries one. */
export type SourceKind = 'ebpf' | 'procfs' | 'sysfs' | 'nvml';

/**
 * Per-family data types. Plugins add their family by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@bpfscope/core' {
 *   interface MetricFamilies { cpu: CpuMetrics }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface MetricFamilies {}

/** A family name known to the type system, or any string for untyped plugins. */
export type FamilyName = keyof MetricFamilies & string;

/** The data type of family `F`, or `unknown` for a family no plugin declared. */
export type FamilyData<F extends string> = F extends keyof MetricFamilies ? MetricFamilies[F] : unknown;

/** What a source gets when it is initialised. */
export interface SourceContext {
  /** The whole validated configuration. */
  readonly config: ResolvedConfig;
  /**
   * Options of this family: checked against the plugin's {@link Plugin.optionSchemas} with
   * defaults filled in when the plugin declares a schema for the family (the same object
   * {@link familyOptionsToken} resolves), else `config.families[family]` as given.
   */
  readonly options: Readonly<Record<string, unknown>>;
  /** The engine's logger. */
  readonly logger: Logger;
  /**
   * Aborted when the init passes the family's `initTimeoutMs` or the engine closes. A source
   * stops waiting when it aborts and frees what it made (an object whose load resolves later
   * is closed). The engine also closes the source on abort and discards a late result.
   */
  readonly signal: AbortSignal;
}

/** What a source gets for one read. */
export interface ReadContext {
  /**
   * Aborted when the read passes the family's `readTimeoutMs` or the caller's signal aborts.
   * A source that does not settle by the next turn of the event loop after the abort is
   * closed by the engine (and its late result discarded). Successive reads of a family may
   * get the same signal (the engine keeps it until one aborts): remove what the read added
   * to it when the read settles (as `awaitOrAbort` does), and do not keep it for later work.
   */
  readonly signal: AbortSignal;
}

/**
 * One way of producing a family's data: eBPF programs, or a procfs/sysfs/NVML reader.
 * `init` throws a {@link BpfscopeError} when the source cannot work here; the engine
 * records it and tries the next source.
 */
export interface Source<T = unknown> {
  /** Where its values come from. */
  readonly kind: SourceKind;
  /** Unique within its collector, e.g. `cpu-ebpf`. */
  readonly name: string;
  /** Prepare (load programs, take a baseline). Throws a {@link BpfscopeError} if this source cannot work. */
  init(context: SourceContext): Promise<void>;
  /** Produce one reading. */
  read(context: ReadContext): Promise<T>;
  /** Release everything. Must be safe to call more than once. */
  close(): Promise<void>;
  /**
   * Optional per-source statistics shown by `engine.stats()`: eBPF program runs, shared
   * kernel counters, own counters. With `{ programs: false }` the source may leave
   * `programs` empty (the overhead governor asks so between its calibrations); a source
   * that ignores the option returns them all the same.
   */
  stats?(options?: SourceStatsOptions): SourceStats;
  /**
   * Optional health check: why the source can no longer produce data though it was
   * initialised (its programs were detached, its object closed), or null while it works.
   * While it reports a reason, the family's readings are a `DataUnavailable` error in
   * `snapshot.errors` (what the detached programs count would be missing), and
   * `engine.attemptRecovery()` re-initialises the family.
   */
  detached?(): string | null;
  /**
   * Optional: apply what it can of a filter in the kernel at run time (filter maps, no
   * program reload) and say which parts it applied and which it could not. Called by
   * `engine.setFilter()` and again when the source is (re)selected; replaces the previous
   * filter. The engine applies the parts not pushed down in user space.
   */
  pushdown?(filter: FamilyFilter): Promise<PushdownResult>;
  /**
   * Optional: the family's typed events (process fork/exec/exit, OOM kills, ...) from the
   * time the returned stream is `ready`, in a bounded queue with counted drops (build it
   * with {@link createEventStream}). The engine calls it on the selected source only, with
   * a signal that aborts when the caller's does or the engine closes; the source releases
   * its subscription when the stream ends. Throws a {@link ConfigError} for an option it
   * does not know.
   */
  events?(options: SourceEventOptions): EventStream<unknown>;
  /**
   * Optional: a cheap change counter for aggressive caching (`cache.aggressive`,
   * docs/caching.md). With aggressive caching on, the engine calls it before each read; when
   * it returns the value it returned before the source's last `read()`, the engine answers
   * with that read's result again (marked {@link FamilyResult.cached}) and does not call
   * `read()`. So the value must move whenever what `read()` would return could differ from
   * what its last call returned: every change of the data it decodes and of the source's
   * own settings (a filter set through the plugin). A family whose data change without an
   * event the source can count (CPU times, /proc/meminfo) offers no counter. Read it with
   * one or two map lookups: it is meant to cost much less than a read. Called within the
   * family's read time limit; a counter that throws makes the engine decode.
   * @param context - the read's signal
   * @returns the counter, or null when the source cannot vouch for its last reading now
   *   (e.g. it may have missed a change): the engine then decodes
   */
  changeCounter?(context: ReadContext): bigint | null | Promise<bigint | null>;
  /**
   * Optional: apply the part of a sampling setting its kernel programs can decide (see
   * {@link splitSamplingForKernel}) to every event source of the family, at run time (map
   * writes, no reload), and say what it applied and what user space must still do.
   * Replaces the previous setting; null removes it (every event passes). A source whose
   * kernel object serves every engine of the process with one setting (proc, mem) takes it
   * only when no other engine holds it, and otherwise writes nothing and returns
   * `{ kernel: null, rest: config }`; see {@link Source.samplingState}. The decision is
   * made before ring-buffer space is taken, and each passed event carries its weight
   * (a numeric `weight` field). Called by `engine.setSampling()` and by `engine.events()`
   * with a stream's own `sampling`.
   * @param config - the validated setting, or null
   * @returns the kernel part applied (null: none) and the rest (null: none)
   * @throws {@link ConfigError} for a part the kernel could take but not in this form (e.g. a priority kind the family has not)
   */
  samplingPushdown?(config: SamplingConfig<unknown> | null): Promise<SamplingPushdownResult<unknown>>;
  /**
   * Optional: the kernel sampling decision's counts since the source started, summed over
   * its event sources and CPUs; null when it has none. For a kernel object shared by the
   * engines of a process with one setting (proc, mem) they are the object's: every
   * engine's events offered to the setting in force, whoever's it is.
   * @returns the counts, or null
   */
  samplingCounts?(): KernelSamplingCounts | null;
  /**
   * Optional: the kernel setting in force for the source's events and whether another
   * engine put it there. A source whose kernel object is shared by the engines of a process
   * with one setting for all (proc, mem) offers it; without it, the setting is the one this
   * engine pushed down.
   * @returns the setting and its holder
   */
  samplingState?(): KernelSamplingState;
  /**
   * Optional: what the source runs between reads now, beyond answering `read()` — a poll
   * timer, a scan, a reader thread — one line each, for `engine.stats().running`. Empty
   * (or absent) when it runs nothing: an idle source costs nothing. A ring buffer drained
   * on the event loop while an event stream is open is listed by the engine already.
   * @returns one description per piece of work
   */
  activity?(): readonly string[];
  /**
   * Optional: the levels of detail the source can shed when the overhead governor finds the
   * family over its kernel budget (docs/governor.md), level 1 first, each in words (what is
   * off, what stays), e.g. `counts only: ...`. Offered with {@link Source.setDegradation}; a
   * source without them cannot degrade, and the governor says so (`levels: []`).
   * @returns the names of levels 1, 2, ...
   */
  degradationLevels?(): readonly string[];
  /**
   * Optional: put a level of detail in force (0: full detail; n: the n-th of
   * {@link Source.degradationLevels}). Called by the engine's governor only, between reads
   * of the family; resolves once the level is in force. What the level turns off is reported
   * unavailable in the family's data with `reason`.
   * @param level - the level
   * @param reason - why (the governor's figures), empty at level 0
   */
  setDegradation?(level: number, reason: string): Promise<void>;
}

/** One metric family: its name and its sources in order of preference (eBPF first). */
export interface Collector<T = unknown> {
  /** Family name, e.g. `cpu`. */
  readonly family: string;
  /** Sources in order of preference. */
  readonly sources: readonly Source<T>[];
  /**
   * Optional: how the engine's user-space filter sees this family's records. Return the
   * data with the records `keep` refuses removed; map each record to the
   * {@link FilterRecord} fields it carries. Without it, a filter part the source cannot
   * push down is refused by `engine.setFilter()`.
   */
  filterRecords?(data: T, keep: (record: FilterRecord) => boolean): T;
}

/**
 * A user-space filter over one family's data, registered under the FILTER token. Run-time
 * filters with kernel pushdown are {@link FamilyFilter}s set with `engine.setFilter()`.
 */
export interface Filter<T = unknown> {
  /** Name for logs and stats. */
  readonly name: string;
  /** The family it filters. */
  readonly family: string;
  /** Return the data with what does not pass removed. */
  apply(data: T): T;
}

/** A transformation of one family's data after filtering (top-K, roll-ups, rates). */
export interface Aggregator<T = unknown> {
  /** Name for logs and stats. */
  readonly name: string;
  /** The family it aggregates. */
  readonly family: string;
  /** Return the aggregated data. */
  apply(data: T): T;
}

/** A plugin: registers its collectors (and filters, aggregators) into the engine's container. */
export interface Plugin {
  /** Unique name; the engine refuses a second plugin with the same name. */
  readonly name: string;
  /** Semver of the plugin. */
  readonly version: string;
  /** Register collectors and services into the engine's child container. */
  register(container: DependencyContainer): void;
  /**
   * Schemas of the options this plugin reads from `config.families.<family>`, by family.
   * The engine checks each at start (an unknown key or a bad value is a {@link ConfigError}
   * naming e.g. `families.proc.topK`) and registers the result under {@link familyOptionsToken}.
   */
  readonly optionSchemas?: Readonly<Record<string, OptionSchema>>;
  /**
   * How this plugin's families map to metric points (OpenTelemetry semantic-convention
   * names), for exporters: one mapper per family (docs/metrics.md).
   */
  readonly metricMappers?: readonly FamilyMetricMapper[];
  /** Called once after all plugins registered, before sources initialise. */
  initialize?(container: DependencyContainer): Promise<void>;
  /** Called once when the engine closes. */
  shutdown?(): Promise<void>;
}

/** One family's value in a snapshot. */
export interface FamilyResult<T = unknown> {
  /** Family name. */
  readonly family: string;
  /** Where the data came from. */
  readonly source: SourceKind;
  /** Name of the source that produced it. */
  readonly sourceName: string;
  /** When the source fell back: the error of the preferred source that was rejected first. Otherwise null. */
  readonly fallback: BpfscopeError | null;
  /** The data. */
  readonly data: T;
  /** Wall-clock time of the reading, ms since the epoch. */
  readonly timestamp: number;
  /** How long the read took, ms. */
  readonly durationMs: number;
  /**
   * When the family came back through `engine.attemptRecovery()`: the error that had
   * stopped it (failed init, a source closed after a read timeout, detached programs).
   * Absent when it never needed recovery.
   */
  readonly recoveredFrom?: BpfscopeError;
  /**
   * Present when this result was not decoded by this read but answered by the engine's
   * change-counter cache (`cache.aggressive`): `data` is that of the read at `decodedAt`,
   * and the source's change counter had not moved since. `timestamp` is this reading's.
   */
  readonly cached?: CachedResultInfo;
  /**
   * Present when the engine's cap on cached detail records (`cache.maxDetailRecords`) left
   * records out of this (cached) data: how many it kept and left out.
   */
  readonly detailCap?: DetailCapInfo;
  /**
   * Present when the overhead governor governs the family (config `governor`,
   * docs/governor.md): the level of detail in force when the data was read, the family's
   * budget, the kernel cost measured in the last judged window and, when degraded, why.
   */
  readonly governor?: GovernorInfo;
}

/** How a result answered by the change-counter cache came about ({@link FamilyResult.cached}). */
export interface CachedResultInfo {
  /** What answered: the source's change counter had not moved since the decoded read. */
  readonly by: 'change-counter';
  /** Wall-clock time of the decoded read whose data this is, ms since the epoch. */
  readonly decodedAt: number;
  /** The change counter's value (at the decoded read and now), in decimal. */
  readonly changeCounter: string;
}

/** What the cap on cached detail records left out of a result ({@link FamilyResult.detailCap}). */
export interface DetailCapInfo {
  /** The cap in force (`cache.maxDetailRecords`). */
  readonly limit: number;
  /** Records kept: the first `limit` the family's `filterRecords` visits. */
  readonly kept: number;
  /** Records left out. */
  readonly omitted: number;
}

/** A family that produced no data in a snapshot, and why. */
export interface FamilyError {
  /** Family name. */
  readonly family: string;
  /** The error. */
  readonly error: BpfscopeError;
}

export type { FamilyMode };
