import { ConfigError, type FamilyFilter, type FilterPart, type PushdownResult } from '@bpfscope/core';
import { requireStruct, type BpfObject, type StructLayout } from '@bpfscope/native';
import { SC_MAX_SYSCALLS, u32 } from './syscall-maps.js';

const MODE_OFF = 0;
const MODE_ALLOW = 1;
const MODE_DENY = 2;
const COMM_LEN = 16;
/** Per generation, as bpf/syscall/syscall.h sizes the maps. */
const MAX_SETS = 64;
const MAX_PIDS = 16384;

/** Layouts of the filter structs (bpf/syscall/syscall.h), checked against the object's BTF. @internal */
export interface FilterLayouts {
  filter: StructLayout;
  pidKey: StructLayout;
  commKey: StructLayout;
  cgroupKey: StructLayout;
}

/** @internal */
export function filterLayouts(layouts: Map<string, StructLayout>): FilterLayouts {
  return {
    filter: requireStruct(layouts, 'sc_filter', { pid_mode: 4, comm_mode: 4, cgroup_mode: 4, sys_filter: 4 }),
    pidKey: requireStruct(layouts, 'sc_pid_key', { gen: 4, tgid: 4 }),
    commKey: requireStruct(layouts, 'sc_comm_key', { gen: 4, comm: COMM_LEN }),
    cgroupKey: requireStruct(layouts, 'sc_cgroup_key', { id: 8, gen: 4 }),
  };
}

/** One generation of the kernel filter: a mode and a set per part. @internal */
export interface KernelFilter {
  pidMode: number;
  pids: number[];
  commMode: number;
  comms: string[];
  cgroupMode: number;
  cgroupIds: bigint[];
  /** null: all calls. */
  syscalls: number[] | null;
}

/**
 * What of a filter the syscall programs apply: pids and comms (allow, deny, or both as
 * allow-minus-deny), cgroup ids (allow), syscall ids. Thresholds stay in user space. With
 * `spawnParent` the pid part is an allow set the kernel fills at fork, so a deny list
 * alone cannot go down. @internal
 */
export function planKernelFilter(f: FamilyFilter, spawnParent: number): { kernel: KernelFilter; result: PushdownResult } {
  const pushed: FilterPart[] = [];
  const notPushed: FilterPart[] = [];
  const k: KernelFilter = { pidMode: MODE_OFF, pids: [], commMode: MODE_OFF, comms: [], cgroupMode: MODE_OFF, cgroupIds: [], syscalls: null };
  if (f.pids) {
    k.pidMode = MODE_ALLOW;
    k.pids = f.pids.filter((p) => !(f.excludePids ?? []).includes(p));
    pushed.push('pids', ...(f.excludePids ? (['excludePids'] as const) : []));
  } else if (spawnParent !== 0) {
    k.pidMode = MODE_ALLOW;
    if (f.excludePids) notPushed.push('excludePids');
  } else if (f.excludePids) {
    k.pidMode = MODE_DENY;
    k.pids = [...f.excludePids];
    pushed.push('excludePids');
  }
  if (f.comms) {
    k.commMode = MODE_ALLOW;
    k.comms = f.comms.filter((c) => !(f.excludeComms ?? []).includes(c));
    pushed.push('comms', ...(f.excludeComms ? (['excludeComms'] as const) : []));
  } else if (f.excludeComms) {
    k.commMode = MODE_DENY;
    k.comms = [...f.excludeComms];
    pushed.push('excludeComms');
  }
  if (f.cgroupIds) {
    if (f.cgroupIds.length <= MAX_SETS) {
      k.cgroupMode = MODE_ALLOW;
      k.cgroupIds = f.cgroupIds.map((c) => BigInt(c));
      pushed.push('cgroupIds');
    } else notPushed.push('cgroupIds');
  }
  if (k.comms.length > MAX_SETS) {
    // Too many names for the kernel set: the user-space filter matches process rows only.
    k.commMode = MODE_OFF;
    k.comms = [];
    for (const p of ['comms', 'excludeComms'] as const) if (pushed.includes(p)) notPushed.push(pushed.splice(pushed.indexOf(p), 1)[0]!);
  }
  if (k.pids.length > MAX_PIDS) throw new ConfigError('filter.syscall.pids', k.pids.length, `at most ${MAX_PIDS} processes`);
  if (f.syscalls) {
    k.syscalls = [...f.syscalls];
    pushed.push('syscalls');
  }
  for (const p of ['minCpuPercent', 'minMemoryBytes', 'minSyscallCount'] as const) if (f[p] !== undefined) notPushed.push(p);
  return { kernel: k, result: { pushedDown: pushed, notPushed } };
}

