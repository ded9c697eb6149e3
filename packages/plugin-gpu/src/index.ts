export { gpu } from './plugin.js';
export type { GpuPluginOptions } from './options.js';
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
