import { DataUnavailable, EMPTY_SOURCE_STATS, isBpfscopeError, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';
import type { ResolvedGpuOptions } from '../options.js';
import { GPU_PARTS, type GpuPartFactories } from '../part-factories.js';
import type { GpuDeviceReader, GpuKernelPart, GpuReaderInfo, GpuServices } from '../parts.js';
import type { GpuMetrics } from '../records.js';
import type { gpu, GpuCollector } from '../plugin.js';
import { emptyGpuMetrics, nothingFound, openFirstReader, readDevicesInto, type PartFailure } from './device-readers.js';

/**
 * The eBPF source of the gpu family: per-process CUDA runtime work (uprobes on
 * `libcudart.so`) and per-context GPU jobs (`dma_fence` tracepoints), beside the devices
 * from NVML, else DRM sysfs (marked in `fieldSources.devices`). It starts when the
 * programs attach, with or without a device reader; when there is neither a GPU nor
 * anything to attach to, the family is unavailable with what every part looked for.
 */
export class GpuEbpfSource implements Source<GpuMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'gpu-ebpf';
  #reader: GpuDeviceReader | null = null;
  #kernel: GpuKernelPart | null = null;
  #failures: PartFailure[] = [];
  #reads = 0;
  #readErrors = 0;

  /**
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's object loader, sysfs reader and clock (the {@link GpuCollector} resolves them)
   * @param parts - how the NVML reader, DRM reader and kernel part are made
   * @internal use the {@link gpu} plugin factory
   */
  constructor(private readonly options: ResolvedGpuOptions, private readonly services: GpuServices, private readonly parts: GpuPartFactories = GPU_PARTS) {}

  async init(context: SourceContext): Promise<void> {
    await this.close();
    const { reader, failures } = openFirstReader(
      [
        { what: 'NVML', make: () => this.parts.nvml(this.options) },
        { what: 'DRM sysfs', make: () => this.parts.drm(this.options, this.services.procfs) },
      ],
      context.logger,
    );
    let kernel: GpuKernelPart | null = null;
    try {
      kernel = this.parts.kernel(this.options, this.services);
      await kernel.start(context);
    } catch (e) {
      await kernel?.close();
      reader?.close();
      if (!isBpfscopeError(e)) throw e;
      // No device reader either: the family's error names what every part looked for (a
      // kernel part that could not even look, e.g. for want of privileges, is its cause).
      if (reader === null) throw nothingFound([...failures, { what: 'eBPF', error: e }]);
      throw e;
    }
    this.#reader = reader;
    this.#kernel = kernel;
    this.#failures = failures;
  }

  async read(context: ReadContext): Promise<GpuMetrics> {
    const kernel = this.#kernel;
    if (kernel === null) throw new DataUnavailable('gpu-ebpf', 'the source is not initialised');
    const m = emptyGpuMetrics();
    readDevicesInto(m, this.#reader, this.#failures, 'ebpf');
    try {
      const k = await kernel.read(context.signal);
      m.cuda = k.cuda;
      m.fences = k.fences;
      m.kernel = k.kernel;
      Object.assign(m.unavailable, k.unavailable);
    } catch (e) {
      if (!isBpfscopeError(e) || context.signal.aborted) throw e;
      m.errors.kernel = e;
      this.#readErrors++;
    }
    this.#reads++;
    return m;
  }

  /** What the device reader in use found at init (null when there is none). @internal */
  readerInfo(): GpuReaderInfo | null {
    return this.#reader?.info() ?? null;
  }

  /** Why a program is no longer attached, or null. */
  detached(): string | null {
    return this.#kernel?.detached() ?? null;
  }

  stats(): SourceStats {
    const brokenReaders = this.#failures.filter((f) => !(f.error instanceof DataUnavailable)).length;
    return { ...EMPTY_SOURCE_STATS, counters: { reads: this.#reads, kernelReadErrors: this.#readErrors, deviceReadersFailed: brokenReaders, deviceReadersAbsent: this.#failures.length - brokenReaders } };
  }

  async close(): Promise<void> {
    const kernel = this.#kernel;
    this.#kernel = null;
    this.#reader?.close();
    this.#reader = null;
    await kernel?.close();
  }
}
