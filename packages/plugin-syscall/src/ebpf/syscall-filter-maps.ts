import { ConfigError, type FamilyFilter, type FilterPart, type PushdownResult } from '@bpfscope/core';
import { requireStruct, type BpfObject, type StructLayout, u32Key as u32 } from '@bpfscope/native';
import { SC_MAX_SYSCALLS } from './syscall-maps.js';
import { SYSCALL_CATEGORY_NAMES } from '../syscall-category.js';
import { syscallCategory } from '../syscall-table.js';

const MODE_OFF = 0;
const MODE_ALLOW = 1;
const MODE_DENY = 2;
const COMM_LEN = 16;
const GENS = 2;
const GEN_ACTIVE = 2;
/** sc_gen bit SC_GEN_PROCS: the slot keeps per-process rows. */
const GEN_PROCS = 4;
/** Per filter index, as bpf/syscall/syscall.h sizes the maps. */
const MAX_SETS = 64;
const MAX_PIDS = 4096;
/** sc_pids value bits. */
export const PID_FOLLOWED = 1;
/** sc_pids value bit: a root of `descendantsOf` or one of its descendants. @internal */
export const PID_TREE = 4;
/** struct sc_id_key kinds. */
const ID_CGROUP = 0;
const ID_MNTNS = 1;
const ID_NETNS = 2;

/** Layouts of the filter structs (bpf/syscall/syscall.h), checked against the object's BTF. @internal */
export interface FilterLayouts {
  filter: StructLayout;
  pidKey: StructLayout;
  commKey: StructLayout;
  idKey: StructLayout;
}

/** @internal */
export function filterLayouts(layouts: Map<string, StructLayout>): FilterLayouts {
  return {
    filter: requireStruct(layouts, 'sc_filter', { pid_mode: 4, comm_mode: 4, cgroup_mode: 4, sys_filter: 4, mntns_mode: 4, netns_mode: 4, tree_mode: 4 }),
    pidKey: requireStruct(layouts, 'sc_pid_key', { gen: 4, tgid: 4 }),
    commKey: requireStruct(layouts, 'sc_comm_key', { gen: 4, comm: COMM_LEN }),
    idKey: requireStruct(layouts, 'sc_id_key', { id: 8, gen: 4, kind: 4 }),
  };
}

/** One generation of a slot's kernel filter: a mode and a set per part. @internal */
export interface KernelFilter {
  pidMode: number;
  pids: number[];
  commMode: number;
  comms: string[];
  cgroupMode: number;
  cgroupIds: bigint[];
  mntnsMode: number;
  mountNamespaces: number[];
  netnsMode: number;
  netNamespaces: number[];
  /** null: all calls. */
  syscalls: number[] | null;
  /** Roots of `descendantsOf`, or null; their descendants are found at write time (and followed at fork by the kernel). */
  treeRoots: number[] | null;
}

/** The syscall numbers of the given categories (names checked). */
function categoryIds(categories: readonly string[]): number[] {
  categories.forEach((c, i) => {
    if (!(SYSCALL_CATEGORY_NAMES as readonly string[]).includes(c)) throw new ConfigError(`filter.syscall.syscallCategories[${i}]`, c, `one of ${SYSCALL_CATEGORY_NAMES.join(', ')}`);
  });
  const out: number[] = [];
  for (let id = 0; id < SC_MAX_SYSCALLS; id++) if (categories.includes(syscallCategory(id) ?? 'unknown')) out.push(id);
  return out;
}

/** An allow list minus a deny list, or the deny list alone: the mode and set of one part. */
function allowDeny<T>(allow: readonly T[] | undefined, deny: readonly T[] | undefined, same: (a: T, b: T) => boolean): { mode: number; set: T[] } {
  if (allow) return { mode: MODE_ALLOW, set: allow.filter((a) => !(deny ?? []).some((d) => same(a, d))) };
  if (deny) return { mode: MODE_DENY, set: [...deny] };
  return { mode: MODE_OFF, set: [] };
}

/**
 * What of a filter the syscall programs apply: pids, comms and cgroup ids (allow, deny, or
 * both as allow-minus-deny), mount and network namespaces, syscall ids and categories (as
 * ids), and `descendantsOf` (followed at fork). Thresholds and the other families' parts
 * stay in user space, and so does a set too large for its map. With `spawnParent` the pid
 * part is an allow set the kernel fills at fork, so a deny list alone cannot go down. @internal
 */
