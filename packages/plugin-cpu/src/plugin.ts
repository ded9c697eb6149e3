import { CLOCK, COLLECTOR, OBJECT_LOADER, PROCFS_READER, inject, injectable, type Clock, type Collector, type InjectionToken, type ObjectLoader, type Plugin, type ProcfsReader } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { CpuEbpfSource } from './ebpf/cpu-ebpf-source.js';
import { CpuProcfsSource } from './procfs/cpu-procfs-source.js';
import type { CpuMetrics } from './records.js';

/** Options of the {@link cpu} plugin. */
export interface CpuPluginOptions {
  /**
   * Path of the compiled eBPF object.
   * @default the `bpf/cpu.bpf.o` shipped in this package
   */
  objectPath?: string;
}

/** Token of the plugin's options inside its container. */
export const CPU_OPTIONS: InjectionToken<CpuPluginOptions> = Symbol.for('bpfscope.plugin-cpu.options');

/** The cpu family's collector: eBPF first, then procfs. */
@injectable()
export class CpuCollector implements Collector<CpuMetrics> {
  readonly family = 'cpu';
  readonly sources: readonly [CpuEbpfSource, CpuProcfsSource];

  constructor(
    @inject(CPU_OPTIONS) options: CpuPluginOptions,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
    @inject(PROCFS_READER) procfs: ProcfsReader,
    @inject(CLOCK) clock: Clock,
  ) {
    this.sources = [new CpuEbpfSource(options.objectPath, { loader, procfs, clock }), new CpuProcfsSource()];
  }
}

/**
 * The cpu plugin: per-CPU and total time counters, busy percent, context switches,
 * run-queue latency (eBPF), load averages and CPU pressure.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [cpu()] });
 * const cpuData = (await engine.collect()).get('cpu')?.data;
 * ```
 * @param options - all optional
 * @returns the plugin
 */
export function cpu(options: CpuPluginOptions = {}): Plugin {
  return {
    name: 'cpu',
    version: '0.1.0',
    register(container) {
      container.register(CPU_OPTIONS, { useValue: { ...options } });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: CpuCollector });
    },
  };
}
