import { constants } from 'node:os';
import {
  AttachFailed,
  Closed,
  DataUnavailable,
  IncompatibleKernel,
  InsufficientPermissions,
  LoadFailed,
  MapOperationFailed,
  type BpfscopeError,
} from '@bpfscope/core';
import { bpfCapabilities, hasFullBpfPrivileges } from './privileges.js';

const { EPERM, EACCES, EINVAL } = constants.errno;

/** How many lines of the libbpf / verifier log an error keeps. */
const LOG_TAIL_LINES = 60;

/** What the addon throws: a plain Error with the failure as data (src/native/errors.cc). @internal */
export interface NativeFailure extends Error {
  code: 'LOAD_FAILED' | 'ATTACH_FAILED' | 'MAP_OPERATION_FAILED' | 'CLOSED' | 'BUSY' | 'INVALID_ARGUMENT' | 'READ_FAILED';
  op: string;
  errno: number;
  log: string;
  /** The message without the strerror suffix. */
  nativeMessage: string;
  /** strerror of `errno` (libbpf_strerror), empty when errno is 0. */
  errnoText: string;
}

/** @internal */
export function isNativeFailure(e: unknown): e is NativeFailure {
  return (
    e instanceof Error &&
    typeof (e as Partial<NativeFailure>).code === 'string' &&
    typeof (e as Partial<NativeFailure>).op === 'string' &&
    typeof (e as Partial<NativeFailure>).errno === 'number'
  );
}

/** Where a native call failed, so the right taxonomy error can name it. @internal */
export type FailureContext =
  | { kind: 'load'; object: string; sections: ReadonlyMap<string, string> }
  | { kind: 'attach'; program: string; attachPoint: string }
  | { kind: 'map'; map: string; operation: string }
  | { kind: 'program'; object: string; program: string; operation: string }
  | { kind: 'iterator'; program: string }
  | { kind: 'stats' };

