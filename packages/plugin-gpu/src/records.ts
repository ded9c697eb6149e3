import type { BpfscopeError, SourceKind } from '@bpfscope/core';

/** Who made the device, from the PCI vendor id or the library that reported it. */
export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'other';

/** Where a device's figures came from: NVML or the DRM driver's sysfs files. */
export type GpuDeviceSourceKind = Extract<SourceKind, 'nvml' | 'sysfs'>;

/** Clock frequencies of a device, MHz; each null when the driver does not say. */
export interface GpuClocks {
  /** Graphics (shader) clock: NVML `NVML_CLOCK_GRAPHICS`; amdgpu `pp_dpm_sclk` current level; i915/xe `gt_act_freq_mhz`. */
  graphicsMhz: number | null;
  /** Streaming-multiprocessor clock: NVML `NVML_CLOCK_SM`. */
  smMhz: number | null;
  /** Memory clock: NVML `NVML_CLOCK_MEM`; amdgpu `pp_dpm_mclk` current level. */
  memoryMhz: number | null;
}

/** One process using a device, as its driver reports it. */
export interface GpuDeviceProcess {
  /** Process id (in the reading process's pid namespace, as the driver gives it). */
  pid: number;
  /** GPU memory the process holds on this device, bytes; null when the driver does not say. */
  usedMemoryBytes: number | null;
}

/** Parts of a {@link GpuDevice} that a source may not measure. */
export type GpuDeviceField =
  | 'name'
  | 'busId'
  | 'utilizationPercent'
  | 'memoryUsedBytes'
  | 'memoryTotalBytes'
  | 'powerMilliwatts'
  | 'temperatureCelsius'
  | 'clocks'
  | 'fanPercent'
  | 'computeUnitsActive'
  | 'processes';

/** One GPU (seed `GpuStat`). A figure the source cannot read is null, with its reason in `unavailable`. */
export interface GpuDevice {
  /** Unique in a reading and stable while the driver stays bound: `nvml:<index>` or `drm:card<N>`. */
  id: string;
  /** NVML device index, or N of the DRM `cardN`. */
  index: number;
  /** Marketing name (NVML `nvmlDeviceGetName`; DRM: the PCI device's `product_name` where the driver has one). */
  name: string | null;
  /** From the PCI vendor id (0x10de, 0x1002, 0x8086) or NVML. */
  vendor: GpuVendor;
  /** PCI bus id, `domain:bus:device.function`. */
  busId: string | null;
  /** The kernel driver (`amdgpu`, `i915`, `xe`, `nvidia`); null when unknown. */
  driver: string | null;
  /** Percent of time the GPU was busy over the driver's last sample period (NVML `gpu`, amdgpu `gpu_busy_percent`). */
  utilizationPercent: number | null;
  /** Device memory in use, bytes (NVML `used`, amdgpu `mem_info_vram_used`). */
  memoryUsedBytes: number | null;
  /** Device memory in total, bytes (NVML `total`, amdgpu `mem_info_vram_total`). */
  memoryTotalBytes: number | null;
  /** Power drawn, mW (NVML `nvmlDeviceGetPowerUsage`, hwmon `power1_average` or `power1_input` in µW / 1000). */
  powerMilliwatts: number | null;
  /** Die temperature, °C (NVML `NVML_TEMPERATURE_GPU`, hwmon `temp1_input`). */
  temperatureCelsius: number | null;
  /** Clock frequencies. */
  clocks: GpuClocks;
  /** Fan speed, percent of its maximum (NVML `nvmlDeviceGetFanSpeed`; hwmon `fan1_input` / `fan1_max` × 100, else `pwm1` / 255 × 100). */
  fanPercent: number | null;
  /** Compute units (SMs, CUs, EUs) active, where the driver says; null otherwise. */
  computeUnitsActive: number | null;
  /** Processes using the device (NVML compute processes); null when the source cannot list them. */
  processes: GpuDeviceProcess[] | null;
  /** Where this device's figures came from. */
  source: GpuDeviceSourceKind;
  /** Figures this source cannot read for this device, with the reason. */
  unavailable: Partial<Record<GpuDeviceField, string>>;
  /**
   * The first taxonomy error met reading this device: a figure whose file or call failed
   * (that figure is null and its reason, with the error's code, is in `unavailable`), or
   * the device as a whole when it could not be read.
   */
  error: BpfscopeError | null;
}

