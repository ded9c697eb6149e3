import type { Clock, ObjectLoader, ProcfsReader, SourceContext } from '@bpfscope/core';
import type { CudaProcessWork, FenceContext, GpuDevice, GpuDeviceSourceKind, GpuKernelStats } from './records.js';

/**
 * What a device reader found when it opened, for `doctor` and the family's `unavailable`
 * text: the library or driver files it used.
 * @internal
 */
export interface GpuReaderInfo {
  /** `nvml` or `sysfs`. */
  kind: GpuDeviceSourceKind;
  /** One line: e.g. `NVML 12.535.104 (driver 535.104.05) from /usr/lib/.../libnvidia-ml.so.1, 2 devices`. */
  summary: string;
}

/**
 * Lists GPUs and reads their figures: NVML (`nvml/`) or DRM sysfs (`drm/`). The eBPF and
 * device sources of the family both use them.
 * @internal
 */
export interface GpuDeviceReader {
  /** `nvml` or `sysfs`. */
  readonly kind: GpuDeviceSourceKind;
  /**
   * Find the devices. Throws `DataUnavailable` (with `details.lookedFor`) when there is
   * no library or no device, another taxonomy error (with a remedy) when the library is
   * there but broken (a symbol missing, an NVML error code).
   */
  open(): void;
  /** One reading of every device found at open. A device that fails keeps its `error`. */
  read(): GpuDevice[];
  /** What was found at open. */
  info(): GpuReaderInfo;
  /** Release the library or files. Safe to call more than once. */
  close(): void;
}

/** One reading of the kernel part: what the programs counted since the family started. @internal */
export interface GpuKernelReading {
  /** Per process CUDA runtime calls (uprobes). */
  cuda: CudaProcessWork[];
  /** Per fence context jobs (dma_fence tracepoints). */
  fences: FenceContext[];
  /** The programs' own counters. */
  kernel: GpuKernelStats;
  /** Parts not measured here, with the reason (e.g. no CUDA runtime found: `cuda`). */
  unavailable: Partial<Record<'cuda' | 'fences', string>>;
}

/** The engine's services the gpu sources use. @internal */
export interface GpuServices {
  /** Loads the compiled object: the engine's `OBJECT_LOADER`. */
  readonly loader: ObjectLoader;
  /** Where sysfs is read (`config.sysRoot`): the engine's `PROCFS_READER`. */
  readonly procfs: ProcfsReader;
  /** Wall time of the readings: the engine's `CLOCK`. */
  readonly clock: Clock;
}

/**
 * The eBPF part (`ebpf/`, `bpf/gpu/`): uprobes on the CUDA runtime and the dma_fence
 * tracepoints.
 * @internal
 */
export interface GpuKernelPart {
  /** Load the object and attach; throws a taxonomy error when nothing could be attached. */
  start(context: SourceContext): Promise<void>;
  /** What the programs counted so far. */
  read(signal: AbortSignal): Promise<GpuKernelReading>;
  /** Why a program is no longer attached, or null. */
  detached(): string | null;
  /** The CUDA runtime paths the uprobes are attached to (for `doctor`). */
  cudaRuntimes(): readonly string[];
  /** Detach and unload. Safe to call more than once. */
  close(): Promise<void>;
}
