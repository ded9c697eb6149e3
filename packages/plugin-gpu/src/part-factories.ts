import { DataUnavailable, type ProcfsReader } from '@bpfscope/core';
import { DrmReader } from './drm/drm-reader.js';
import { findCudaRuntimes as searchCudaRuntimes } from './ebpf/cuda-runtimes.js';
import { GpuKernel } from './ebpf/gpu-kernel.js';
import { NvmlReader } from './nvml/nvml-reader.js';
import type { ResolvedGpuOptions } from './options.js';
import type { GpuDeviceReader, GpuKernelPart, GpuServices } from './parts.js';

/**
 * How the family's parts are made: the NVML reader, the DRM reader and the eBPF kernel
 * part. The sources take them as constructor arguments, so that tests hand them stand-ins.
 * @internal
 */
export interface GpuPartFactories {
  /** NVML (dlopen of `options.nvmlLibrary` by the native addon). */
  nvml(options: ResolvedGpuOptions): GpuDeviceReader;
  /** DRM sysfs, read through the engine's reader (`config.sysRoot`). */
  drm(options: ResolvedGpuOptions, procfs: ProcfsReader): GpuDeviceReader;
  /** The CUDA uprobes and dma_fence tracepoints. */
  kernel(options: ResolvedGpuOptions, services: GpuServices): GpuKernelPart;
  /**
   * The CUDA runtime libraries the uprobes would go on (`options.cudaRuntimes`, else a
   * search), for `doctor`: throws DataUnavailable (with `details.lookedFor`) when none.
   */
  cudaRuntimes(options: ResolvedGpuOptions): readonly string[];
}

/** Make the NVML reader. @internal */
export function createNvmlReader(options: ResolvedGpuOptions): GpuDeviceReader {
  return new NvmlReader(options.nvmlLibrary);
}

/** Make the DRM sysfs reader. @internal */
export function createDrmReader(_options: ResolvedGpuOptions, procfs: ProcfsReader): GpuDeviceReader {
  return new DrmReader(procfs);
}

/** Make the eBPF kernel part. @internal */
export function createKernelPart(options: ResolvedGpuOptions, services: GpuServices): GpuKernelPart {
  return new GpuKernel(options, services);
}

/** Find the CUDA runtime libraries: the options' list, else a search. @internal */
export function findCudaRuntimes(options: ResolvedGpuOptions): readonly string[] {
  if (options.cudaRuntimes !== null) return options.cudaRuntimes;
  const found = searchCudaRuntimes();
  if (found.runtimes.length === 0) throw new DataUnavailable('CUDA runtime', `no libcudart.so found (looked in ${found.lookedFor.join('; ')})`, { details: { lookedFor: found.lookedFor } });
  return found.runtimes;
}

/** The real parts. @internal */
export const GPU_PARTS: GpuPartFactories = Object.freeze({ nvml: createNvmlReader, drm: createDrmReader, kernel: createKernelPart, cudaRuntimes: findCudaRuntimes });
