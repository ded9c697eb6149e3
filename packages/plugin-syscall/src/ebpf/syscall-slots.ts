// Slots of a loaded syscall object. One object (programs loaded once per process, through
// the object loader's cache) serves up to SC_SLOTS engines: each engine's source takes a
// slot, in which the kernel keeps that engine's config, filter, counters, per-process
// rows and event settings. A fresh object's slots are zero; a slot a closed engine used
// is cleared before it is given out again.
import { awaitOrAbort, type ObjectLoadRequest } from '@bpfscope/core';
import { u32Key as u32, type NativeObjectLoader, type LoadedBpfObject } from '@bpfscope/native';
import type { BpfObject } from '@bpfscope/native';
import { SC_MAX_SYSCALLS, SC_SLOTS } from './syscall-maps.js';
import { clearIndex } from './syscall-filter-maps.js';
import { clearSyscallSampling } from './syscall-sampling.js';

interface ObjectSlots {
  used: Set<number>;
  /** Slots a closed engine used: cleared before they are given out again. */
  dirty: Set<number>;
}

// Per loaded kernel object, keyed by a map id (unique while the object is loaded).
const registry = new Map<number, ObjectSlots>();

function keyOf(obj: BpfObject): number {
  return obj.map('sc_gen').id;
}

/** Whether no slot of the object was ever in use (no sc_gen word set, nothing counted). */
function fresh(obj: BpfObject): boolean {
  return ['sc_gen', 'sc_counts'].every((m) => obj.map(m).readArray().every((b) => b === 0));
}

/**
 * Take a free slot of the object.
 * @returns the slot and whether it must be cleared first, or null when all SC_SLOTS are taken
 * @internal
 */
export function acquireSlot(obj: BpfObject): { slot: number; dirty: boolean } | null {
  const key = keyOf(obj);
  let slots = registry.get(key);
  // An object this registry has not seen, or forgot, may have been used: unknown slots are dirty.
  if (slots === undefined) registry.set(key, (slots = { used: new Set(), dirty: new Set(fresh(obj) ? [] : [0, 1, 2, 3]) }));
  for (let s = 0; s < SC_SLOTS; s++) {
    if (slots.used.has(s)) continue;
    slots.used.add(s);
    return { slot: s, dirty: slots.dirty.has(s) };
  }
  return null;
}

/**
 * Stop the programs judging calls for the slot (its sc_gen word to 0: not in use) and give it back.
 * @internal
 */
export function releaseSlot(obj: BpfObject, slot: number): void {
  const key = keyOf(obj);
  const slots = registry.get(key);
  obj.map('sc_gen').update(u32(slot), u32(0));
  if (slots === undefined) return;
  slots.used.delete(slot);
  slots.dirty.add(slot);
  // No slot in use: no source holds the object, which the loader frees with its last handle.
  // Should another handle keep it loaded, its slots are cleared as if dirty (see acquireSlot).
  if (slots.used.size === 0) registry.delete(key);
}

/**
 * Zero what a previous engine left in a slot: its counters, latency histograms, per-process
 * rows, runs, sampling setting and counts, filter counts, and its filter sets (the kernel adds followed
 * children to them). Done while the slot is not in use.
 * @internal
 */
export async function clearSlot(obj: BpfObject, slot: number): Promise<void> {
  const zeroAll = async (name: string, first: number, count: number): Promise<void> => {
    const map = obj.map(name);
    const keys: Uint8Array[] = [];
    for (let k = first; k < first + count; k++) keys.push(u32(k));
    const zero = new Uint8Array(map.entrySize);
    await map.updateBatch(keys, keys.map(() => zero));
  };
  await zeroAll('sc_counts', slot * SC_MAX_SYSCALLS, SC_MAX_SYSCALLS);
  await zeroAll('sc_lat_hist', slot * SC_MAX_SYSCALLS, SC_MAX_SYSCALLS);
  const runs = obj.map('sc_cpu').maxEntries / SC_SLOTS;
  await zeroAll('sc_cpu', slot * runs, runs);
  for (const name of ['sc_sampling', 'sc_slot_stats', 'sc_smp_cnt', 'sc_smp_tat']) await zeroAll(name, slot, 1);
  clearSyscallSampling(obj, slot);
  const proc = obj.map('sc_proc');
  const slotOffset = proc.keyLayout().fields.slot!.offset;
  const batch = await proc.lookupBatch();
  const mine: Uint8Array[] = [];
  for (let i = 0; i < batch.count; i++) {
    const key = batch.keys.subarray(i * proc.keySize, (i + 1) * proc.keySize);
    if (new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(slotOffset, true) === slot) mine.push(Uint8Array.from(key));
  }
  for (const k of mine) proc.delete(k);
  for (const fi of [slot * 2, slot * 2 + 1]) {
    for (const name of ['sc_pids', 'sc_comms', 'sc_ids']) await clearIndex(obj, name, fi);
  }
}

/** A slot's kernel filter hits and misses, summed over CPUs (sc_stats sums every slot's). @internal */
export function readSlotFilterCounts(obj: BpfObject, slot: number): [number, number] {
  const cpus = obj.map('sc_slot_stats').lookupPerCpu(u32(slot)) ?? [];
  let hits = 0n;
  let misses = 0n;
  for (const v of cpus) {
    const d = new DataView(v.buffer, v.byteOffset, v.byteLength);
    hits += d.getBigUint64(0, true);
    misses += d.getBigUint64(8, true);
  }
  return [Number(hits), Number(misses)];
}

/** A slot's event sampling: calls seen while events were on, sent, dropped (ring full). @internal */
export function readSampling(obj: BpfObject | null, slot: number): { seen: number; sent: number; dropped: number } {
  const v = obj?.map('sc_sampling').lookup(u32(slot));
  if (!v) return { seen: 0, sent: 0, dropped: 0 };
  const d = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return { seen: Number(d.getBigUint64(0, true)), sent: Number(d.getBigUint64(8, true)), dropped: Number(d.getBigUint64(16, true)) };
}

/**
 * Load the object for an engine and take one of its slots: the object the process shares
 * when it has a free slot, else an object of this engine's own. The caller's time limit is
 * the only one: on abort the handle the load gives is closed.
 * @param loader - the engine's object loader
 * @param request - what to load (path, constants, autoload)
 * @param signal - the init's signal
 * @returns the handle, the slot and whether the slot must be cleared first
 * @internal
 */
export async function loadWithSlot(loader: NativeObjectLoader, request: Omit<ObjectLoadRequest, 'shared'>, signal: AbortSignal): Promise<{ handle: LoadedBpfObject; slot: number; dirty: boolean }> {
  const load = async (shared: boolean): Promise<LoadedBpfObject> => {
    const loading = loader.load({ ...request, shared });
    return awaitOrAbort(loading, signal, () => void loading.then((h) => h.close(), () => undefined));
  };
  const handle = await load(true);
  const taken = acquireSlot(handle.object);
  if (taken !== null) return { handle, ...taken };
  // Every slot of the shared object is taken: an object of this engine's own.
  handle.close();
  const own = await load(false);
  return { handle: own, ...acquireSlot(own.object)! };
}
