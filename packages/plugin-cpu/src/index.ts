export { cpu, CpuCollector, CPU_OPTIONS, type CpuPluginOptions } from './plugin.js';
export { CpuEbpfSource, type CpuSourceServices } from './ebpf/cpu-ebpf-source.js';
export { CpuProcfsSource } from './procfs/cpu-procfs-source.js';
export type {
  CpuMetrics,
  CpuTimeRecord,
  PerCpuRecord,
  LoadAverage,
  CpuPressure,
  CpuField,
} from './records.js';
