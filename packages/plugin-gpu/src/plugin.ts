import { CLOCK, COLLECTOR, OBJECT_LOADER, PROCFS_READER, familyOptionsToken, inject, injectable, type Clock, type Collector, type FamilyOptions, type InjectionToken, type ObjectLoader, type Plugin, type ProcfsReader } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { gpuMetricMapper } from './metrics.js';
import { GPU_OBJECT_PATH } from './object-path.js';
import { GPU_OPTION_SCHEMA, resolveGpuOptions, withFamilyOptions, type GpuPluginOptions, type ResolvedGpuOptions } from './options.js';
import { GPU_PARTS, type GpuPartFactories } from './part-factories.js';
import type { GpuMetrics } from './records.js';
import { GpuDeviceSource } from './sources/gpu-device-source.js';
import { GpuEbpfSource } from './sources/gpu-ebpf-source.js';

/** Token of the plugin's checked factory options inside its container. @internal */
export const GPU_OPTIONS: InjectionToken<ResolvedGpuOptions> = Symbol.for('bpfscope.plugin-gpu.options');

/** Token of how the family's parts are made (tests register stand-ins under it). @internal */
export const GPU_PART_FACTORIES: InjectionToken<GpuPartFactories> = Symbol.for('bpfscope.plugin-gpu.parts');

/**
 * The gpu family's collector: eBPF first (`gpu-ebpf`), then NVML (`gpu-nvml`), then DRM
 * sysfs (`gpu-sysfs`). Its sources are made per engine with the engine's services: the
 * object loader, the sysfs reader (`config.sysRoot`), the clock and the family's
 * validated options (`config.families.gpu` over the factory's).
 */
@injectable()
export class GpuCollector implements Collector<GpuMetrics> {
  readonly family = 'gpu';
  readonly sources: readonly [GpuEbpfSource, GpuDeviceSource, GpuDeviceSource];

  /** @internal the engine's container constructs it, with these tokens */
  constructor(
    @inject(GPU_OPTIONS) options: ResolvedGpuOptions,
    @inject(familyOptionsToken('gpu')) config: FamilyOptions,
    @inject(GPU_PART_FACTORIES) parts: GpuPartFactories,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
    @inject(PROCFS_READER) procfs: ProcfsReader,
    @inject(CLOCK) clock: Clock,
  ) {
    const merged = withFamilyOptions(options, config);
    this.sources = [new GpuEbpfSource(merged, { loader, procfs, clock }, parts), new GpuDeviceSource('nvml', merged, { procfs }, parts), new GpuDeviceSource('sysfs', merged, { procfs }, parts)];
  }
}

/**
 * The gpu plugin: GPUs (utilisation, memory, power, temperature, clocks, fan) from NVML,
 * opened at run time, else from the DRM drivers' sysfs files (amdgpu, i915, xe); with
 * eBPF also per-process CUDA runtime work (uprobes on `libcudart.so`) and per-context GPU
 * jobs and latencies (`dma_fence` tracepoints). A figure a source cannot read is null
 * with its reason; on a machine without a GPU, NVML library, DRM card or CUDA runtime the
 * family is unavailable, with what it looked for.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [gpu()] });
 * const g = (await engine.collect()).get('gpu')?.data;
 * for (const d of g?.devices ?? []) console.log(d.id, d.name, d.utilizationPercent, d.memoryUsedBytes, d.unavailable);
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 */
export function gpu(options: GpuPluginOptions = {}): Plugin {
  const resolved = resolveGpuOptions(options, GPU_OBJECT_PATH);
  return {
    name: 'gpu',
    version: '0.1.0',
    optionSchemas: { gpu: GPU_OPTION_SCHEMA },
    metricMappers: [gpuMetricMapper],
    register(container) {
      container.register(GPU_OPTIONS, { useValue: resolved });
      container.register(GPU_PART_FACTORIES, { useValue: GPU_PARTS });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: GpuCollector });
    },
  };
}
