// The kernel part of engine.setFilter on the proc family: the task iterator's filter
// slots (bpf/proc/proc.h, struct proc_filter). The loaded object is shared by the
// engines of this process, so its filter maps are too: each engine that pushes a filter
// down holds a slot (a bit), and an engine with none counts as an "open" reader that
// wants every task. One pool per loaded object, in this module: JavaScript runs one
// change at a time, so no two engines interleave their writes.
import { filterParts, recordPasses, type FamilyFilter, type FilterPart, type PushdownResult } from '@bpfscope/core';
import { requireStruct, type BpfObject, type StructLayout, u32Key as u32 } from '@bpfscope/native';
import type { ProcessRecord } from '../records.js';
import { processFilterRecord } from '../filter-record.js';

const SLOTS = 32;
const NS_MNT = 1;
const NS_NET = 2;
const COMM_LEN = 16;

/** The parts the iterator applies; every other part stays in user space. */
const KERNEL_PARTS = ['pids', 'excludePids', 'comms', 'excludeComms', 'cgroupIds', 'excludeCgroupIds', 'mountNamespaces', 'netNamespaces', 'processKinds'] as const;
type KernelPart = (typeof KERNEL_PARTS)[number];
/** Which set map each list part writes, and whether it is an allow or a deny list. */
const SETS: Record<Exclude<KernelPart, 'processKinds'>, { map: string; deny: boolean }> = {
  pids: { map: 'proc_fpid', deny: false },
  excludePids: { map: 'proc_fpid', deny: true },
  comms: { map: 'proc_fcomm', deny: false },
  excludeComms: { map: 'proc_fcomm', deny: true },
  cgroupIds: { map: 'proc_fcgrp', deny: false },
  excludeCgroupIds: { map: 'proc_fcgrp', deny: true },
  mountNamespaces: { map: 'proc_fns', deny: false },
  netNamespaces: { map: 'proc_fns', deny: false },
};
/** The config words of struct proc_filter each list part sets its slot's bit in. */
const WORD: Record<Exclude<KernelPart, 'processKinds'>, string> = {
  pids: 'pid_allow', excludePids: 'pid_deny', comms: 'comm_allow', excludeComms: 'comm_deny',
  cgroupIds: 'cg_allow', excludeCgroupIds: 'cg_deny', mountNamespaces: 'mnt_allow', netNamespaces: 'net_allow',
};
const CONFIG_FIELDS = {
  active: 4, open: 4, pid_allow: 4, pid_deny: 4, comm_allow: 4, comm_deny: 4, cg_allow: 4, cg_deny: 4, mnt_allow: 4, net_allow: 4, user_ok: 4, kernel_ok: 4,
} as const;

/** What a filter change leaves for the reads started before it. @internal */
export interface Previous {
  /** The slot the reader had, or null. */
  slot: number | null;
  /** Whether the reader still counts as open (it read every task before the change). */
  open: boolean;
}

interface Pool {
  /** Slot → the filter it holds (only its kernel parts). */
  readonly slots: Map<number, FamilyFilter>;
  /** Readers with no kernel filter. */
  open: number;
}
const pools = new Map<number, Pool>();

/** The layouts of the filter structs, from the object's BTF. @internal */
export interface ProcFilterLayouts {
  config: StructLayout;
  nsKey: StructLayout;
}

/** @internal */
export function procFilterLayouts(layouts: Map<string, StructLayout>): ProcFilterLayouts {
  requireStruct(layouts, 'proc_fset', { allow: 4, deny: 4 });
  requireStruct(layouts, 'proc_comm_key', { comm: COMM_LEN });
  return { config: requireStruct(layouts, 'proc_filter', CONFIG_FIELDS), nsKey: requireStruct(layouts, 'proc_ns_key', { type: 4, inum: 4 }) };
}

/**
 * One engine's (one source's) place in the iterator's filter. Starts as an open reader.
 * @internal
 */
