import { tsyringe } from './di.js';
export { BpfscopeError, isBpfscopeError, type ErrorCode, type BpfscopeErrorOptions, type BpfscopeErrorJson } from './errors/bpfscope-error.js';
export {
  UnsupportedPlatform,
  InsufficientPermissions,
  IncompatibleKernel,
  BtfUnavailable,
  NativeUnavailable,
  LoadFailed,
  AttachFailed,
  MapOperationFailed,
  EventProcessingFailed,
  ConfigError,
  Timeout,
  Closed,
  DataUnavailable,
} from './errors/taxonomy.js';
export type { BpfscopeConfig, ResolvedConfig, FamilyConfig, FamilyMode, FamilyCacheConfig, GovernorConfig } from './config/schema.js';
export { DEFAULT_CONFIG, familyTimeouts, familyCacheSettings, type FamilyTimeouts, type FamilyCacheSettings } from './config/schema.js';
export { validateConfig } from './config/validate-config.js';
export { readProcFile, procReadErrorCode, PROC_READ_REASONS } from './procfs/read-proc-file.js';
export { KeptFiles } from './procfs/kept-files.js';
export { parseFailure } from './procfs/parse-failure.js';
export { isMissingPath, listNumberedSys, readOptionalSysAttr, parseSysInteger } from './procfs/sysfs-attributes.js';
export { parsePidIo, type PidIo } from './procfs/parse-pid-io.js';
export { machineConstants, requireMachineValue, type MachineConstants, type MachineValue } from './procfs/machine-constants.js';
export { awaitOrAbort } from './abort/await-or-abort.js';
export { createConsoleLogger, type Logger, type LogLevel } from './logger.js';
export type {
  SourceKind,
  MetricFamilies,
  FamilyName,
  FamilyData,
  Source,
  SourceContext,
  ReadContext,
  Collector,
  Filter,
  Aggregator,
  Plugin,
  FamilyResult,
  FamilyError,
  CachedResultInfo,
  DetailCapInfo,
} from './types.js';
export { CONFIG, LOGGER, COLLECTOR, FILTER, AGGREGATOR, OBJECT_LOADER, PROCFS_READER, CLOCK, familyOptionsToken } from './tokens.js';
export type { ObjectLoader, LoadedObject, ObjectLoadRequest, ProgramCacheStats } from './services/object-loader.js';
export { DROPPED_CAPABILITIES, type PrivilegeDropReport, type ThreadHoldingCapabilities } from './engine/privileges.js';
export { createProcfsReader, type ProcfsReader, type ProcfsEntry, type ProcfsStat } from './services/procfs-reader.js';
export { systemClock, type Clock } from './services/clock.js';
export type { OptionSchema, OptionRule, BooleanRule, NumberRule, StringRule, ListRule, FamilyOptions } from './services/family-options.js';
export { Engine, type EngineStats, type StreamOptions } from './engine/engine.js';
export type { RecoveryResult } from './engine/recover-families.js';
export type { FamilyFilter, FilterPart, FilterRecord, FileOperation, PortRange, PushdownResult } from './filter/family-filter.js';
export { filterParts, recordPasses } from './filter/family-filter.js';
export type { SetFilterResult, FilterStats, FilterCounts } from './filter/active-filter.js';
export type {
  FamilyEvents,
  FamilyEventOptions,
  FamilyEvent,
  FamilyEventFilter,
  EventOptions,
  SourceEventOptions,
  EventCounts,
  EventStream,
} from './events/event-types.js';
export { createEventStream, type EventFeed, type EventStreamSetup } from './events/event-stream.js';
export type { FamilyEventStats } from './events/family-event-stats.js';
export type { EventSamplingOptions, SampledEventCounts, SampledEventStream } from './events/event-sampling.js';
export type { FamilyEventOptionsOf, FamilyBatchOptionsOf } from './engine/family-events.js';
export type {
  EventBatch,
  EventBatchTriggers,
  EventBatchOptions,
  BatchingCounts,
  BatchedEventCounts,
  FamilyBatchingStats,
  BatchedEventStream,
} from './events/event-batch-types.js';
export type { CollectorStats, ReadCost, RecoveryStats, FamilyCacheStats, CacheMissReason } from './engine/collector-stats.js';
export type { RunningWork } from './engine/running.js';
export type { GovernorInfo, GovernorStats, GovernorSettings, GovernorFamilySettings, GovernorWindow, GovernorBasis, GovernorCalibration, GovernorTransition } from './engine/governor/governor-types.js';
export { DEFAULT_FAMILY_BUDGET_NS_PER_SEC } from './engine/governor/governor-config.js';
export { EMPTY_SOURCE_STATS, KeptSourceStats, type SourceStats, type SourceStatsOptions, type ProgramRunStats, type KernelCounters } from './source-stats.js';
export { createEngine, type EngineOptions, type EngineServices } from './engine/create-engine.js';
export { Snapshot, snapshotJsonReplacer, type SnapshotJson, type ErrorJson, type CachedResultJson } from './engine/snapshot.js';
export { checkSupport, type SupportOptions } from './support/check-support.js';
export { readBpfCapabilities, type BpfCapabilities, type CapabilitiesResult } from './support/process-capabilities.js';
export { readMountTable, parseMountTable, type MountEntry } from './support/mount-table.js';
export { parseMountInfo, type MountInfoEntry, type MountInfoTable } from './support/mount-info.js';
export {
  ATTACH_KINDS,
  type AttachKind,
  type AttachProbe,
  type AttachCause,
  type SupportCheck,
  type SupportProblem,
  type SupportReport,
  type NativeSupportProvider,
} from './support/support-report.js';
export {
  log2HistogramFromSlots,
  mergeLog2Histograms,
  log2HistogramDelta,
  log2Quantile,
  type Log2Histogram,
  type Log2Bucket,
  type QuantileBounds,
} from './aggregate/log2-histogram.js';
export { topK, topKBy, topKIndices } from './aggregate/top-k.js';
export { IntIndex } from './aggregate/int-index.js';
export { ratePerSecond } from './aggregate/rate.js';
export type { Sampler, DecidingSampler, SamplingDecision, SampleSink, SamplerCounts, SamplingStrategy } from './sampling/sampler.js';
export { seededRandom, type RandomSource } from './sampling/random.js';
export { uniformSampler, type UniformSamplerOptions } from './sampling/uniform.js';
export { adaptiveSampler, type AdaptiveSampler, type AdaptiveSamplerOptions } from './sampling/adaptive.js';
export { reservoirSampler, type ReservoirSamplerOptions } from './sampling/reservoir.js';
export { tailSampler, type TailSampler, type TailThresholdOptions, type TailPercentileOptions } from './sampling/tail.js';
export { prioritySampler, OVERFLOW_CLASS, type PrioritySampler, type PrioritySamplerOptions } from './sampling/priority.js';
export { tokenBucket, type TokenBucket, type TokenBucketOptions } from './sampling/token-bucket.js';
export {
  validateSamplingConfig,
  type SamplingConfig,
  type AllSamplingConfig,
  type UniformSamplingConfig,
  type AdaptiveSamplingConfig,
  type ReservoirSamplingConfig,
  type TailThresholdSamplingConfig,
  type TailPercentileSamplingConfig,
  type TokenBucketSamplingConfig,
  type PrioritySamplingConfig,
} from './sampling/sampling-config.js';
export { createSampler, createSamplingController, type SamplingAccessors, type SamplingController } from './sampling/create-sampler.js';
export { LatencyHistogram, type LatencySummary } from './sampling/latency-histogram.js';
export {
  splitSamplingForKernel,
  type PriorityMatch,
  type KernelSamplingSetting,
  type KernelSamplingState,
  type KernelSamplingCounts,
  type KernelSamplingAbilities,
  type SamplingPushdownResult,
} from './sampling/kernel-sampling.js';
export {
  createAdaptiveBatcher,
  type AdaptiveBatcher,
  type AdaptiveBatcherOptions,
  type BatcherStats,
  type BatchClock,
  type FlushTrigger,
} from './sampling/adaptive-batcher.js';
export {
  SOURCE_ATTRIBUTE,
  DETAIL_IDENTITY,
  metricDescriptorFor,
  type MetricKind,
  type MetricDetail,
  type MetricAttributeValue,
  type MetricAttributes,
  type MetricDescriptor,
  type NumberPoint,
  type HistogramPoint,
  type MetricSeries,
  type MetricSink,
  type FamilyMetricMapper,
  type MetricPointOptions,
  type MetricPoints,
} from './metrics/metric-types.js';
export { toMetricPoints, FAMILY_UP } from './metrics/metric-points.js';
export { log2ToExponential, type ExponentialBuckets } from './metrics/exponential.js';
export type { DependencyContainer, InjectionToken } from 'tsyringe';

/**
 * tsyringe's `@injectable()` class decorator, re-exported so plugins need no
 * direct dependency on tsyringe: marks a plugin or collector class whose
 * constructor parameters the engine's container resolves.
 */
export const injectable: typeof import('tsyringe').injectable = tsyringe.injectable;

/**
 * tsyringe's `@inject(token)` parameter decorator, re-exported: names the token
 * (e.g. {@link CONFIG}, {@link LOGGER}) a constructor parameter resolves to.
 */
export const inject: typeof import('tsyringe').inject = tsyringe.inject;
