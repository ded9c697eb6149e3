import { COLLECTOR, ConfigError, OBJECT_LOADER, familyOptionsToken, type FamilyOptions, type ObjectLoader, type OptionSchema, inject, injectable, type Collector, type FilterRecord, type InjectionToken, type Plugin } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { SYSCALL_OBJECT_PATH, SyscallEbpfSource } from './ebpf/syscall-ebpf-source.js';
import { syscallMetricMapper } from './metrics.js';
import { SyscallProcfsSource } from './procfs/syscall-procfs-source.js';
import type { SyscallMetrics, SyscallMode } from './records.js';
import { normalizeFilter, type SyscallFilter } from './syscall-filter.js';
import { filterSyscallRecords } from './syscall-filter-records.js';

/** Options of the {@link syscall} plugin. */
export interface SyscallPluginOptions extends SyscallFilter {
  /**
   * `counts`: counts only (one program per call instead of two, and the per-process table
   * updated once per run of the same call rather than at every call); errors and latency
   * are then unavailable, with the reason. `latency`: counts, errors, total and average
   * latency and a latency histogram per call, at the cost of a second program at every
   * return: opt-in detail, as the cost table in the README says.
   * @default 'counts'
   */
  mode?: SyscallMode;
  /** With a PID filter, count the processes they start too (followed in the kernel at fork). @default true */
  followForks?: boolean;
  /**
   * Count the processes this PID forks (and their descendants), but not it: for
   * profilers that spawn a command. A process it forks is counted from its first exec
   * on (the execve included), so the profiler's own calls between fork and exec are not.
   * @default none
   */
  spawnParent?: number;
  /**
   * Count the calling process (the collector) too. Off by default, so that a reading
   * shows the machine's calls and not the collector's own. A PID filter that names
   * this process counts it whatever this says. Decided when the plugin is created.
   * @default false
   */
  includeSelf?: boolean;
  /**
   * Per-process detail of the eBPF source: the kernel keeps calls per (process, syscall)
   * for this engine and a reading lists the top processes (`processes`, `bySyscall`). Off,
   * the programs do no per-process work at all (per-syscall totals are as exact) and
   * `processes` is empty, with the reason in `unavailable.processes`. Opt-in detail: its
   * cost per call is in the plugin README. Rows of processes that exited are deleted after
   * the reading that reports them last. (The procfs source reads per-process files either way.)
   * @default false
   */
  processes?: boolean;
  /** How many processes a reading lists, largest count first (with `processes`). @default 50 */
  topProcesses?: number;
  /** Path of the compiled eBPF object. @default the one shipped in this package */
  objectPath?: string;
}

/** The syscall plugin: the plugin, plus a way to change its filters while it runs. */
export interface SyscallPlugin extends Plugin {
  /**
   * Replace the PID and syscall filters. With the eBPF source the kernel program
   * sees them at once, with no reload; with procfs the PID filter applies in user space.
   * The same kernel path as `engine.setFilter('syscall', { pids, syscalls })`, which also
   * takes comm and cgroup filters and thresholds; the last of the two calls wins in the kernel.
   * @throws {@link @bpfscope/core!ConfigError} for an unknown call name or a bad PID
   */
  setFilter(filter: SyscallFilter): Promise<void>;
}

/**
 * The options `config.families.syscall` may hold (besides the engine's `mode` and `enabled`);
 * they override the factory's. `measure` is the factory's `mode` (`latency` or `counts`),
 * renamed because `mode` there picks the source (auto, ebpf, fallback); `syscalls` takes names.
 */
export const SYSCALL_OPTION_SCHEMA: OptionSchema = Object.freeze({
  measure: { type: 'string', values: ['latency', 'counts'] },
  followForks: { type: 'boolean' },
  spawnParent: { type: 'integer', min: 1, max: 4_194_304 },
  includeSelf: { type: 'boolean' },
  processes: { type: 'boolean' },
  topProcesses: { type: 'integer', min: 1, max: 1_000_000 },
  pids: { type: 'integer[]', min: 1, max: 4_194_304 },
  syscalls: { type: 'string[]' },
});

/** What the collectors of one plugin share: the factory's options and the live collectors (for the plugin's `setFilter`). @internal */
export interface SyscallPluginState {
  /** The factory's options, with the filter of the last `setFilter` (so engines started later take it). */
  options: SyscallPluginOptions;
  readonly collectors: Set<SyscallCollector>;
}

