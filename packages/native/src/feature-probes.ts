import { constants } from 'node:os';
import { InsufficientPermissions } from '@bpfscope/core';
import { loadNative } from './loader.js';

const { EPERM, EACCES } = constants.errno;

/**
 * The libbpf the addon runs with.
 * @returns `major.minor`, e.g. `1.1`
 * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
 */
export function libbpfVersion(): string {
  return loadNative().libbpfVersion();
}

/**
 * Number of possible CPUs (libbpf_num_possible_cpus): the number of slots of a per-CPU map value.
 * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
 */
export function possibleCpus(): number {
  return loadNative().possibleCpus();
}

/**
 * Whether the kernel accepts programs of a type (libbpf_probe_bpf_prog_type).
 * libbpf 1.1 cannot probe `tracing`, `ext` and `lsm` this way and reports them
 * unsupported; {@link probeAttachTypes} answers for tp_btf, fentry and iter.
 *
 * @param name - libbpf program type name: `kprobe`, `tracepoint`, `raw_tracepoint`, `perf_event`, ...
 * @throws TypeError for a name libbpf does not know (the message lists the known ones)
 * @throws {@link @bpfscope/core!InsufficientPermissions} when the probe itself was refused
 */
export function probeProgramType(name: string): boolean {
  const native = loadNative();
  return verdict(native.probeProgType(name), name, 'program', () => native.progTypeNames());
}

/**
 * Whether the kernel can create maps of a type (libbpf_probe_bpf_map_type).
 *
 * @param name - libbpf map type name: `hash`, `percpu_array`, `ringbuf`, ...
 * @throws TypeError for a name libbpf does not know (the message lists the known ones)
 * @throws {@link @bpfscope/core!InsufficientPermissions} when the probe itself was refused
 */
export function probeMapType(name: string): boolean {
  const native = loadNative();
  return verdict(native.probeMapType(name), name, 'map', () => native.mapTypeNames());
}

function verdict(result: number | undefined, name: string, kind: 'program' | 'map', known: () => string[]): boolean {
  if (result === undefined) throw new TypeError(`unknown ${kind} type ${JSON.stringify(name)}; libbpf knows ${known().join(', ')}`);
  if (result === -EPERM || result === -EACCES) {
    throw new InsufficientPermissions(`probe ${kind} type ${name}`, ['CAP_BPF', 'CAP_SYS_ADMIN'], { errno: -result, op: `libbpf_probe_bpf_${kind === 'program' ? 'prog' : 'map'}_type` });
  }
  return result === 1;
}
