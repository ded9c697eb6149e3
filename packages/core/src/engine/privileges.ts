import { readFileSync } from 'node:fs';
import { InsufficientPermissions } from '../errors/taxonomy.js';

/**
 * The capabilities `dropPrivileges: true` drops once every family has loaded and attached:
 * those that load programs, create maps, open perf events and turn on run-time statistics.
 */
export const DROPPED_CAPABILITIES = Object.freeze(['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN', 'CAP_SYS_RESOURCE'] as const);

/** One thread that still holds some of the dropped capabilities after the drop. */
export interface ThreadHoldingCapabilities {
  /** Thread id. */
  readonly tid: number;
  /** The thread's name (`Name:` in its status). */
  readonly name: string;
  /** Which of the dropped capabilities it still holds in its effective, permitted or inheritable set. */
  readonly held: readonly string[];
  /** Why it could not be reached, e.g. `signal-blocked: tracing it to make it drop them failed with errno 1` (a thread that blocks every signal, reached with ptrace, where tracing is refused). */
  readonly why: string;
}

/** What `dropPrivileges` did, as `engine.privileges()` reports it (docs/reliability.md). */
export interface PrivilegeDropReport {
  /** The capabilities dropped ({@link DROPPED_CAPABILITIES}). */
  readonly capabilities: readonly string[];
  /** When the drop was done, ISO 8601. */
  readonly at: string;
  /** Threads of the process after the drop, as `/proc/self/task` lists them. */
  readonly threads: number;
  /** Of those, the threads whose effective, permitted and inheritable sets (`/proc/self/task/<tid>/status`) hold none of the capabilities. */
  readonly threadsWithout: number;
  /** The threads that still hold some, each with why. Empty when every thread dropped them. */
  readonly holding: readonly ThreadHoldingCapabilities[];
  /**
   * Whether they were dropped from the bounding set too (of every thread but those in
   * `holding`), so that no exec can regain them; that needs CAP_SETPCAP (root has it, a
   * process given only CAP_BPF + CAP_PERFMON does not).
   */
  readonly bounding: {
    /** True when every reached thread's bounding set is without them. */
    readonly dropped: boolean;
    /** Why not, or null. */
    readonly reason: string | null;
  };
  /** Null when the drop was done; else why it could not be (e.g. no plugin provided the native object loader). */
  readonly error: string | null;
}

/** Details every error caused by dropped privileges carries. */
const DROPPED_DETAILS = { privilegesDropped: true } as const;

/**
 * The error for something that needs a capability the engine dropped: typed, with the remedy.
 * @param operation - what cannot be done now, e.g. `load and attach the eBPF programs of syscall`
 * @param needed - the capabilities it would need
 * @internal
 */
export function privilegesDroppedError(operation: string, needed: readonly string[]): InsufficientPermissions {
  return new InsufficientPermissions(`${operation} (the engine dropped its privileges after start: dropPrivileges)`, needed, {
    remedy:
      'The engine gave up CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN and CAP_SYS_RESOURCE once its families had attached (config dropPrivileges: true; on in bpfscope serve). ' +
      'What it holds keeps working; loading, attaching or reloading programs does not. Restart the process to load them again, or set dropPrivileges: false ' +
      '(bpfscope serve --keep-privileges) when families must be added, recovered or re-levelled at run time.',
    details: DROPPED_DETAILS,
  });
}

/** The drop done in this process, by any engine: capabilities are the process's, not one engine's. */
let processDrop: PrivilegeDropReport | null = null;

/** Records a drop that was done. @internal */
export function recordProcessDrop(report: PrivilegeDropReport): void {
  if (report.error === null) processDrop ??= report;
}

/** The drop done in this process, or null. @internal */
export function processDropReport(): PrivilegeDropReport | null {
  return processDrop;
}

/**
 * Why dropping would break reads on this kernel, or null. Before Linux 6.5, with
 * `kernel.unprivileged_bpf_disabled` set, a process without CAP_BPF was refused `bpf()`
 * commands on descriptors it holds too (all of them before 5.19; iterators until 6.5).
 * Unreadable files give null: nothing is assumed.
 * @internal
 */
export function dropBreaksReads(procRoot: string): string | null {
  let release: string;
  let disabled: number;
  try {
    release = readFileSync(`${procRoot}/sys/kernel/osrelease`, 'utf8').trim();
    disabled = Number(readFileSync(`${procRoot}/sys/kernel/unprivileged_bpf_disabled`, 'utf8').trim());
  } catch {
    return null;
  }
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m || !Number.isInteger(disabled) || disabled === 0) return null;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > 6 || (major === 6 && minor >= 5)) return null;
  return `kernel ${release} with kernel.unprivileged_bpf_disabled=${disabled} refuses bpf() commands on the descriptors already held to a process without CAP_BPF (until Linux 6.5), so the families could not be read after a drop; the privileges were kept`;
}

/**
 * Drop {@link DROPPED_CAPABILITIES} through the loader (the native addon), or say why not.
 * @internal
 */
export function dropWith(loader: { dropCapabilities?(capabilities: readonly string[]): PrivilegeDropReport } | null, now: () => number, procRoot = '/proc'): PrivilegeDropReport {
  if (processDrop) return processDrop;
  const failed = (error: string): PrivilegeDropReport => ({
    capabilities: DROPPED_CAPABILITIES,
    at: new Date(now()).toISOString(),
    threads: 0,
    threadsWithout: 0,
    holding: [],
    bounding: { dropped: false, reason: 'nothing was dropped' },
    error,
  });
  const breaks = dropBreaksReads(procRoot);
  if (breaks) return failed(breaks);
  if (!loader?.dropCapabilities) return failed('no plugin of this engine provided an object loader that can drop capabilities (the native addon: @bpfscope/native)');
  let report: PrivilegeDropReport;
  try {
    report = loader.dropCapabilities(DROPPED_CAPABILITIES);
  } catch (e) {
    // No addon (a fallback-only machine): nothing was dropped, and the report says why.
    return failed(`the capabilities could not be dropped: ${e instanceof Error ? e.message : String(e)}`);
  }
  recordProcessDrop(report);
  return report;
}
