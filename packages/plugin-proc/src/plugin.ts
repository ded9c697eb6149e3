import { COLLECTOR, ConfigError, OBJECT_LOADER, familyOptionsToken, inject, injectable, type Collector, type FamilyOptions, type FilterRecord, type InjectionToken, type ObjectLoader, type OptionSchema, type Plugin } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { PROC_OBJECT_PATH, ProcEbpfSource } from './ebpf/proc-ebpf-source.js';
import { ProcProcfsSource } from './procfs/proc-procfs-source.js';
import { procMetricMapper } from './metrics.js';
import type { ProcMetrics } from './records.js';
import { checkSelection, type ProcessSelection } from './selection.js';
import type { ProcessCategory } from './records.js';
import { processFilterRecord } from './filter-record.js';
import type { TopMeasure } from './top-k.js';

/**
 * Options of the {@link proc} plugin: which processes a reading keeps (all filters run in
 * user space after the table is read, except `pids`, which both readers push down), and
 * where the eBPF object is.
 */
export interface ProcPluginOptions extends ProcessSelection {
  /** Path of the compiled eBPF object. @default the `bpf/proc.bpf.o` shipped in this package */
  objectPath?: string;
}

/** Token of the plugin's options inside its container. @internal */
export const PROC_OPTIONS: InjectionToken<ProcPluginOptions> = Symbol.for('bpfscope.plugin-proc.options');

/**
 * The options `config.families.proc` may hold (besides `mode` and `enabled`); they override
 * the factory's. `topK` keeps the `k` processes largest by `topBy` (default `cpu`).
 */
export const PROC_OPTION_SCHEMA: OptionSchema = Object.freeze({
  pids: { type: 'integer[]', min: 1, max: 4194304 },
  comm: { type: 'string' },
  categories: { type: 'string[]', maxItems: 2 },
  topK: { type: 'integer', min: 1, max: 1_000_000 },
  topBy: { type: 'string', values: ['cpu', 'cpuPercent', 'rss', 'io'] },
});

/** The proc family's collector: eBPF (task iterator) first, then procfs. */
@injectable()
export class ProcCollector implements Collector<ProcMetrics> {
  readonly family = 'proc';
  readonly sources: readonly [ProcEbpfSource, ProcProcfsSource];

  constructor(
    @inject(PROC_OPTIONS) options: ProcPluginOptions,
    @inject(familyOptionsToken('proc')) config: FamilyOptions,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
  ) {
    // Sources of this engine's own: a plugin given to two engines shares nothing mutable.
    const selection = checkSelection({ ...options, ...fromConfig(config, options) });
    const ebpf = new ProcEbpfSource(selection, options.objectPath ?? PROC_OBJECT_PATH);
    ebpf.useLoader(loader);
    this.sources = [ebpf, new ProcProcfsSource(selection)];
  }

  /**
   * The engine's user-space filter over process records: `pid`, `comm`, `cgroupId`,
   * `mountNamespace` and `netNamespace` (null where they could not be read: an allow list of
   * them then leaves the process out, a deny list keeps it), `processKind` (the record's
   * `category`), `nice`, `cpuPercent` (from the second reading on) and `memoryBytes`
   * (`rssBytes`). The eBPF source pushes the list parts down into the task iterator
   * ({@link ProcEbpfSource.pushdown}); the procfs source pushes nothing, so there every
   * part applies here. The other fields of the reading (`matched`, ...) describe the
   * table before this filter.
   */
  filterRecords(data: ProcMetrics, keep: (record: FilterRecord) => boolean): ProcMetrics {
    return {
      ...data,
      processes: data.processes.filter((p) => keep(processFilterRecord(p))),
    };
  }
}

function fromConfig(config: FamilyOptions, options: ProcPluginOptions): ProcessSelection {
  const out: { -readonly [K in keyof ProcessSelection]: ProcessSelection[K] } = {};
  if (config.pids !== undefined) out.pids = config.pids as number[];
  if (config.comm !== undefined) out.comm = config.comm as string;
  if (config.categories !== undefined) out.categories = config.categories as ProcessCategory[];
  if (config.topK !== undefined || config.topBy !== undefined) {
    const by = (config.topBy ?? options.topK?.by ?? 'cpu') as TopMeasure;
    const k = (config.topK ?? options.topK?.k) as number | undefined;
    if (k === undefined) throw new ConfigError('families.proc.topK', k, 'an integer from 1 to 1000000 when families.proc.topBy is given');
    out.topK = { by, k };
  }
  return out;
}

/**
 * The proc plugin: the process table (PID, parent, command, state, owner, priority,
 * threads, start time, CPU time and CPU percent, memory, faults, I/O, cgroup and
 * container), from the kernel's task iterator or from procfs, with filters and a top-K.
 * For fork/exec/exit events and process trees see {@link ProcessTree} and
 * {@link watchProcessTree}.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [proc({ categories: ['user'], topK: { by: 'cpuPercent', k: 10 } })] });
 * await engine.collect(); // first reading: cpuPercent is null
 * const top = (await engine.collect()).get('proc')?.data.processes;
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for a bad filter or top-K value
 */
export function proc(options: ProcPluginOptions = {}): Plugin {
  checkSelection(options); // bad factory options fail here, at the call
  return {
    name: 'proc',
    version: '0.1.0',
    optionSchemas: { proc: PROC_OPTION_SCHEMA },
    metricMappers: [procMetricMapper],
    register(container) {
      container.register(PROC_OPTIONS, { useValue: { ...options } });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: ProcCollector });
    },
  };
}
