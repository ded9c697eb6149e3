// Program run-time statistics: the kernel counts run_cnt and run_time_ns of
// every program only while some BPF_ENABLE_STATS fd is open (or the sysctl
// kernel.bpf_stats_enabled is 1). Counting costs a little per run, so it is
// on only while a handle is open.
import { loadNative } from './loader.js';
import { toBpfscopeError } from './native-error.js';
import type { ProgramStats } from './object-types.js';
import type { RawBpfFd, RawProgramRunInfo } from './raw-binding.js';

/** The public form of a program's kernel info. @internal */
export function toProgramStats(p: RawProgramRunInfo): ProgramStats {
  return {
    name: p.program ?? p.name,
    id: p.id,
    runCount: p.runCount,
    runTimeNs: p.runTimeNs,
    nsPerRun: p.runCount > 0 ? p.runTimeNs / p.runCount : undefined,
    recursionMisses: p.recursionMisses,
  };
}

/** An open BPF_ENABLE_STATS handle: statistics are counted until {@link RunStatsHandle.close}. */
export class RunStatsHandle {
  readonly #fd: RawBpfFd;

  /** @internal Handles come from {@link enableRunStats}. */
  constructor(fd: RawBpfFd) {
    this.#fd = fd;
  }

  /** False once closed. */
  get enabled(): boolean {
    return !this.#fd.closed;
  }

  /** Stops counting (unless another handle, process or the sysctl keeps it on). Closing twice does nothing. */
  close(): void {
    this.#fd.close();
  }

  /** Same as {@link RunStatsHandle.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Turns on per-program run statistics (BPF_ENABLE_STATS with
 * BPF_STATS_RUN_TIME) until the returned handle is closed or garbage-collected.
 * Read them with {@link BpfObject.programStats} or {@link PinnedProgram.info}.
 *
 * @returns the handle; keep it while you want counts
 * @throws {@link @bpfscope/core!IncompatibleKernel} before Linux 5.8
 * @throws {@link @bpfscope/core!InsufficientPermissions} without CAP_SYS_ADMIN
 * @example
 * ```ts
 * const stats = enableRunStats();
 * // ... workload ...
 * console.log(obj.programStats());
 * stats.close();
 * ```
 */
export function enableRunStats(): RunStatsHandle {
  try {
    return new RunStatsHandle(loadNative().enableRunStats());
  } catch (e) {
    throw toBpfscopeError(e, { kind: 'stats' });
  }
}