export function planKernelFilter(f: FamilyFilter, spawnParent: number): { kernel: KernelFilter; result: PushdownResult } {
  const pushed: FilterPart[] = [];
  const notPushed: FilterPart[] = [];
  const take = (parts: FilterPart[], ok: boolean): boolean => {
    const given = parts.filter((p) => f[p] !== undefined);
    (ok ? pushed : notPushed).push(...given);
    return ok && given.length > 0;
  };
  const k: KernelFilter = {
    pidMode: MODE_OFF, pids: [], commMode: MODE_OFF, comms: [], cgroupMode: MODE_OFF, cgroupIds: [],
    mntnsMode: MODE_OFF, mountNamespaces: [], netnsMode: MODE_OFF, netNamespaces: [], syscalls: null, treeRoots: null,
  };
  if (spawnParent !== 0 && !f.pids) {
    k.pidMode = MODE_ALLOW;
    take(['excludePids'], false);
  } else {
    const p = allowDeny(f.pids, f.excludePids, (a, b) => a === b);
    if (take(['pids', 'excludePids'], true)) ({ mode: k.pidMode, set: k.pids } = p);
  }
  const c = allowDeny(f.comms, f.excludeComms, (a, b) => a === b);
  if (take(['comms', 'excludeComms'], c.set.length <= MAX_SETS)) ({ mode: k.commMode, set: k.comms } = c);
  const g = allowDeny(f.cgroupIds?.map(BigInt), f.excludeCgroupIds?.map(BigInt), (a, b) => a === b);
  if (take(['cgroupIds', 'excludeCgroupIds'], g.set.length <= MAX_SETS)) ({ mode: k.cgroupMode, set: k.cgroupIds } = g);
  if (take(['mountNamespaces'], (f.mountNamespaces?.length ?? 0) <= MAX_SETS)) [k.mntnsMode, k.mountNamespaces] = [MODE_ALLOW, [...f.mountNamespaces!]];
  if (take(['netNamespaces'], (f.netNamespaces?.length ?? 0) <= MAX_SETS)) [k.netnsMode, k.netNamespaces] = [MODE_ALLOW, [...f.netNamespaces!]];
  if (take(['syscalls', 'syscallCategories'], true)) {
    const byCategory = f.syscallCategories ? new Set(categoryIds(f.syscallCategories)) : null;
    k.syscalls = (f.syscalls ?? [...byCategory!]).filter((id) => byCategory === null || byCategory.has(id));
  }
  if (take(['descendantsOf'], true)) k.treeRoots = [...f.descendantsOf!];
  if (k.pids.length > MAX_PIDS) throw new ConfigError('filter.syscall.pids', k.pids.length, `at most ${MAX_PIDS} processes`);
  for (const p of ['protocols', 'portRanges', 'processKinds', 'maxNice', 'minCpuPercent', 'minMemoryBytes', 'minSyscallCount', 'minNetworkBytes'] as const) if (f[p] !== undefined) notPushed.push(p);
  return { kernel: k, result: { pushedDown: pushed, notPushed } };
}

/** The slot's `sc_gen` word: bit 0 its generation in force, bit 1 in use. @internal */
export function readGenWord(obj: BpfObject, slot: number): number {
  const v = obj.map('sc_gen').lookup(u32(slot));
  return v ? new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(0, true) : 0;
}

/** Remove every key of the filter index `fi` from a set map (sc_pids, sc_comms, sc_ids: the `gen` field of its key). @internal */
export async function clearIndex(obj: BpfObject, name: string, fi: number): Promise<void> {
  const map = obj.map(name);
  const genOffset = map.keyLayout().fields.gen!.offset;
  const batch = await map.lookupBatch();
  for (let i = 0; i < batch.count; i++) {
    const key = batch.keys.subarray(i * map.keySize, (i + 1) * map.keySize);
    if (new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(genOffset, true) === fi) map.delete(Uint8Array.from(key));
  }
}

/** Write a pid key of filter index `fi` with `bits` (or-ed into what is there). @internal */
export function addPid(obj: BpfObject, l: FilterLayouts, fi: number, pid: number, bits: number): void {
  const key = new Uint8Array(l.pidKey.size);
  const v = new DataView(key.buffer);
  v.setUint32(l.pidKey.fields.gen!.offset, fi, true);
  v.setUint32(l.pidKey.fields.tgid!.offset, pid, true);
  const map = obj.map('sc_pids');
  const old = map.lookup(key)?.[0] ?? 0;
  if ((old | bits) !== old) map.update(key, Uint8Array.of(old | bits));
}