/** Bytes a process copied with the CUDA runtime (`cudaMemcpy`), by direction. */
export interface CudaCopyBytes {
  /** `cudaMemcpyHostToDevice`. */
  hostToDevice: number;
  /** `cudaMemcpyDeviceToHost`. */
  deviceToHost: number;
  /** `cudaMemcpyDeviceToDevice`. */
  deviceToDevice: number;
  /** `cudaMemcpyHostToHost` and `cudaMemcpyDefault` (direction inferred by the runtime). */
  other: number;
}

/** One process's calls into the CUDA runtime since the family started (eBPF uprobes on `libcudart.so`). */
export interface CudaProcessWork {
  /** Process id. */
  pid: number;
  /** Command name (`comm`), as the kernel had it at the last call. */
  comm: string;
  /** `cudaLaunchKernel` calls. */
  kernelLaunches: number;
  /** `cudaMalloc` calls. */
  allocations: number;
  /** Bytes asked for by `cudaMalloc` calls. */
  allocatedBytes: number;
  /** `cudaFree` calls. */
  frees: number;
  /** `cudaMemcpy` calls. */
  copies: number;
  /** Bytes passed to `cudaMemcpy`, by direction. */
  copyBytes: CudaCopyBytes;
}

/** GPU jobs of one DMA fence context (one driver timeline), from the `dma_fence` tracepoints. */
export interface FenceContext {
  /**
   * The kernel symbol of the context's `dma_fence_ops` (from /proc/kallsyms), which names the
   * driver: e.g. `amdgpu_fence_ops`, `i915_fence_ops`, `drm_sched_fence_ops_finished`;
   * `ops@0x…` when kallsyms hides the address. The programs cannot call the ops'
   * `get_driver_name`, which is a function.
   */
  driver: string;
  /** The timeline's name (`get_timeline_name`); null from eBPF, which cannot call that function either. */
  timeline: string | null;
  /** The fence context number. */
  context: number;
  /** Fences initialised (`dma_fence_init`): jobs submitted. */
  emitted: number;
  /** Fences signalled (`dma_fence_signaled`): jobs completed. */
  signaled: number;
  /** Sum of init-to-signal times of the signalled fences whose init was seen, ns. */
  latencyNsTotal: number;
  /** Log2 histogram of those times: slot k counts times in [2^(k-1), 2^k) ns (slot 0: 0 ns). */
  latencyHistogram: number[];
}

/** Kernel-side counters of the gpu programs (eBPF). */
export interface GpuKernelStats {
  /** Program runs (uprobes and fence tracepoints). */
  invocations: number;
  /** Processes or fence contexts the maps had no room for, and fences whose init was not found at signal. */
  drops: number;
}

/** Parts of {@link GpuMetrics} that can be unavailable or fail. */
export type GpuField = 'devices' | 'cuda' | 'fences' | 'kernel';

/** The `gpu` family's data. */
export interface GpuMetrics {
  /** GPUs, from NVML when it answers, else from DRM sysfs. */
  devices: GpuDevice[];
  /** Per process CUDA runtime work (eBPF); empty with the other sources (see `unavailable.cuda`). */
  cuda: CudaProcessWork[];
  /** Per fence context GPU jobs and latencies (eBPF); empty with the other sources (see `unavailable.fences`). */
  fences: FenceContext[];
  /** Kernel-side counters (eBPF); null with the other sources. */
  kernel: GpuKernelStats | null;
  /** Parts that did not come from the family's source (e.g. `devices: 'nvml'` in an eBPF reading). */
  fieldSources: Partial<Record<GpuField, SourceKind>>;
  /** Parts this source cannot measure here, with the reason. */
  unavailable: Partial<Record<GpuField, string>>;
  /**
   * Parts whose reading failed as a whole, with the taxonomy error. `devices` also keeps
   * the error of a device reader that was there but broken (NVML missing a symbol, or
   * returning an error code) when the devices came from the next one (`fieldSources.devices`).
   */
  errors: Partial<Record<GpuField, BpfscopeError>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    gpu: GpuMetrics;
  }
}