export class ProcKernelFilter {
  readonly #obj: BpfObject;
  readonly #l: ProcFilterLayouts;
  readonly #pool: Pool;
  #slot: number | null = null;
  #open = false;
  #filter: FamilyFilter | null = null;

  constructor(obj: BpfObject, layouts: ProcFilterLayouts) {
    this.#obj = obj;
    this.#l = layouts;
    const key = obj.map('proc_filter').id;
    let pool = pools.get(key);
    if (pool === undefined) pools.set(key, (pool = { slots: new Map(), open: 0 }));
    this.#pool = pool;
    this.#setOpen(true);
    this.#writeConfig();
  }

  /** The bit a record must carry for this reader, or 0 when it reads every task. */
  get bit(): number {
    return this.#slot === null ? 0 : 2 ** this.#slot;
  }

  /** The kernel part in force, or null. */
  get filter(): FamilyFilter | null {
    return this.#filter;
  }

  /**
   * Put the kernel parts of `filter` in a new slot and make it this reader's. What the
   * reads started before still rely on (the old slot, or the open count of a reader that
   * read every task) stays until {@link ProcKernelFilter.release} is given what this returns.
   * @returns what went down, and what to release once the reads started before are done
   */
  set(filter: FamilyFilter | null): { result: PushdownResult; previous: Previous } {
    const kernel: FamilyFilter = {};
    const pushed: FilterPart[] = [];
    const notPushed: FilterPart[] = [];
    for (const part of Object.keys(filter ?? {}) as FilterPart[]) {
      if (filter![part] === undefined) continue;
      if ((KERNEL_PARTS as readonly string[]).includes(part) && this.#fits(part as KernelPart, filter!)) {
        (kernel as Record<string, unknown>)[part] = filter![part];
        pushed.push(part);
      } else notPushed.push(part);
    }
    const previous: Previous = { slot: this.#slot, open: false };
    const slot = pushed.length === 0 ? null : this.#freeSlot();
    if (slot === null) {
      // Nothing to push, or every slot taken by other engines: all of it in user space.
      notPushed.unshift(...pushed.splice(0));
      this.#setOpen(true);
      this.#slot = null;
      this.#filter = null;
    } else {
      this.#writeSets(slot, kernel, true);
      this.#pool.slots.set(slot, kernel);
      this.#slot = slot;
      this.#filter = kernel;
      // A read in flight that wants every task keeps the open count until it is done.
      previous.open = this.#open;
    }
    this.#writeConfig();
    return { result: { pushedDown: pushed, notPushed }, previous };
  }

  /** Free what a change left for the reads started before it (see {@link ProcKernelFilter.set}). */
  release(previous: Previous): void {
    if (previous.open && this.#slot !== null) this.#setOpen(false);
    this.#dropSlot(previous.slot);
    this.#writeConfig();
  }

  /** Free a slot this reader left: its bit in the config first, then its set entries. */
  #dropSlot(slot: number | null): void {
    if (slot === null || slot === this.#slot) return;
    const filter = this.#pool.slots.get(slot);
    if (filter === undefined) return;
    this.#pool.slots.delete(slot);
    this.#writeConfig();
    this.#writeSets(slot, filter, false);
  }

  /** Leave the pool: this reader's slot and open count go. */
  close(): void {
    const slot = this.#slot;
    this.#slot = null;
    this.#setOpen(false);
    this.#dropSlot(slot);
    this.#writeConfig();
    if (this.#pool.slots.size === 0 && this.#pool.open === 0) pools.delete(this.#obj.map('proc_filter').id);
  }

  /**
   * Whether a process passes this reader's kernel parts, judged as the iterator judges it
   * (for processes read from procfs because the iterator did not reach them).
   */
  passes(r: ProcessRecord): boolean {
    const f = this.#filter;
    if (f === null) return true;
    // Only the kernel parts are in this filter, so the other fields of the record do not count.
    return recordPasses(f, filterParts(f), processFilterRecord(r));
  }

  #setOpen(open: boolean): void {
    if (open === this.#open) return;
    this.#open = open;
    this.#pool.open += open ? 1 : -1;
  }

  #freeSlot(): number | null {
    for (let s = 0; s < SLOTS; s++) if (!this.#pool.slots.has(s)) return s;
    return null;
  }

  /** A list part goes down when it takes at most a quarter of its set map (the other slots share the map). */
  #fits(part: KernelPart, filter: FamilyFilter): boolean {
    if (part === 'processKinds') return true;
    const list = filter[part] as readonly unknown[];
    return list.length <= this.#obj.map(SETS[part].map).maxEntries / 4;
  }

  #writeConfig(): void {
    const cfg = new Uint8Array(this.#l.config.size);
    const v = new DataView(cfg.buffer);
    const words: Record<string, number> = { active: 0, open: this.#pool.open > 0 ? 1 : 0, user_ok: 0, kernel_ok: 0 };
    for (const [slot, f] of this.#pool.slots) {
      const bit = 2 ** slot;
      words.active! |= bit;
      for (const part of Object.keys(WORD) as Array<keyof typeof WORD>) if (f[part] !== undefined) words[WORD[part]] = (words[WORD[part]] ?? 0) | bit;
      if (!f.processKinds || f.processKinds.includes('user')) words.user_ok! |= bit;
      if (!f.processKinds || f.processKinds.includes('kernel')) words.kernel_ok! |= bit;
    }
    for (const [name, value] of Object.entries(words)) v.setUint32(this.#l.config.fields[name]!.offset, value >>> 0, true);
    this.#obj.map('proc_filter').update(u32(0), cfg);
  }

  /** Set (or clear) the slot's bit in the set entries of each list part. */
  #writeSets(slot: number, f: FamilyFilter, on: boolean): void {
    const bit = 2 ** slot;
    for (const part of Object.keys(SETS) as Array<keyof typeof SETS>) {
      const list = f[part] as ReadonlyArray<number | bigint | string> | undefined;
      if (list === undefined) continue;
      const { map: name, deny } = SETS[part];
      const map = this.#obj.map(name);
      for (const item of new Map(list.map((x) => [String(x), x])).values()) {
        const key = this.#key(part, item);
        const old = map.lookup(key);
        const ov = old ? new DataView(old.buffer, old.byteOffset, old.byteLength) : null;
        let allow = ov ? ov.getUint32(0, true) : 0;
        let denied = ov ? ov.getUint32(4, true) : 0;
        if (deny) denied = on ? denied | bit : denied & ~bit;
        else allow = on ? allow | bit : allow & ~bit;
        if (allow === 0 && denied === 0) {
          if (old) map.delete(key);
        } else {
          const value = new Uint8Array(8);
          const dv = new DataView(value.buffer);
          dv.setUint32(0, allow >>> 0, true);
          dv.setUint32(4, denied >>> 0, true);
          map.update(key, value);
        }
      }
    }
  }

  #key(part: keyof typeof SETS, item: number | bigint | string): Uint8Array {
    if (part === 'pids' || part === 'excludePids') return u32(item as number);
    if (part === 'comms' || part === 'excludeComms') {
      // The kernel's comm is NUL-padded to 16 bytes.
      const key = new Uint8Array(COMM_LEN);
      key.set(Buffer.from(item as string).subarray(0, COMM_LEN - 1));
      return key;
    }
    if (part === 'cgroupIds' || part === 'excludeCgroupIds') {
      const key = new Uint8Array(8);
      new DataView(key.buffer).setBigUint64(0, BigInt(item), true);
      return key;
    }
    const key = new Uint8Array(this.#l.nsKey.size);
    const v = new DataView(key.buffer);
    v.setUint32(this.#l.nsKey.fields.type!.offset, part === 'mountNamespaces' ? NS_MNT : NS_NET, true);
    v.setUint32(this.#l.nsKey.fields.inum!.offset, item as number, true);
    return key;
  }
}

