import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AttachCause, AttachKind, BpfscopeError } from '@bpfscope/core';
import { attachCause, attachEnvironment, type AttachEnvironment } from './attach-cause.js';
import { BpfObject } from './bpf-object.js';
import type { BpfLink } from './bpf-link.js';
import { cachedProbe } from './probe-cache.js';

/** The result of probing one attach type. */
export interface AttachTypeSupport {
  /** True when a program of this type loaded, attached and detached. */
  supported: boolean;
  /** Why not, classified: a missing capability, tracefs not mounted, a kernel built without the feature, a kernel that refuses it, an old kernel, or other. */
  cause?: AttachCause;
  /**
   * Why not, with a remedy for that cause: {@link @bpfscope/core!InsufficientPermissions} (`privilege`),
   * {@link @bpfscope/core!AttachFailed} saying the cause (`tracefs-not-mounted`, `kernel-config`, `kernel-refuses`),
   * {@link @bpfscope/core!IncompatibleKernel} (`kernel-version`), or the load or attach error itself (`other`).
   */
  error?: BpfscopeError;
}

interface Spec {
  /** Program of bpf/probe/probe.bpf.c. */
  program: string;
  /** Where the program attaches, as errors name it. */
  attachPoint: string;
  feature: string;
  minimumKernel: string;
  attach: (obj: BpfObject, program: string) => BpfLink;
}

const attachAuto = (obj: BpfObject, program: string): BpfLink => obj.attach(program);

const SPECS: Readonly<Record<AttachKind, Spec>> = {
  tp_btf: { attachPoint: 'tp_btf/sched_switch', program: 'probe_tp_btf', feature: 'tp_btf (BTF tracepoint) attach', minimumKernel: '5.5', attach: attachAuto },
  raw_tp: { attachPoint: 'raw_tp/sched_switch', program: 'probe_raw_tp', feature: 'raw_tp (raw tracepoint) attach', minimumKernel: '4.17', attach: attachAuto },
  tracepoint: { attachPoint: 'tracepoint/sched/sched_switch', program: 'probe_tp', feature: 'tracepoint attach', minimumKernel: '4.7', attach: attachAuto },
  kprobe: { attachPoint: 'kprobe/__x64_sys_getpid', program: 'probe_kprobe', feature: 'kprobe attach', minimumKernel: '4.1', attach: attachAuto },
  fentry: { attachPoint: 'fentry/vfs_read', program: 'probe_fentry', feature: 'fentry (BPF trampoline) attach', minimumKernel: '5.5', attach: attachAuto },
  uprobe: {
    program: 'probe_uprobe',
    attachPoint: 'uprobe:libc:getpid',
    feature: 'uprobe attach',
    minimumKernel: '4.1',
    attach: (obj, program) => obj.attachUprobe(program, { ...uprobeTarget(), pid: process.pid }),
  },
  iter: { attachPoint: 'iter/task', program: 'probe_iter', feature: 'BPF iterator (iter/task) attach', minimumKernel: '5.8', attach: attachAuto },
  perf_event: {
    program: 'probe_perf',
    attachPoint: 'perf_event/cpu-clock',
    feature: 'perf_event attach',
    minimumKernel: '4.9',
    attach: (obj, program) => obj.attachPerfEvent(program, { cpu: 0, frequencyHz: 1 }),
  },
};

/** @internal */
export const PROBE_OBJECT = fileURLToPath(new URL('../bpf/probe.bpf.o', import.meta.url));

/**
 * Finds out, for real, which attach types work on this kernel: for each, loads
 * that one program of the probe object (bpf/probe.bpf.o), attaches it, and
 * detaches it. kprobe targets `__x64_sys_getpid`, fentry `vfs_read` (in BTF on
 * every kernel, unlike the syscall wrapper), uprobe this process's libc
 * `getpid`, perf_event a software cpu-clock event on CPU 0, iter `iter/task`,
 * tracepoint `sched/sched_switch` (which needs tracefs mounted). The result is
 * computed once per process.
 *
 * @returns one entry per attach type; never rejects
 * @example
 * ```ts
 * const types = await probeAttachTypes();
 * if (!types.fentry.supported) console.log(types.fentry.error?.message);
 * ```
 */
export function probeAttachTypes(): Promise<Record<AttachKind, AttachTypeSupport>> {
  return cachedProbe('attach-types', probeAll);
}

// One at a time: each probe loads and attaches for real.
async function probeAll(): Promise<Record<AttachKind, AttachTypeSupport>> {
  const env = attachEnvironment();
  const probeOne = (kind: AttachKind): Promise<AttachTypeSupport> => probeKind(kind, env);
  return {
    tp_btf: await probeOne('tp_btf'),
    raw_tp: await probeOne('raw_tp'),
    tracepoint: await probeOne('tracepoint'),
    kprobe: await probeOne('kprobe'),
    fentry: await probeOne('fentry'),
    uprobe: await probeOne('uprobe'),
    iter: await probeOne('iter'),
    perf_event: await probeOne('perf_event'),
  };
}

async function probeKind(kind: AttachKind, env: AttachEnvironment): Promise<AttachTypeSupport> {
  const spec = SPECS[kind];
  let obj: BpfObject | undefined;
  try {
    obj = BpfObject.open(PROBE_OBJECT, { name: 'bpfscope_probe' });
    for (const p of obj.programs()) obj.setAutoload(p.name, p.name === spec.program);
    await obj.load();
    spec.attach(obj, spec.program).destroy();
    return { supported: true };
  } catch (e) {
    const { cause, error } = attachCause({ kind, ...spec }, e, env);
    return { supported: false, cause, error };
  } finally {
    obj?.close();
  }
}

/** This process's libc, from /proc/self/maps, and its getpid; node's own napi_get_version when there is no shared libc. */
function uprobeTarget(): { binaryPath: string; functionName: string } {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  const libc = /\s(\/\S*\/libc(?:\.so[.\d]*|-[\d.]+\.so))$/m.exec(maps)?.[1];
  return libc ? { binaryPath: libc, functionName: 'getpid' } : { binaryPath: process.execPath, functionName: 'napi_get_version' };
}
