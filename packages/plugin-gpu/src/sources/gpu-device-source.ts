import { DataUnavailable, EMPTY_SOURCE_STATS, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';
import type { ResolvedGpuOptions } from '../options.js';
import { GPU_PARTS, type GpuPartFactories } from '../part-factories.js';
import type { GpuDeviceReader, GpuReaderInfo, GpuServices } from '../parts.js';
import type { GpuDeviceSourceKind, GpuMetrics } from '../records.js';
import type { gpu, GpuCollector } from '../plugin.js';
import { emptyGpuMetrics, nothingFound, openFirstReader, readDevicesInto, type PartFailure } from './device-readers.js';

/** Why a device source has no CUDA work, fence jobs or kernel counters. @internal */
export const NO_EBPF = {
  cuda: 'per-process CUDA runtime work needs the eBPF source (uprobes on libcudart.so)',
  fences: 'per-context GPU jobs need the eBPF source (dma_fence tracepoints)',
  kernel: 'kernel-side counters exist only with the eBPF source',
} as const;

/**
 * A device source of the gpu family: NVML (`gpu-nvml`) or DRM sysfs (`gpu-sysfs`), the
 * devices only. When its reader finds nothing, its error also says what the readers after
 * it found (nothing, or a GPU they will report), so that the family's error, which is the
 * first source's, names everything looked for.
 */
export class GpuDeviceSource implements Source<GpuMetrics> {
  readonly name: string;
  #reader: GpuDeviceReader | null = null;
  #reads = 0;

  /**
   * @param kind - `nvml` or `sysfs`
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's sysfs reader (the {@link GpuCollector} resolves it)
   * @param parts - how the readers are made
   * @internal use the {@link gpu} plugin factory
   */
  constructor(readonly kind: GpuDeviceSourceKind, private readonly options: ResolvedGpuOptions, private readonly services: Pick<GpuServices, 'procfs'>, private readonly parts: GpuPartFactories = GPU_PARTS) {
    this.name = kind === 'nvml' ? 'gpu-nvml' : 'gpu-sysfs';
  }

  async init(context: SourceContext): Promise<void> {
    await this.close();
    const nvml = { what: 'NVML', make: () => this.parts.nvml(this.options) };
    const drm = { what: 'DRM sysfs', make: () => this.parts.drm(this.options, this.services.procfs) };
    const { reader, failures } = openFirstReader(this.kind === 'nvml' ? [nvml] : [drm], context.logger);
    if (reader === null) throw this.#failure(failures, drm);
    this.#reader = reader;
  }

  /** The reader's error; when it is mere absence and the DRM reader (after NVML) finds nothing either, both. */
  #failure(failures: PartFailure[], drm: { what: string; make: () => GpuDeviceReader }): Error {
    const own = failures[0]!.error;
    if (this.kind !== 'nvml' || !(own instanceof DataUnavailable)) return failures.length === 1 ? own : nothingFound(failures);
    const next = openFirstReader([drm], null);
    next.reader?.close();
    return next.reader === null ? nothingFound([...failures, ...next.failures]) : own;
  }

  async read(_context: ReadContext): Promise<GpuMetrics> {
    const reader = this.#reader;
    if (reader === null) throw new DataUnavailable(this.name, 'the source is not initialised');
    const m = emptyGpuMetrics();
    readDevicesInto(m, reader, [], this.kind);
    Object.assign(m.unavailable, NO_EBPF);
    this.#reads++;
    return m;
  }

  /** What the reader found at init (null before). @internal */
  readerInfo(): GpuReaderInfo | null {
    return this.#reader?.info() ?? null;
  }

  stats(): SourceStats {
    return { ...EMPTY_SOURCE_STATS, counters: { reads: this.#reads } };
  }

  async close(): Promise<void> {
    this.#reader?.close();
    this.#reader = null;
  }
}