/** The generation the programs judge by now (`sc_gen`). @internal */
export function readGeneration(obj: BpfObject): number {
  const v = obj.map('sc_gen').lookup(u32(0));
  return v ? new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(0, true) & 1 : 0;
}

async function clearGeneration(obj: BpfObject, name: string, genOffset: number, gen: number): Promise<void> {
  const map = obj.map(name);
  const batch = await map.lookupBatch();
  for (let i = 0; i < batch.count; i++) {
    const key = batch.keys.subarray(i * map.keySize, (i + 1) * map.keySize);
    if (new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(genOffset, true) === gen) map.delete(Uint8Array.from(key));
  }
}

/**
 * Write `k` as the next generation and flip `sc_gen` to it: the inactive generation's
 * entries (left from the change before last) are removed, the new sets and the
 * `sc_filter` entry written, and only then the one u32 that programs read first is
 * changed. A call is judged wholly by the old filter or wholly by the new one.
 * @returns the generation now in force
 * @internal
 */
export async function writeKernelFilter(obj: BpfObject, l: FilterLayouts, k: KernelFilter): Promise<number> {
  const next = readGeneration(obj) ^ 1;
  await clearGeneration(obj, 'sc_pids', l.pidKey.fields.gen!.offset, next);
  await clearGeneration(obj, 'sc_comms', l.commKey.fields.gen!.offset, next);
  await clearGeneration(obj, 'sc_cgroups', l.cgroupKey.fields.gen!.offset, next);
  const one = Uint8Array.of(1);
  for (const pid of k.pids) {
    const key = new Uint8Array(l.pidKey.size);
    const v = new DataView(key.buffer);
    v.setUint32(l.pidKey.fields.gen!.offset, next, true);
    v.setUint32(l.pidKey.fields.tgid!.offset, pid, true);
    obj.map('sc_pids').update(key, one);
  }
  for (const comm of k.comms) {
    const key = new Uint8Array(l.commKey.size);
    new DataView(key.buffer).setUint32(l.commKey.fields.gen!.offset, next, true);
    // The kernel's comm is NUL-padded to 16 bytes (bpf_get_current_comm).
    key.set(Buffer.from(comm).subarray(0, COMM_LEN - 1), l.commKey.fields.comm!.offset);
    obj.map('sc_comms').update(key, one);
  }
  for (const id of k.cgroupIds) {
    const key = new Uint8Array(l.cgroupKey.size);
    const v = new DataView(key.buffer);
    v.setBigUint64(l.cgroupKey.fields.id!.offset, id, true);
    v.setUint32(l.cgroupKey.fields.gen!.offset, next, true);
    obj.map('sc_cgroups').update(key, one);
  }
  if (k.syscalls) {
    // Without a syscall part the programs do not read this half (sys_filter 0): left as it is.
    const on = new Set(k.syscalls);
    const sys = obj.map('sc_sys_on');
    for (let id = 0; id < SC_MAX_SYSCALLS; id++) sys.update(u32(next * SC_MAX_SYSCALLS + id), Uint8Array.of(on.has(id) ? 1 : 0));
  }
  const value = new Uint8Array(l.filter.size);
  const fv = new DataView(value.buffer);
  const f = l.filter.fields;
  fv.setUint32(f.pid_mode!.offset, k.pidMode, true);
  fv.setUint32(f.comm_mode!.offset, k.commMode, true);
  fv.setUint32(f.cgroup_mode!.offset, k.cgroupMode, true);
  fv.setUint32(f.sys_filter!.offset, k.syscalls ? 1 : 0, true);
  obj.map('sc_filter').update(u32(next), value);
  obj.map('sc_gen').update(u32(0), u32(next));
  return next;
}
