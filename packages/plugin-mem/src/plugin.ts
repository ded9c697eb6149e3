import { COLLECTOR, OBJECT_LOADER, type ObjectLoader, DataUnavailable, inject, injectable, type Collector, type InjectionToken, type Plugin } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { MEM_OBJECT_PATH, MemEbpfSource } from './ebpf/mem-ebpf-source.js';
import { resolveMemOptions, type MemPluginOptions } from './options.js';
import { MemProcfsSource, PROCFS_NO_VICTIMS } from './procfs/mem-procfs-source.js';
import type { OomEventsOptions, OomVictim } from './records-oom.js';
import type { MemMetrics } from './records.js';

/** The mem plugin: the plugin, plus a stream of OOM victims. */
export interface MemPlugin extends Plugin {
  /**
   * OOM victims as they happen, from the moment of the call (eBPF source only). The
   * iterator ends when `signal` aborts, when it is `return()`ed (a `break` out of
   * `for await`), or when the engine closes.
   * @param options - abort signal, how many victims to hold for a slow reader
   * @returns an async iterator of victims
   * @throws {@link @bpfscope/core!DataUnavailable} when the family runs on procfs (which cannot name
   *   victims) or has not started
   * @throws {@link @bpfscope/core!ConfigError} for a bad option
   * @example
   * ```ts
   * const m = mem();
   * const engine = createEngine({ plugins: [m] });
   * await engine.start();
   * for await (const v of m.oomEvents({ signal })) console.log(v.pid, v.comm, v.memoryCgroup?.path);
   * ```
   */
  oomEvents(options?: OomEventsOptions): AsyncIterableIterator<OomVictim>;
}

/** Token of the plugin's sources inside its container. @internal */
export const MEM_SOURCES: InjectionToken<readonly [MemEbpfSource, MemProcfsSource]> = Symbol.for('bpfscope.plugin-mem.sources');

/** The mem family's collector: eBPF first, then procfs/sysfs. */
@injectable()
export class MemCollector implements Collector<MemMetrics> {
  readonly family = 'mem';
  readonly sources: readonly [MemEbpfSource, MemProcfsSource];

  /** @param sources - the eBPF and the procfs source, in that order */
  constructor(@inject(MEM_SOURCES) sources: readonly [MemEbpfSource, MemProcfsSource], @inject(OBJECT_LOADER) loader: ObjectLoader) {
    sources[0].useLoader(loader);
    this.sources = sources;
  }
}

/**
 * The mem plugin: system memory and swap, page-fault and OOM counters, per-process page
 * faults (top K), memory usage and limits of limited cgroups (v1 and v2), OOM kills (with
 * the victims in eBPF mode) and, for the system and each limited cgroup, a prediction of
 * the time to exhaustion with a warning level.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [mem({ topProcesses: 10 })] });
 * const m = (await engine.collect()).get('mem')?.data;
 * for (const p of m?.predictions ?? []) if (p.level !== 'none') console.warn(p.key, p.level, p.secondsToExhaustion);
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 */
export function mem(options: MemPluginOptions = {}): MemPlugin {
  const resolved = resolveMemOptions(options, MEM_OBJECT_PATH);
  const ebpf = new MemEbpfSource(resolved);
  const procfs = new MemProcfsSource(resolved);
  return {
    name: 'mem',
    version: '0.1.0',
    register(container) {
      container.register(MEM_SOURCES, { useValue: [ebpf, procfs] as const });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: MemCollector });
    },
    oomEvents(o) {
      if (ebpf.active) return ebpf.oomEvents(o);
      const why = ebpf.initError;
      if (procfs.active) {
        const fellBack = why ? `eBPF was rejected (${why.code}: ${why.message})` : 'eBPF was not tried (mode "fallback")';
        throw new DataUnavailable('mem OOM events', `the mem family reads procfs because ${fellBack}; ${PROCFS_NO_VICTIMS}`, { cause: why ?? undefined });
      }
      throw new DataUnavailable('mem OOM events', 'the mem family is not running: start the engine first (engine.start() or engine.collect()); after close there are no events', {
        cause: why ?? undefined,
      });
    },
  };
}
