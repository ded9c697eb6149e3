/**
 * `@bpfscope/native`: a node-addon-api binding over the system libbpf (1.x) and
 * its typed wrapper. Open a .bpf.o, load it off the JavaScript thread, attach
 * programs, read maps in one crossing per batch. Failures are the
 * `@bpfscope/core` error classes (`LoadFailed`, `AttachFailed`,
 * `MapOperationFailed`, `InsufficientPermissions`, `IncompatibleKernel`,
 * `Closed`, `NativeUnavailable`), with `errno` and `op`.
 *
 * @packageDocumentation
 */
export { loadNative, isNativeAvailable } from './loader.js';
export type {
  NativeBinding,
  RawBpfObject,
  RawBpfMap,
  RawBpfLink,
  RawProgramInfo,
  RawMapInfo,
  RawBatch,
  RawBatchStream,
  RawProgramRunInfo,
  RawBpfFd,
  RawCapabilityDrop,
  RawThreadDrop,
} from './raw-binding.js';
export { libbpfVersion, possibleCpus, probeProgramType, probeMapType } from './feature-probes.js';
export { probeAttachTypes, type AttachTypeSupport } from './probe-attach-types.js';
export { BpfObject } from './bpf-object.js';
export { readObjectFile, readObjectFileSync } from './object-file.js';
export type { OpenOptions, LoadOptions, ProgramInfo, MapInfo, UprobeTarget, PerfEventTarget, ProgramStats, IteratorReadOptions } from './object-types.js';
export { BpfMap, MapUpdateFlags, type MapBatch, type BatchReadOptions, type BatchStreamOptions } from './bpf-map.js';
export { u32Key } from './map-keys.js';
export { BpfLink } from './bpf-link.js';
export { IteratorTable, type IteratorTableOptions, type IteratorTableStats } from './iterator-table.js';
export { readStructLayouts, requireStruct, type StructLayout, type StructField, type FieldKind } from './btf-layout.js';
export { decodeRecords, createRecordDecoder, decodeCString, type DecodedRecord, type DecodedValue, type DecodeOptions, type DecodeRecordsOptions, type RecordDecoder } from './record-decoder.js';
export type { ConstantValue, ConstantInfo } from './rodata-constants.js';
export { enableRunStats, RunStatsHandle } from './run-stats.js';
export { openPinnedProgram, PinnedProgram, type PinnedProgramInfo } from './pinned-program.js';
export { setLibbpfLogger, routeLibbpfLog, type LibbpfLogger, type LibbpfLogLevel } from './libbpf-log.js';
export { objectCache, clearCache, ObjectCache, type ObjectCacheStats, type CachedLoadOptions } from './object-cache.js';
export { NativeObjectLoader, LoadedBpfObject, registerObjectLoader, asNativeLoader, type RingSubscription } from './object-loader.js';
export { SharedShedFlag, type SharedShedFlagSpec } from './shared-shed-flag.js';
export { probeHelper } from './feature-probes.js';
export type { UprobeTargetBase, UprobeSymbolTarget, UprobeOffsetTarget, PerfEventAllCpusOptions } from './object-types.js';
export { RingBufferConsumer } from './ring-buffer.js';
export type { RingBufferOptions, RingBufferStats } from './ring-buffer-options.js';
export { RingBatch, type RingRecord } from './ring-batch.js';
export { readStatsCounters, BpfscopeStat, type StatsCounters } from './stats-map.js';
export { KernelSamplingMaps } from './sampling-maps.js';
export { SharedSamplingSlot } from './shared-sampling-slot.js';
export { ProgramStatsReporter, kernelCounters } from './program-stats-reporter.js';
export { pinMallocMmapThreshold } from './allocator.js';
export { openNvml, NvmlSession, type NvmlDeviceReading, type NvmlPciInfo, type NvmlProcess, type NvmlUtilization, type NvmlMemoryInfo } from './nvml.js';
export { NvmlReturn, nvmlCallError, type NvmlResult, type NvmlCallFailure } from './nvml-errors.js';
export { dropCapabilities } from './capabilities.js';
