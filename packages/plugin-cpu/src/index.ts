export { cpu, CpuCollector, CPU_OPTIONS, type CpuPluginOptions } from './plugin.js';
export { cpuMetricMapper } from './metrics.js';
export { CPU_OPTION_SCHEMA, type CpuReadOptions } from './options.js';
export { CpuEbpfSource } from './ebpf/cpu-ebpf-source.js';
export type { CpuSourceServices } from './services.js';
export { CpuProcfsSource } from './procfs/cpu-procfs-source.js';
export type {
  CpuMetrics,
  CpuTimeRecord,
  PerCpuRecord,
  LoadAverage,
  CpuPressure,
  CpuField,
} from './records.js';
