import type { Plugin } from '@bpfscope/core';
import { GPU_OBJECT_PATH } from './object-path.js';
import { resolveGpuOptions, type GpuPluginOptions } from './options.js';

/**
 * The gpu plugin: GPUs from NVML (opened at run time), else DRM sysfs; with eBPF also
 * per-process CUDA runtime work and per-context GPU jobs (dma_fence).
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 */
export function gpu(options: GpuPluginOptions = {}): Plugin {
  resolveGpuOptions(options, GPU_OBJECT_PATH);
  // The sources, collector and metric mapper are wired here as the parts land.
  return { name: 'gpu', version: '0.1.0', register() {} };
}