/** Token of the plugin's state inside its container. @internal */
export const SYSCALL_STATE: InjectionToken<SyscallPluginState> = Symbol.for('bpfscope.plugin-syscall.state');

/** The factory's options with `config.families.syscall` over them. */
function merged(options: SyscallPluginOptions, config: FamilyOptions): SyscallPluginOptions {
  const out: SyscallPluginOptions = { ...options };
  if (config.measure !== undefined) out.mode = config.measure as SyscallMode;
  for (const key of ['followForks', 'spawnParent', 'includeSelf', 'processes', 'topProcesses', 'pids', 'syscalls'] as const) {
    if (config[key] !== undefined) (out as Record<string, unknown>)[key] = config[key];
  }
  return out;
}

/** The syscall family's collector: eBPF first, then procfs, made per engine from the plugin's options and the family's config. */
@injectable()
export class SyscallCollector implements Collector<SyscallMetrics> {
  readonly family = 'syscall';
  readonly sources: readonly [SyscallEbpfSource, SyscallProcfsSource];

  /** @internal made by the engine's container */
  constructor(@inject(SYSCALL_STATE) state: SyscallPluginState, @inject(familyOptionsToken('syscall')) config: FamilyOptions, @inject(OBJECT_LOADER) loader: ObjectLoader) {
    const options = merged(state.options, config);
    const filter = normalizeFilter(options);
    const topProcesses = options.topProcesses ?? 50;
    const excludeSelf = options.includeSelf !== true && !(filter.pids ?? []).includes(process.pid);
    const ebpf = new SyscallEbpfSource({
      mode: options.mode ?? 'counts',
      filter,
      followForks: options.followForks ?? true,
      spawnParent: options.spawnParent ?? 0,
      excludeTgid: excludeSelf ? process.pid : 0,
      processes: options.processes ?? false,
      topProcesses,
      objectPath: options.objectPath ?? SYSCALL_OBJECT_PATH,
    });
    ebpf.useLoader(loader);
    this.sources = [ebpf, new SyscallProcfsSource(filter, topProcesses, excludeSelf ? process.pid : 0)];
    state.collectors.add(this);
  }

  /** User-space filter parts (thresholds, or everything with the procfs source) over syscall and process rows. */
  filterRecords(data: SyscallMetrics, keep: (record: FilterRecord) => boolean): SyscallMetrics {
    return filterSyscallRecords(data, keep);
  }
}

/**
 * The syscall plugin: per-syscall counts, errors and latency, per-process counts, by
 * category, with filters pushed into the kernel and sampled per-call events
 * (`engine.events('syscall', { sampleEvery })`). Engines of one process share the loaded
 * eBPF object; each keeps its own filter and counters.
 *
 * @example
 * ```ts
 * const sc = syscall({ pids: [process.pid], mode: 'latency', processes: true });
 * const engine = createEngine({ plugins: [sc] });
 * const top = (await engine.collect()).get('syscall')?.data.syscalls.slice(0, 5);
 * await sc.setFilter({ pids: null, syscalls: ['openat', 'read'] });
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an unknown call name, a bad PID or a non-boolean `includeSelf` or `processes`
 */
export function syscall(options: SyscallPluginOptions = {}): SyscallPlugin {
  normalizeFilter(options); // bad factory options fail here, at the call
  for (const key of ['includeSelf', 'processes'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new ConfigError(`syscall.${key}`, options[key], 'true or false');
  }
  const state: SyscallPluginState = { options: { ...options }, collectors: new Set() };
  return {
    name: 'syscall',
    version: '0.1.0',
    optionSchemas: { syscall: SYSCALL_OPTION_SCHEMA },
    metricMappers: [syscallMetricMapper],
    register(container) {
      container.register(SYSCALL_STATE, { useValue: state });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: SyscallCollector });
    },
    async setFilter(next) {
      const f = normalizeFilter(next);
      state.options = { ...state.options, pids: f.pids, syscalls: f.syscalls };
      await Promise.all([...state.collectors].flatMap((c) => [c.sources[0].setFilter(f), c.sources[1].setFilter(f)]));
    },
  };
}
