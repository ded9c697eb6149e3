import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IncompatibleKernel, InsufficientPermissions, isBpfscopeError, LoadFailed, type AttachKind, type BpfscopeError } from '@bpfscope/core';
import { BpfObject } from './bpf-object.js';
import type { BpfLink } from './bpf-link.js';
import { cachedProbe } from './probe-cache.js';
import { TRACEFS_REMEDY, tracefsEventsDir } from './tracefs.js';

/** The result of probing one attach type. */
export interface AttachTypeSupport {
  /** True when a program of this type loaded, attached and detached. */
  supported: boolean;
  /** Why not: {@link @bpfscope/core!IncompatibleKernel} (feature + minimum kernel, the load or attach error as `cause`), {@link @bpfscope/core!InsufficientPermissions} or {@link @bpfscope/core!NativeUnavailable}. */
  error?: BpfscopeError;
}

interface Spec {
  /** Program of bpf/probe/probe.bpf.c. */
  program: string;
  feature: string;
  minimumKernel: string;
  attach: (obj: BpfObject, program: string) => BpfLink;
}

const attachAuto = (obj: BpfObject, program: string): BpfLink => obj.attach(program);

const SPECS: Readonly<Record<AttachKind, Spec>> = {
  tp_btf: { program: 'probe_tp_btf', feature: 'tp_btf (BTF tracepoint) attach', minimumKernel: '5.5', attach: attachAuto },
  raw_tp: { program: 'probe_raw_tp', feature: 'raw_tp (raw tracepoint) attach', minimumKernel: '4.17', attach: attachAuto },
  tracepoint: { program: 'probe_tp', feature: 'tracepoint attach', minimumKernel: '4.7', attach: attachAuto },
  kprobe: { program: 'probe_kprobe', feature: 'kprobe attach', minimumKernel: '4.1', attach: attachAuto },
  fentry: { program: 'probe_fentry', feature: 'fentry (BPF trampoline) attach', minimumKernel: '5.5', attach: attachAuto },
  uprobe: {
    program: 'probe_uprobe',
    feature: 'uprobe attach',
    minimumKernel: '4.1',
    attach: (obj, program) => obj.attachUprobe(program, { ...uprobeTarget(), pid: process.pid }),
  },
  iter: { program: 'probe_iter', feature: 'BPF iterator (iter/task) attach', minimumKernel: '5.8', attach: attachAuto },
  perf_event: {
    program: 'probe_perf',
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

async function probeOne(kind: AttachKind): Promise<AttachTypeSupport> {
  const spec = SPECS[kind];
  let obj: BpfObject | undefined;
  try {
    obj = BpfObject.open(PROBE_OBJECT, { name: 'bpfscope_probe' });
    for (const p of obj.programs()) obj.setAutoload(p.name, p.name === spec.program);
    await obj.load();
    spec.attach(obj, spec.program).destroy();
    return { supported: true };
  } catch (e) {
    return { supported: false, error: classify(kind, spec, e) };
  } finally {
    obj?.close();
  }
}

function classify(kind: AttachKind, spec: Spec, e: unknown): BpfscopeError {
  if (e instanceof InsufficientPermissions) return e;
  if (isBpfscopeError(e) && e.code === 'NATIVE_UNAVAILABLE') return e;
  const details: Record<string, unknown> = {
    attachType: kind,
    program: spec.program,
    stage: e instanceof LoadFailed ? 'load' : 'attach',
    reason: e instanceof Error ? e.message : String(e),
  };
  let remedy: string | undefined;
  if (kind === 'tracepoint' && tracefsEventsDir() === undefined) {
    details.tracefsMounted = false;
    remedy = TRACEFS_REMEDY;
  }
  return new IncompatibleKernel(spec.feature, spec.minimumKernel, {
    ...(isBpfscopeError(e) ? { errno: e.errno, op: e.op } : {}),
    ...(remedy === undefined ? {} : { remedy }),
    cause: e,
    details,
  });
}

/** This process's libc, from /proc/self/maps, and its getpid; node's own napi_get_version when there is no shared libc. */
function uprobeTarget(): { binaryPath: string; functionName: string } {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  const libc = /\s(\/\S*\/libc(?:\.so[.\d]*|-[\d.]+\.so))$/m.exec(maps)?.[1];
  return libc ? { binaryPath: libc, functionName: 'getpid' } : { binaryPath: process.execPath, functionName: 'napi_get_version' };
}
