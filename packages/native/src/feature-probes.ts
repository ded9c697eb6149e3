import { constants } from 'node:os';
import { InsufficientPermissions } from '@bpfscope/core';
import { loadNative } from './loader.js';
import { cachedProbe } from './probe-cache.js';

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
 * Whether the kernel accepts programs of a type (libbpf_probe_bpf_prog_type;
 * for `tracing`, a tp_btf program on sched_switch is loaded, which libbpf 1.1
 * cannot do). `ext` and `lsm` cannot be probed this way and are reported
 * unsupported; {@link probeAttachTypes} answers for fentry. Each answer is
 * computed once per process.
 *
 * @param name - libbpf program type name: `kprobe`, `tracepoint`, `raw_tracepoint`, `perf_event`, `tracing`, ...
 * @throws TypeError for a name libbpf does not know (the message lists the known ones)
 * @throws {@link @bpfscope/core!InsufficientPermissions} when the probe itself was refused
 */
export function probeProgramType(name: string): boolean {
  const native = loadNative();
  const known = native.progTypeNames();
  if (!known.includes(name)) throw new TypeError(`unknown program type ${JSON.stringify(name)}; libbpf knows ${known.join(', ')}`);
  return cachedProbe(`prog:${name}`, () => verdict(native.probeProgType(name), `program type ${name}`, 'libbpf_probe_bpf_prog_type'));
}

/**
 * Whether the kernel can create maps of a type (libbpf_probe_bpf_map_type).
 * Each answer is computed once per process.
 *
 * @param name - libbpf map type name: `hash`, `percpu_array`, `ringbuf`, ...
 * @throws TypeError for a name libbpf does not know (the message lists the known ones)
 * @throws {@link @bpfscope/core!InsufficientPermissions} when the probe itself was refused
 */
export function probeMapType(name: string): boolean {
  const native = loadNative();
  const known = native.mapTypeNames();
  if (!known.includes(name)) throw new TypeError(`unknown map type ${JSON.stringify(name)}; libbpf knows ${known.join(', ')}`);
  return cachedProbe(`map:${name}`, () => verdict(native.probeMapType(name), `map type ${name}`, 'libbpf_probe_bpf_map_type'));
}

/**
 * Whether programs of a type may call a BPF helper: a two-instruction program
 * calling it is loaded and the verifier's verdict read (libbpf's method, with
 * the refusal message of current kernels, which libbpf 1.1 misses). A program
 * type that does not load at all has no helpers; `ext`, `lsm` and `struct_ops`
 * cannot be probed this way and are reported unsupported. Each answer is
 * computed once per process.
 *
 * @param programType - libbpf program type name: `kprobe`, `tracing`, `raw_tracepoint`, `perf_event`, ...
 * @param helper - helper name, with or without the `bpf_` prefix: `bpf_ringbuf_output`, `get_current_pid_tgid`
 * @returns true when the kernel lets that program type call the helper
 * @throws TypeError for an unknown program type or helper name (the message lists the known ones)
 * @throws {@link @bpfscope/core!InsufficientPermissions} when the probe itself was refused
 * @example
 * ```ts
 * if (!probeHelper('tracing', 'bpf_ringbuf_output')) console.log('no ring buffer from tp_btf programs');
 * ```
 */
export function probeHelper(programType: string, helper: string): boolean {
  const native = loadNative();
  const types = native.progTypeNames();
  if (!types.includes(programType)) throw new TypeError(`unknown program type ${JSON.stringify(programType)}; libbpf knows ${types.join(', ')}`);
  const full = helper.startsWith('bpf_') ? helper : `bpf_${helper}`;
  const helpers = native.helperNames();
  if (!helpers.includes(full)) {
    throw new TypeError(`unknown BPF helper ${JSON.stringify(helper)}; the addon knows ${helpers.length} helpers, e.g. ${helpers.slice(0, 5).join(', ')}`);
  }
  return cachedProbe(`helper:${programType}:${full}`, () => verdict(native.probeHelper(programType, full), `helper ${full} from ${programType} programs`, 'probe helper'));
}

function verdict(result: number | undefined, what: string, op: string): boolean {
  if (result === undefined) throw new TypeError(`the addon does not know ${what}`);
  if (result === -EPERM || result === -EACCES) {
    throw new InsufficientPermissions(`probe ${what}`, ['CAP_BPF', 'CAP_SYS_ADMIN'], { errno: -result, op });
  }
  return result === 1;
}
