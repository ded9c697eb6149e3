// Why a probe program of one attach type failed, told apart so that `doctor` names the real
// cause: a missing capability, tracefs not mounted, a kernel built without the feature, a
// kernel that refuses it although the process holds every capability, or an old kernel.
import { existsSync } from 'node:fs';
import { constants, release } from 'node:os';
import {
  AttachFailed,
  IncompatibleKernel,
  InsufficientPermissions,
  isBpfscopeError,
  LoadFailed,
  type AttachCause,
  type AttachKind,
  type BpfscopeError,
} from '@bpfscope/core';
import { hasFullBpfPrivileges } from './privileges.js';
import { TRACEFS_REMEDY, tracefsEventsDir } from './tracefs.js';

const { EPERM, EACCES } = constants.errno;

/** Where the kernel lists its kprobe PMU; missing when it was built without CONFIG_KPROBES (or CONFIG_KPROBE_EVENTS). @internal */
export const KPROBE_PMU = '/sys/bus/event_source/devices/kprobe';

/** What the classifier needs to know about the machine; read once per probe run. @internal */
export interface AttachEnvironment {
  /** tracefs shows its events (at /sys/kernel/tracing or /sys/kernel/debug/tracing). */
  tracefsMounted: boolean;
  /** {@link KPROBE_PMU} exists. */
  kprobePmu: boolean;
  /** The process holds CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON; null when unknown. */
  fullPrivileges: boolean | null;
  /** `uname -r`. */
  kernelRelease: string;
}

/** The probe that failed: its attach type, program, attach point, feature name and first kernel. @internal */
export interface AttachProbeSpec {
  kind: AttachKind;
  program: string;
  attachPoint: string;
  feature: string;
  minimumKernel: string;
}

/** This machine's {@link AttachEnvironment}. @internal */
export function attachEnvironment(): AttachEnvironment {
  return { tracefsMounted: tracefsEventsDir() !== undefined, kprobePmu: existsSync(KPROBE_PMU), fullPrivileges: hasFullBpfPrivileges(), kernelRelease: release() };
}

/**
 * The cause of a failed probe, and the error to report: it says that cause, with a remedy
 * that fits it, and keeps the kernel's own error as `cause`.
 * @internal
 */
export function attachCause(spec: AttachProbeSpec, e: unknown, env: AttachEnvironment): { cause: AttachCause; error: BpfscopeError } {
  if (e instanceof InsufficientPermissions) return { cause: 'privilege', error: e };
  const failed: BpfscopeError | undefined = isBpfscopeError(e) ? e : undefined;
  if (failed?.code === 'NATIVE_UNAVAILABLE') return { cause: 'other', error: failed };
  const options = { ...(failed === undefined ? {} : { errno: failed.errno, op: failed.op }), cause: e };
  const stage = e instanceof LoadFailed ? 'load' : 'attach';
  const details = { attachType: spec.kind, program: spec.program, stage, reason: e instanceof Error ? e.message : String(e) };
  if (olderThan(env.kernelRelease, spec.minimumKernel)) {
    return { cause: 'kernel-version', error: new IncompatibleKernel(spec.feature, spec.minimumKernel, { ...options, details: { ...details, kernel: env.kernelRelease } }) };
  }
  if (spec.kind === 'tracepoint' && !env.tracefsMounted) {
    return {
      cause: 'tracefs-not-mounted',
      error: new AttachFailed(spec.program, spec.attachPoint, 'tracefs is not mounted, so the tracepoint\'s event id cannot be read', {
        ...options,
        remedy: TRACEFS_REMEDY,
        details: { ...details, tracefsMounted: false },
      }),
    };
  }
  if (spec.kind === 'kprobe' && !env.kprobePmu) {
    return {
      cause: 'kernel-config',
      error: new AttachFailed(spec.program, spec.attachPoint, `this kernel was built without CONFIG_KPROBES (it has no kprobe PMU: ${KPROBE_PMU} is missing)`, {
        ...options,
        remedy: 'kprobes cannot be had on this kernel without rebuilding it (CONFIG_KPROBES=y, CONFIG_KPROBE_EVENTS=y). bpfscope\'s own families do not need them: they use tp_btf and raw_tp programs.',
        details: { ...details, kprobePmu: false },
      }),
    };
  }
  const refused = failed?.errno === EPERM || failed?.errno === EACCES;
  if (refused && env.fullPrivileges === true) {
    return {
      cause: 'kernel-refuses',
      error: new AttachFailed(spec.program, spec.attachPoint, `the kernel refuses ${spec.feature} (${failed?.errno === EPERM ? 'EPERM' : 'EACCES'} at ${stage}) although this process holds CAP_BPF+CAP_PERFMON or CAP_SYS_ADMIN: a choice of this kernel's build or security policy, not its version (Linux ${env.kernelRelease} is new enough)`, {
        ...options,
        remedy: `Nothing to fix in bpfscope: its families do not use ${spec.kind}. To use it in your own programs, run a kernel whose build and policy (lockdown, LSMs, hypervisor) allow it, or use tp_btf/raw_tp programs instead.`,
        details,
      }),
    };
  }
  return { cause: 'other', error: failed ?? new AttachFailed(spec.program, spec.attachPoint, String(e), { cause: e, details }) };
}

/** True when `kernel` (`uname -r`) is older than `minimum` (`major.minor`); false when either cannot be parsed. */
function olderThan(kernel: string, minimum: string): boolean {
  const k = /^(\d+)\.(\d+)/.exec(kernel);
  const m = /^(\d+)\.(\d+)/.exec(minimum);
  if (!k || !m) return false;
  const [km, kn, mm, mn] = [k[1], k[2], m[1], m[2]].map(Number) as [number, number, number, number];
  return km < mm || (km === mm && kn < mn);
}
