import { log2HistogramFromSlots, type Log2Histogram } from '@bpfscope/core';
import { requireStruct, type BpfObject, type LoadedBpfObject, type StructLayout } from '@bpfscope/native';

/** Bounds of bpf/syscall/syscall.h. @internal */
export const SC_MAX_SYSCALLS = 512;
/** Engines one loaded object serves (SC_SLOTS). @internal */
export const SC_SLOTS = 4;
const HIST_SLOTS = 64;

/** Raw per-syscall counters summed over CPUs. @internal */
export interface RawSyscallStat {
  count: bigint;
  errors: bigint;
  totalNs: bigint;
}

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
    cpu: requireStruct(layouts, 'sc_cpu', { pending: 8, tid: 4, tgid: 4, id: 4, seq: 4 }),
  };
}

function sumStat(view: DataView, base: number, stride: number, cpus: number, l: StructLayout): RawSyscallStat {
  const f = l.fields;
  let count = 0n;
  let errors = 0n;
  let totalNs = 0n;
  for (let c = 0; c < cpus; c++) {
    const at = base + c * stride;
    count += view.getBigUint64(at + f.count!.offset, true);
    errors += view.getBigUint64(at + f.errors!.offset, true);
    totalNs += view.getBigUint64(at + f.total_ns!.offset, true);
  }
  return { count, errors, totalNs };
}

/** One slot's per-syscall counters from `sc_counts`, summed over CPUs. @internal */
export function readSyscallCounts(obj: BpfObject, l: SyscallLayouts, cpus: number, slot: number): RawSyscallStat[] {
  const bytes = obj.map('sc_counts').readArray();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stride = Math.ceil(l.stat.size / 8) * 8;
  const out: RawSyscallStat[] = [];
  for (let id = 0; id < SC_MAX_SYSCALLS; id++) out.push(sumStat(view, (slot * SC_MAX_SYSCALLS + id) * stride * cpus, stride, cpus, l.stat));
  return out;
}

/**
 * The calls one slot counted: the sum of `sc_counts`' `count` over the slot's syscalls and
 * all CPUs, from one copy of the map. Every counted call adds one there in both modes
 * (sys_enter in counts-only mode, sys_exit in latency mode, sc_exec for a spawned command).
 * @internal
 */
export function slotCallCount(obj: BpfObject, l: SyscallLayouts, cpus: number, slot: number): bigint {
  const bytes = obj.map('sc_counts').readArray();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stride = Math.ceil(l.stat.size / 8) * 8;
  const at = l.stat.fields.count!.offset;
  let sum = 0n;
  for (let i = slot * SC_MAX_SYSCALLS * cpus, end = i + SC_MAX_SYSCALLS * cpus; i < end; i++) sum += view.getBigUint64(i * stride + at, true);
  return sum;
}

/**
 * Whether a reading adds up: its per-process rows (`sc_proc` with each CPU's pending run)
 * sum to its per-syscall counts, in calls, errors and time. They do whenever no call was
 * counted, moved from a CPU's run into `sc_proc`, or lost to a full table while the maps
 * were read; a reading that missed a run moved between the two reads (or a CPU's run in the
 * middle of a replacement) does not. @internal
 */
export function readingAddsUp(counts: readonly RawSyscallStat[], table: readonly RawSyscallStat[]): boolean {
  const diff = { count: 0n, errors: 0n, totalNs: 0n };
  for (const c of counts) {
    diff.count += c.count;
    diff.errors += c.errors;
    diff.totalNs += c.totalNs;
  }
  for (const r of table) {
    diff.count -= r.count;
    diff.errors -= r.errors;
    diff.totalNs -= r.totalNs;
  }
  return diff.count === 0n && diff.errors === 0n && diff.totalNs === 0n;
}

