import { COLLECTOR, OBJECT_LOADER, inject, injectable, type Collector, type InjectionToken, type ObjectLoader, type Plugin } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { PROC_OBJECT_PATH, ProcEbpfSource } from './ebpf/proc-ebpf-source.js';
import { ProcProcfsSource } from './procfs/proc-procfs-source.js';
import type { ProcMetrics } from './records.js';
import { checkSelection, type ProcessSelection } from './selection.js';

/**
 * Options of the {@link proc} plugin: which processes a reading keeps (all filters run in
 * user space after the table is read, except `pids`, which both readers push down), and
 * where the eBPF object is.
 */
export interface ProcPluginOptions extends ProcessSelection {
  /** Path of the compiled eBPF object. @default the `bpf/proc.bpf.o` shipped in this package */
  objectPath?: string;
}

/** Token of the plugin's sources inside its container. @internal */
export const PROC_SOURCES: InjectionToken<readonly [ProcEbpfSource, ProcProcfsSource]> = Symbol.for('bpfscope.plugin-proc.sources');

/** The proc family's collector: eBPF (task iterator) first, then procfs. */
@injectable()
export class ProcCollector implements Collector<ProcMetrics> {
  readonly family = 'proc';
  readonly sources: readonly [ProcEbpfSource, ProcProcfsSource];

  constructor(@inject(PROC_SOURCES) sources: readonly [ProcEbpfSource, ProcProcfsSource], @inject(OBJECT_LOADER) loader: ObjectLoader) {
    sources[0].useLoader(loader);
    this.sources = sources;
  }
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
  const selection = checkSelection(options);
  const ebpf = new ProcEbpfSource(selection, options.objectPath ?? PROC_OBJECT_PATH);
  const procfs = new ProcProcfsSource(selection);
  return {
    name: 'proc',
    version: '0.1.0',
    register(container) {
      container.register(PROC_SOURCES, { useValue: [ebpf, procfs] as const });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: ProcCollector });
    },
  };
}
