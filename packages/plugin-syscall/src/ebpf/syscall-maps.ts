import { requireStruct, type BpfObject, type LoadedBpfObject, type StructLayout, u32Key as u32 } from '@bpfscope/native';
import { U64Sums } from './u64-sums.js';

/** Bounds of bpf/syscall/syscall.h. @internal */
export const SC_MAX_SYSCALLS = 512;
/** Engines one loaded object serves (SC_SLOTS). @internal */
export const SC_SLOTS = 4;
/** Layouts of the structs the decoders read, checked against the object's BTF. @internal */
export interface SyscallLayouts {
  stat: StructLayout;
  procKey: StructLayout;
  config: StructLayout;
  cpu: StructLayout;
}

// Struct layouts per loaded object (keyed by a map id, unique while it is loaded): parsing
// the object's BTF is the largest part of a second engine's start, so it is done once.
const layoutCache = new Map<number, Map<string, StructLayout>>();

/** The object's struct layouts, parsed once per loaded object. @internal */
export function objectLayouts(handle: LoadedBpfObject): Map<string, StructLayout> {
  const key = handle.object.map('sc_gen').id;
  let layouts = layoutCache.get(key);
  if (layouts === undefined) {
    layouts = handle.structLayouts();
    // Forget objects no longer loaded; kept small (a few objects per process at most).
    if (layoutCache.size >= 8) layoutCache.delete(layoutCache.keys().next().value!);
    layoutCache.set(key, layouts);
  }
  return layouts;
}

/** Read and check the layouts from the object's BTF. @internal */
export function syscallLayouts(layouts: Map<string, StructLayout>): SyscallLayouts {
  return {
    stat: requireStruct(layouts, 'sc_stat', { count: 8, errors: 8, total_ns: 8 }),
    procKey: requireStruct(layouts, 'sc_proc_key', { tgid: 4, id: 4, slot: 4 }),
    config: requireStruct(layouts, 'sc_config', { follow_forks: 4, spawn_parent: 4, exclude_tgid: 4, events: 4, sample_every: 8 }),
    cpu: requireStruct(layouts, 'sc_cpu', { pending: 8, tgid: 4, id: 4, seq: 4 }),
  };
}

/**
 * The calls one slot counted: the sum of `sc_counts`' `count` over the slot's syscalls and
 * all CPUs, from one copy of the slot's part of the map. Every counted call adds one there in both modes
 * (sys_enter in counts-only mode, sys_exit in latency mode, sc_exec for a spawned command).
 * Summed exactly in two 32-bit halves ({@link U64Sums}): one BigInt for the result.
 * @internal
 */
export function slotCallCount(obj: BpfObject, l: SyscallLayouts, cpus: number, slot: number): bigint {
  const bytes = obj.map('sc_counts').readArray(slot * SC_MAX_SYSCALLS, SC_MAX_SYSCALLS);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stride = Math.ceil(l.stat.size / 8) * 8;
  const at = l.stat.fields.count!.offset;
  const sum = new U64Sums(1);
  for (let id = 0; id < SC_MAX_SYSCALLS; id++) {
    for (let i = id * cpus, end = i + cpus; i < end; i++) sum.add(0, view, i * stride + at);
    sum.carry();
  }
  return sum.bigint(0);
}

/** Kernel-side settings of one slot (struct sc_config). @internal */
export interface SyscallKernelConfig {
  followForks: boolean;
  spawnParent: number;
  /** A process never counted (0: none). */
  excludeTgid: number;
  /** Per-call events on (a consumer is subscribed). */
  events: boolean;
  /** One call in this many is sent (≥ 1). */
  sampleEvery: number;
}

/** Write a slot's `sc_config` (the filters are in syscall-filter-maps.ts). @internal */
export function writeConfig(obj: BpfObject, l: SyscallLayouts, slot: number, c: SyscallKernelConfig): void {
  const value = new Uint8Array(l.config.size);
  const v = new DataView(value.buffer);
  const f = l.config.fields;
  v.setUint32(f.follow_forks!.offset, c.followForks ? 1 : 0, true);
  v.setUint32(f.spawn_parent!.offset, c.spawnParent, true);
  v.setUint32(f.exclude_tgid!.offset, c.excludeTgid, true);
  v.setUint32(f.events!.offset, c.events ? 1 : 0, true);
  v.setBigUint64(f.sample_every!.offset, BigInt(c.sampleEvery), true);
  obj.map('sc_config').update(u32(slot), value);
}

