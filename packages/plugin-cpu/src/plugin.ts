import { CLOCK, COLLECTOR, ConfigError, OBJECT_LOADER, PROCFS_READER, familyOptionsToken, inject, injectable, type Clock, type Collector, type FamilyOptions, type InjectionToken, type ObjectLoader, type Plugin, type ProcfsReader } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { CpuEbpfSource } from './ebpf/cpu-ebpf-source.js';
import { cpuMetricMapper } from './metrics.js';
import { CPU_OPTION_SCHEMA, cpuReadOptions } from './options.js';
import { CpuProcfsSource } from './procfs/cpu-procfs-source.js';
import type { CpuMetrics } from './records.js';

/** Options of the {@link cpu} plugin. `config.families.cpu` may override `perCpu` and `pressure` (see {@link CPU_OPTION_SCHEMA}). */
export interface CpuPluginOptions {
  /**
   * Path of the compiled eBPF object.
   * @default the `bpf/cpu.bpf.o` shipped in this package
   */
  objectPath?: string;
  /**
   * Report one record per CPU; when false, `perCpu` is empty (the reason in `unavailable.perCpu`) and only `total` is given.
   * @default true
   */
  perCpu?: boolean;
  /**
   * Read CPU pressure (/proc/pressure/cpu); when false, `pressure` is null (the reason in `unavailable.pressure`).
   * @default true
   */
  pressure?: boolean;
}

/** Token of the plugin's options inside its container. */
export const CPU_OPTIONS: InjectionToken<CpuPluginOptions> = Symbol.for('bpfscope.plugin-cpu.options');

/**
 * The cpu family's collector: eBPF first, then procfs. Its sources are made per engine,
 * with the engine's services: the object loader, the procfs reader, the clock and the
 * family's validated options.
 */
@injectable()
export class CpuCollector implements Collector<CpuMetrics> {
  readonly family = 'cpu';
  readonly sources: readonly [CpuEbpfSource, CpuProcfsSource];

  constructor(
    @inject(CPU_OPTIONS) options: CpuPluginOptions,
    @inject(familyOptionsToken('cpu')) config: FamilyOptions,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
    @inject(PROCFS_READER) procfs: ProcfsReader,
    @inject(CLOCK) clock: Clock,
  ) {
    const read = cpuReadOptions(options, config);
    this.sources = [new CpuEbpfSource(options.objectPath, { loader, procfs, clock }, read), new CpuProcfsSource({ procfs, clock }, read)];
  }
}

/**
 * The cpu plugin: per-CPU and total time counters, busy percent, context switches,
 * run-queue latency (eBPF), load averages and CPU pressure.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [cpu()], config: { families: { cpu: { pressure: false } } } });
 * const cpuData = (await engine.collect()).get('cpu')?.data;
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an option of the wrong type
 */
export function cpu(options: CpuPluginOptions = {}): Plugin {
  for (const key of ['perCpu', 'pressure'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new ConfigError(`cpu.${key}`, options[key], 'true or false');
  }
  if (options.objectPath !== undefined && (typeof options.objectPath !== 'string' || options.objectPath === '')) throw new ConfigError('cpu.objectPath', options.objectPath, 'a file path');
  return {
    name: 'cpu',
    version: '0.1.0',
    optionSchemas: { cpu: CPU_OPTION_SCHEMA },
    metricMappers: [cpuMetricMapper],
    register(container) {
      container.register(CPU_OPTIONS, { useValue: { ...options } });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: CpuCollector });
    },
  };
}