function addId(obj: BpfObject, l: FilterLayouts, fi: number, kind: number, id: bigint): void {
  const key = new Uint8Array(l.idKey.size);
  const v = new DataView(key.buffer);
  v.setBigUint64(l.idKey.fields.id!.offset, id, true);
  v.setUint32(l.idKey.fields.gen!.offset, fi, true);
  v.setUint32(l.idKey.fields.kind!.offset, kind, true);
  obj.map('sc_ids').update(key, Uint8Array.of(1));
}

/**
 * Write `k` as the slot's next generation and flip the slot's `sc_gen` word to it (marking
 * the slot in use): the inactive generation's entries (left from the change before last)
 * are removed, the new sets and the `sc_filter` entry written, and only then the one u32
 * that programs read first is changed. A call is judged wholly by the old filter or wholly
 * by the new one.
 * @param tree - the roots of `descendantsOf` and their descendants alive now
 * @param clean - the slot's sets hold no key yet (a slot never used, or cleared): nothing to remove
 * @param processes - the slot keeps per-process rows (the word's GEN_PROCS bit)
 * @returns the filter index now in force (slot * 2 + generation)
 * @internal
 */
export async function writeKernelFilter(obj: BpfObject, l: FilterLayouts, slot: number, k: KernelFilter, tree: readonly number[], clean = false, processes = false): Promise<number> {
  const next = (readGenWord(obj, slot) & 1) ^ 1;
  const fi = slot * GENS + next;
  if (!clean) for (const name of ['sc_pids', 'sc_comms', 'sc_ids']) await clearIndex(obj, name, fi);
  for (const pid of k.pids) addPid(obj, l, fi, pid, PID_FOLLOWED);
  for (const pid of tree) addPid(obj, l, fi, pid, PID_TREE);
  for (const comm of k.comms) {
    const key = new Uint8Array(l.commKey.size);
    new DataView(key.buffer).setUint32(l.commKey.fields.gen!.offset, fi, true);
    // The kernel's comm is NUL-padded to 16 bytes (bpf_get_current_comm).
    key.set(Buffer.from(comm).subarray(0, COMM_LEN - 1), l.commKey.fields.comm!.offset);
    obj.map('sc_comms').update(key, Uint8Array.of(1));
  }
  for (const id of k.cgroupIds) addId(obj, l, fi, ID_CGROUP, id);
  for (const id of k.mountNamespaces) addId(obj, l, fi, ID_MNTNS, BigInt(id));
  for (const id of k.netNamespaces) addId(obj, l, fi, ID_NETNS, BigInt(id));
  if (k.syscalls) {
    // Without a syscall part the programs do not read this part (sys_filter 0): left as it is.
    const on = new Set(k.syscalls);
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    for (let id = 0; id < SC_MAX_SYSCALLS; id++) {
      keys.push(u32(fi * SC_MAX_SYSCALLS + id));
      values.push(Uint8Array.of(on.has(id) ? 1 : 0));
    }
    await obj.map('sc_sys_on').updateBatch(keys, values);
  }
  const value = new Uint8Array(l.filter.size);
  const fv = new DataView(value.buffer);
  const f = l.filter.fields;
  fv.setUint32(f.pid_mode!.offset, k.pidMode, true);
  fv.setUint32(f.comm_mode!.offset, k.commMode, true);
  fv.setUint32(f.cgroup_mode!.offset, k.cgroupMode, true);
  fv.setUint32(f.sys_filter!.offset, k.syscalls ? 1 : 0, true);
  fv.setUint32(f.mntns_mode!.offset, k.mntnsMode, true);
  fv.setUint32(f.netns_mode!.offset, k.netnsMode, true);
  fv.setUint32(f.tree_mode!.offset, k.treeRoots ? 1 : 0, true);
  obj.map('sc_filter').update(u32(fi), value);
  // Bits 8-15 count the changes: sc_exit sends an event only for a call judged by the filter in force.
  const changes = ((readGenWord(obj, slot) >>> 8) + 1) & 0xff;
  obj.map('sc_gen').update(u32(slot), u32(next | GEN_ACTIVE | (processes ? GEN_PROCS : 0) | (changes << 8)));
  return fi;
}
