export { gpu, GpuCollector } from './plugin.js';
export { GPU_OPTION_SCHEMA, type GpuPluginOptions } from './options.js';
export { gpuMetricMapper } from './metrics.js';
export { GpuEbpfSource } from './sources/gpu-ebpf-source.js';
export { GpuDeviceSource } from './sources/gpu-device-source.js';
export { gpuInventory, type GpuInventory, type InventoryCard } from './gpu-inventory.js';
export type {
  GpuMetrics,
  GpuField,
  GpuDevice,
  GpuDeviceField,
  GpuDeviceProcess,
  GpuDeviceSourceKind,
  GpuVendor,
  GpuClocks,
  CudaProcessWork,
  CudaCopyBytes,
  FenceContext,
  GpuKernelStats,
} from './records.js';
