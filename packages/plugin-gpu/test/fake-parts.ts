// Stand-ins for the NVML reader and the eBPF kernel part, so that the family's assembly
// (source order, fallbacks, errors kept) is tested without them; the DRM reader is the
// real one over a fixture tree.
import { DataUnavailable, type BpfscopeError, type Plugin } from '@bpfscope/core';
import { GPU_PART_FACTORIES, gpu } from '../src/plugin.js';
import { DrmReader } from '../src/drm/drm-reader.js';
import type { ResolvedGpuOptions } from '../src/options.js';
import type { GpuPartFactories } from '../src/part-factories.js';
import type { GpuDeviceReader, GpuKernelPart, GpuKernelReading, GpuReaderInfo } from '../src/parts.js';
import type { GpuDevice, GpuPluginOptions } from '../src/index.js';

/** One NVML device as a stand-in reader reports it. */
export const NVML_DEVICE: GpuDevice = Object.freeze({
  id: 'nvml:0', index: 0, name: 'NVIDIA L4', vendor: 'nvidia', busId: '0000:01:00.0', driver: 'nvidia',
  utilizationPercent: 61, memoryUsedBytes: 5_368_709_120, memoryTotalBytes: 24_152_899_584, powerMilliwatts: 41_250, temperatureCelsius: 57,
  clocks: { graphicsMhz: 1740, smMhz: 1740, memoryMhz: 6251 }, fanPercent: null, computeUnitsActive: null,
  processes: [{ pid: 4242, usedMemoryBytes: 1_073_741_824 }], source: 'nvml', unavailable: { fanPercent: 'passively cooled' }, error: null,
}) as GpuDevice;

/** A reader that opens (giving `devices`) or fails at open with `error`. */
export class FakeNvmlReader implements GpuDeviceReader {
  readonly kind = 'nvml' as const;
  opens = 0;
  closes = 0;
  constructor(private readonly error: BpfscopeError | null, private readonly devices: GpuDevice[] = [NVML_DEVICE]) {}
  open(): void {
    this.opens++;
    if (this.error) throw this.error;
  }
  read(): GpuDevice[] {
    return this.devices.map((d) => structuredClone(d));
  }
  info(): GpuReaderInfo {
    return { kind: 'nvml', summary: 'NVML 12.535.104 (stand-in), 1 device' };
  }
  close(): void {
    this.closes++;
  }
}

/** The kernel part's reading the stand-in gives. */
export const KERNEL_READING: GpuKernelReading = Object.freeze({
  cuda: [{ pid: 4242, comm: 'train', kernelLaunches: 7, allocations: 3, allocatedBytes: 3 << 20, frees: 2, copies: 4, copyBytes: { hostToDevice: 4096, deviceToHost: 2048, deviceToDevice: 0, other: 0 } }],
  fences: [{ driver: 'amdgpu', timeline: 'gfx_0.0.0', context: 12, emitted: 5, signaled: 4, latencyNsTotal: 4000, latencyHistogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4] }],
  kernel: { invocations: 20, drops: 0 },
  unavailable: {},
}) as GpuKernelReading;

/** A kernel part that starts (or fails at start with `startError`) and reads `reading` (or fails with `readError`). */
export class FakeKernel implements GpuKernelPart {
  starts = 0;
  closes = 0;
  constructor(private readonly startError: BpfscopeError | null, private readonly reading: GpuKernelReading = KERNEL_READING, private readonly readError: BpfscopeError | null = null) {}
  async start(): Promise<void> {
    this.starts++;
    if (this.startError) throw this.startError;
  }
  async read(): Promise<GpuKernelReading> {
    if (this.readError) throw this.readError;
    return structuredClone(this.reading);
  }
  detached(): string | null {
    return null;
  }
  cudaRuntimes(): readonly string[] {
    return ['/opt/cuda/lib64/libcudart.so.12'];
  }
  async close(): Promise<void> {
    this.closes++;
  }
}

/** NVML not installed, as the real reader says it. */
export const nvmlAbsent = (): DataUnavailable => new DataUnavailable('libnvidia-ml.so.1', 'dlopen found no such library', { details: { lookedFor: ['libnvidia-ml.so.1'] } });
/** No CUDA runtime and no fence tracepoint, as the real kernel part says it. */
export const kernelNothing = (): DataUnavailable => new DataUnavailable('gpu eBPF programs', 'no libcudart.so found and no dma_fence tracepoint', { details: { lookedFor: ['libcudart.so*', 'dma_fence:dma_fence_init'] } });

/** Factories that hand out the stand-ins, and remember the options they were given. */
export function fakeParts(nvml: FakeNvmlReader, kernel: FakeKernel, runtimes: readonly string[] | DataUnavailable = ['/opt/cuda/lib64/libcudart.so.12']): GpuPartFactories & { options: ResolvedGpuOptions[] } {
  const options: ResolvedGpuOptions[] = [];
  return {
    options,
    nvml: (o) => (options.push(o), nvml),
    drm: (_o, procfs) => new DrmReader(procfs),
    kernel: () => kernel,
    cudaRuntimes: () => {
      if (runtimes instanceof DataUnavailable) throw runtimes;
      return runtimes;
    },
  };
}

/** The gpu plugin with its parts made by `parts`. */
export function gpuWith(parts: GpuPartFactories, options: GpuPluginOptions = {}): Plugin {
  const p = gpu(options);
  return { ...p, register: (c) => (p.register(c), void c.register(GPU_PART_FACTORIES, { useValue: parts })) };
}

