export { parseMeminfo, type Meminfo } from './procfs/parse-meminfo.js';
export { parseVmstat, type Vmstat } from './procfs/parse-vmstat.js';
export { parsePidFaults, type PidFaults } from './procfs/parse-pid-faults.js';
export { readMeminfo, readVmstat, readPidFaults } from './procfs/read-mem-proc.js';
export { parseCgroupValue, parseMemoryMax, parseV1Limit } from './cgroup/parse-cgroup-value.js';
export {
  readCgroupV2Memory,
  type CgroupV2Memory,
  type CgroupV2Field,
  type MemoryEvents,
  type MemoryStatV2,
} from './cgroup/read-cgroup-v2.js';
export { readCgroupV1Memory, parseOomControl, type CgroupV1Memory, type CgroupV1Field, type OomControl } from './cgroup/read-cgroup-v1.js';
export type { KeptCgroupFiles } from './cgroup/kept-cgroup-files.js';
export { listMemoryCgroups, type LimitedCgroup, type MemoryCgroupList, type MalformedCgroup, type ListMemoryCgroupsOptions, type CgroupListing, type CgroupDir } from './cgroup/list-memory-cgroups.js';
export { fitLine, type LinearFit } from './predict/linear-fit.js';
export {
  predictExhaustion,
  DEFAULT_WARNING_THRESHOLDS,
  type OomPrediction,
  type PredictionOptions,
  type WarningLevel,
  type WarningThresholds,
  type LevelThreshold,
  type PredictionConfidence,
} from './predict/predict-exhaustion.js';
export { OomPredictor, oomKey, type OomPredictorOptions, type OomPredictorStats } from './predict/oom-predictor.js';
export { mem, MemCollector } from './plugin.js';
export { memMetricMapper } from './metrics.js';
export { MEM_OPTION_SCHEMA, type MemPluginOptions } from './options.js';
export { MemEbpfSource } from './ebpf/mem-ebpf-source.js';
export { MemProcfsSource } from './procfs/mem-procfs-source.js';
export type {
  MemMetrics,
  MemField,
  SystemMemory,
  SwapMemory,
  VmstatCounters,
  ProcessFaults,
  CgroupMemory,
  CgroupMemoryEntry,
  OomKills,
  MemPrediction,
  PredictionTarget,
  MemKernelStats,
} from './records.js';
export type { OomVictim, OomVictimField, VictimMemoryCgroup } from './records-oom.js';