/** One slot's latency histograms of the given syscalls from `sc_lat_hist` (one array for all CPUs; one lookup per id). @internal */
export function readLatencyHistograms(obj: BpfObject, ids: readonly number[], slot: number): Map<number, Log2Histogram> {
  const map = obj.map('sc_lat_hist');
  const out = new Map<number, Log2Histogram>();
  for (const id of ids) {
    const v = map.lookup(u32(slot * SC_MAX_SYSCALLS + id));
    const slots: bigint[] = [];
    const view = v ? new DataView(v.buffer, v.byteOffset, v.byteLength) : null;
    for (let s = 0; s < HIST_SLOTS; s++) slots.push(view ? view.getBigUint64(s * 8, true) : 0n);
    out.set(id, log2HistogramFromSlots(slots, 'ns'));
  }
  return out;
}

/** One (process, syscall) row of the per-process table. @internal */
export type ProcessTableRow = { tgid: number; id: number } & RawSyscallStat;

/**
 * Per-(process, syscall) counters: `sc_proc` summed over CPUs, plus the run of calls
 * each CPU holds in `sc_cpu` (counts-only mode) that is not in `sc_proc` yet.
 *
 * `sc_proc` is read first, then `sc_cpu`. The kernel only ever moves calls from
 * `sc_cpu` into `sc_proc`, so a move between the two reads is missed by both (the
 * reading under-counts until the next one), while no call can be seen in both: this
 * order never counts a call twice. The other order could.
 * @internal
 */
export async function readProcessTable(obj: BpfObject, l: SyscallLayouts, cpus: number, slot: number): Promise<ProcessTableRow[]> {
  const map = obj.map('sc_proc');
  const batch = await map.lookupBatch();
  const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
  const values = new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
  const stride = Math.ceil(l.stat.size / 8) * 8;
  const out: ProcessTableRow[] = [];
  const index = new Map<string, ProcessTableRow>();
  for (let i = 0; i < batch.count; i++) {
    const k = i * map.keySize;
    if (keys.getUint32(k + l.procKey.fields.slot!.offset, true) !== slot) continue;
    const row = {
      tgid: keys.getUint32(k + l.procKey.fields.tgid!.offset, true),
      id: keys.getUint32(k + l.procKey.fields.id!.offset, true),
      ...sumStat(values, i * map.entrySize, stride, cpus, l.stat),
    };
    out.push(row);
    index.set(`${row.tgid}/${row.id}`, row);
  }
  for (const run of readRuns(obj, l, cpus, slot)) {
    const key = `${run.tgid}/${run.id}`;
    const row = index.get(key);
    if (row) row.count += run.count;
    else {
      const added = { ...run, errors: 0n, totalNs: 0n };
      out.push(added);
      index.set(key, added);
    }
  }
  return out;
}

/**
 * The run of calls each CPU holds (`sc_cpu`). A CPU may be replacing its run while
 * the kernel copies the slot out, which would pair one run's count with the next
 * run's process and syscall. So the map is copied three times and a CPU's run is
 * taken from the middle copy only when its `seq` is the same even number in the first
 * and the last: no replacement overlapped the middle copy. A CPU that fails this
 * check is left out of this reading (an under-count, never a wrong key).
 */
function readRuns(obj: BpfObject, l: SyscallLayouts, cpus: number, slot: number): Array<{ tgid: number; id: number; count: bigint }> {
  const map = obj.map('sc_cpu');
  const [before, copy, after] = [map.readArray(), map.readArray(), map.readArray()].map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
  const stride = Math.ceil(l.cpu.size / 8) * 8;
  const f = l.cpu.fields;
  const out: Array<{ tgid: number; id: number; count: bigint }> = [];
  for (let c = 0; c < cpus; c++) {
    const at = (slot * cpus + c) * stride;
    const seq = before!.getUint32(at + f.seq!.offset, true);
    if (seq % 2 === 1 || after!.getUint32(at + f.seq!.offset, true) !== seq) continue;
    const id = copy!.getUint32(at + f.id!.offset, true);
    const count = copy!.getBigUint64(at + f.pending!.offset, true);
    // SC_NO_ID fails the bound: the kernel counts the calls of such a run as drops.
    if (count === 0n || id >= SC_MAX_SYSCALLS) continue;
    out.push({ tgid: copy!.getUint32(at + f.tgid!.offset, true), id, count });
  }
  return out;
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

/** Little-endian u32 key bytes. @internal */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
