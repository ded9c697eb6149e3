import { CLOCK, COLLECTOR, OBJECT_LOADER, PROCFS_READER, familyOptionsToken, inject, injectable, type Clock, type Collector, type FamilyOptions, type InjectionToken, type ObjectLoader, type Plugin, type ProcfsReader } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { THERMAL_OBJECT_PATH, ThermalEbpfSource } from './ebpf/thermal-ebpf-source.js';
import { resolveThermalOptions, THERMAL_OPTION_SCHEMA, withFamilyOptions, type ResolvedThermalOptions, type ThermalPluginOptions } from './options.js';
import { thermalMetricMapper } from './metrics.js';
import type { ThermalMetrics } from './records.js';
import { ThermalSysfsSource } from './sysfs/thermal-sysfs-source.js';

/** Token of the plugin's checked factory options inside its container. @internal */
export const THERMAL_OPTIONS: InjectionToken<ResolvedThermalOptions> = Symbol.for('bpfscope.plugin-thermal.options');

/**
 * The thermal family's collector: eBPF first, then sysfs. Its sources are made per engine,
 * with the engine's services: the object loader, the sysfs reader (`config.sysRoot`), the
 * clock and the family's validated options (`config.families.thermal` over the factory's).
 */
@injectable()
export class ThermalCollector implements Collector<ThermalMetrics> {
  readonly family = 'thermal';
  readonly sources: readonly [ThermalEbpfSource, ThermalSysfsSource];

  /** @internal the engine's container constructs it, with these tokens */
  constructor(
    @inject(THERMAL_OPTIONS) options: ResolvedThermalOptions,
    @inject(familyOptionsToken('thermal')) config: FamilyOptions,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
    @inject(PROCFS_READER) procfs: ProcfsReader,
    @inject(CLOCK) clock: Clock,
  ) {
    const merged = withFamilyOptions(options, config);
    this.sources = [new ThermalEbpfSource(merged, { loader, procfs, clock }), new ThermalSysfsSource(merged, { procfs, clock })];
  }
}

/**
 * The thermal plugin: thermal zones with their trip points, cooling devices, hwmon
 * temperature channels (per-core CPU, package, NVMe, GPU), each with an alert level
 * (`normal`, `warning`, `critical`, with hysteresis); with the eBPF source also every
 * reading the kernel takes of each zone and every trip crossing between two reads.
 * Alert-level changes and trip crossings also arrive through `engine.events('thermal')`.
 * On a machine without thermal zones or hwmon temperature channels the family is
 * unavailable, with what was looked for.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [thermal({ warningCelsius: 80 })] });
 * const t = (await engine.collect()).get('thermal')?.data;
 * for (const c of t?.cpus ?? []) console.log(c.cpuId, c.temperatureCelsius);
 * for await (const e of engine.events('thermal', { signal })) if (e.type === 'alert') console.warn(e.sensor, e.level);
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 */
export function thermal(options: ThermalPluginOptions = {}): Plugin {
  const resolved = resolveThermalOptions(options, THERMAL_OBJECT_PATH);
  return {
    name: 'thermal',
    version: '0.1.0',
    optionSchemas: { thermal: THERMAL_OPTION_SCHEMA },
    metricMappers: [thermalMetricMapper],
    register(container) {
      container.register(THERMAL_OPTIONS, { useValue: resolved });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: ThermalCollector });
    },
  };
}