/** The last `lines` lines of a log. @internal */
export function logTail(log: string, lines = LOG_TAIL_LINES): string {
  const all = log.replace(/\n+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}

/**
 * Turns whatever a native call threw into the matching @bpfscope/core error.
 * Non-native errors (bugs) are rethrown unchanged.
 * @internal
 */
export function toBpfscopeError(e: unknown, ctx: FailureContext): BpfscopeError {
  if (!isNativeFailure(e)) throw e;
  const options = { errno: e.errno === 0 ? undefined : e.errno, op: e.op, cause: e };
  if (e.code === 'CLOSED') return new Closed(closedWhat(ctx), options);
  if (isPermissionProblem(e, ctx)) {
    const unknown = bpfCapabilities().reason;
    return new InsufficientPermissions(operationOf(ctx), neededFor(ctx), {
      ...options,
      ...(isUprobe(ctx) ? { remedy: UPROBE_REMEDY } : {}),
      details: { log: logTail(e.log), ...(unknown === undefined ? {} : { capabilitiesUnknown: unknown }) },
    });
  }
  switch (ctx.kind) {
    case 'load':
      return loadFailed(e, ctx, options);
    case 'attach':
      return new AttachFailed(ctx.program, ctx.attachPoint, attachReason(e), { ...options, details: { log: logTail(e.log) } });
    case 'map':
      return new MapOperationFailed(ctx.map, ctx.operation, e.message, options);
    case 'program':
      return new LoadFailed(ctx.object, `${ctx.operation} of program ${ctx.program}: ${e.message}`, '', options);
    case 'iterator':
      return new DataUnavailable(`the output of iterator ${ctx.program}`, e.message, options);
    case 'stats':
      return e.errno === EINVAL
        ? new IncompatibleKernel('BPF_ENABLE_STATS (program run-time statistics)', '5.8', options)
        : new DataUnavailable('program run-time statistics', e.message, options);
  }
}

// EACCES from BPF_PROG_LOAD with a verifier log is the verifier rejecting the
// program, and EPERM while holding every capability is a kernel policy: both
// are load failures, not permission problems.
function isPermissionProblem(e: NativeFailure, ctx: FailureContext): boolean {
  if (e.errno !== EPERM && e.errno !== EACCES) return false;
  if (ctx.kind === 'load' && e.errno === EACCES && /processed \d+ insns|BEGIN PROG LOAD LOG/.test(e.log)) return false;
  // A uprobe's perf event needs CAP_SYS_ADMIN: CAP_BPF+CAP_PERFMON get EACCES (measured on 6.x).
  if (isUprobe(ctx)) return bpfCapabilities().capabilities?.CAP_SYS_ADMIN !== true;
  // Capabilities unknown: the refusal is reported as the permission problem it most likely is.
  return hasFullBpfPrivileges() !== true;
}

const UPROBE_REMEDY =
  'A uprobe needs CAP_SYS_ADMIN: CAP_BPF and CAP_PERFMON are not enough. Run as root, or add CAP_SYS_ADMIN to the capabilities the process gets ' +
  '(docs/running-without-root.md). bpfscope\'s own families use no uprobes and need only CAP_BPF and CAP_PERFMON.';

function isUprobe(ctx: FailureContext): boolean {
  return ctx.kind === 'attach' && /^u(ret)?probe[:/]/.test(ctx.attachPoint);
}

// What the process lacks, from its own capabilities: with CAP_BPF alone, tracing programs
// are refused for CAP_PERFMON, and naming CAP_BPF then would send the user the wrong way.
function neededFor(ctx: FailureContext): string[] {
  if (isUprobe(ctx)) return ['CAP_SYS_ADMIN'];
  const caps = bpfCapabilities().capabilities;
  if (caps !== null && !caps.CAP_SYS_ADMIN && caps.CAP_BPF !== caps.CAP_PERFMON) return [caps.CAP_BPF ? 'CAP_PERFMON' : 'CAP_BPF'];
  return ['CAP_BPF with CAP_PERFMON', 'CAP_SYS_ADMIN'];
}

function loadFailed(e: NativeFailure, ctx: Extract<FailureContext, { kind: 'load' }>, options: { errno: number | undefined; op: string; cause: unknown }): LoadFailed {
  // libbpf names the failing program as "prog 'name': reason"; keep the first such reason.
  const match = /prog '([^']+)': (?!-- BEGIN)(.+)$/m.exec(e.log);
  const details: Record<string, unknown> = {};
  let message = e.message;
  if (match?.[1] && match[2]) {
    const program = match[1];
    const section = ctx.sections.get(program);
    details.program = program;
    if (section !== undefined) details.section = section;
    message = `program ${program}${section === undefined ? '' : ` (${section})`}: ${match[2]}`;
  } else {
    const first = e.log.split('\n').find((l) => l.trim() !== '');
    if (first !== undefined) message = `${e.message}: ${first.replace(/^libbpf: /, '').trim()}`;
  }
  if (e.errno === EPERM && hasFullBpfPrivileges() === true) {
    message += ' (EPERM although the process holds CAP_SYS_ADMIN/CAP_BPF: the kernel refuses this program type or attach target)';
  }
  return new LoadFailed(ctx.object, message, logTail(e.log), { ...options, details });
}

// libbpf's first line names the root cause ("failed to determine tracepoint
// 'sched/sched_switch' perf event ID: No such file or directory").
function attachReason(e: NativeFailure): string {
  const line = e.log.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return e.errnoText || e.nativeMessage;
  return line.replace(/^libbpf: /, '').replace(/^prog '[^']+': /, '').trim();
}

function closedWhat(ctx: FailureContext): string {
  switch (ctx.kind) {
    case 'load':
      return `BPF object ${ctx.object}`;
    case 'attach':
      return `the object of program ${ctx.program}`;
    case 'map':
      return `the object of map ${ctx.map}`;
    case 'program':
      return `BPF object ${ctx.object}`;
    case 'iterator':
      return `the link of iterator ${ctx.program}`;
    case 'stats':
      return 'the run-time statistics handle';
  }
}

function operationOf(ctx: FailureContext): string {
  switch (ctx.kind) {
    case 'load':
      return `load BPF object ${ctx.object}`;
    case 'attach':
      return `attach ${ctx.program} to ${ctx.attachPoint}`;
    case 'map':
      return `${ctx.operation} on map ${ctx.map}`;
    case 'program':
      return `${ctx.operation} of program ${ctx.program}`;
    case 'iterator':
      return `read iterator ${ctx.program}`;
    case 'stats':
      return 'enable BPF run-time statistics (BPF_ENABLE_STATS)';
  }
}
