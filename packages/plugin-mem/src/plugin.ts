import { CLOCK, COLLECTOR, OBJECT_LOADER, PROCFS_READER, familyOptionsToken, inject, injectable, type Clock, type Collector, type FamilyOptions, type InjectionToken, type ObjectLoader, type Plugin, type ProcfsReader } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { MEM_OBJECT_PATH, MemEbpfSource } from './ebpf/mem-ebpf-source.js';
import { memMetricMapper } from './metrics.js';
import { MEM_OPTION_SCHEMA, resolveMemOptions, withFamilyOptions, type MemPluginOptions, type ResolvedMemOptions } from './options.js';
import { MemProcfsSource } from './procfs/mem-procfs-source.js';
import type { MemMetrics } from './records.js';

/** Token of the plugin's checked factory options inside its container. @internal */
export const MEM_OPTIONS: InjectionToken<ResolvedMemOptions> = Symbol.for('bpfscope.plugin-mem.options');

/**
 * The mem family's collector: eBPF first, then procfs/sysfs. Its sources are made per
 * engine, with the engine's services: the object loader, the procfs reader, the clock and
 * the family's validated options (`config.families.mem` over the factory's).
 */
@injectable()
export class MemCollector implements Collector<MemMetrics> {
  readonly family = 'mem';
  readonly sources: readonly [MemEbpfSource, MemProcfsSource];

  /** @internal the engine's container constructs it, with these tokens */
  constructor(
    @inject(MEM_OPTIONS) options: ResolvedMemOptions,
    @inject(familyOptionsToken('mem')) config: FamilyOptions,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
    @inject(PROCFS_READER) procfs: ProcfsReader,
    @inject(CLOCK) clock: Clock,
  ) {
    const merged = withFamilyOptions(options, config);
    this.sources = [new MemEbpfSource(merged, { loader, procfs, clock }), new MemProcfsSource(merged, { procfs, clock })];
  }
}

/**
 * The mem plugin: system memory and swap, page-fault and OOM counters, per-process page
 * faults (top K; opt-in, `processes: true`), memory usage and limits of limited cgroups (v1 and v2), OOM kills (with
 * the victims in eBPF mode) and, for the system and each limited cgroup, a prediction of
 * the time to exhaustion with a warning level. OOM victims also arrive as they happen
 * through `engine.events('mem')` (eBPF source only).
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [mem({ processes: true, topProcesses: 10 })] });
 * const m = (await engine.collect()).get('mem')?.data;
 * for (const p of m?.predictions ?? []) if (p.level !== 'none') console.warn(p.key, p.level, p.secondsToExhaustion);
 * for await (const v of engine.events('mem', { signal })) console.log(v.pid, v.comm, v.memoryCgroup?.path);
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 */
export function mem(options: MemPluginOptions = {}): Plugin {
  const resolved = resolveMemOptions(options, MEM_OBJECT_PATH);
  return {
    name: 'mem',
    version: '0.1.0',
    optionSchemas: { mem: MEM_OPTION_SCHEMA },
    metricMappers: [memMetricMapper],
    register(container) {
      container.register(MEM_OPTIONS, { useValue: resolved });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: MemCollector });
    },
  };
}
