import type { FamilyFilter, FilterPart, PortRange, PushdownResult } from '@bpfscope/core';
import { MapUpdateFlags, type BpfMap, type BpfObject } from '@bpfscope/native';
import type { NetProtocol } from '../records.js';
import type { ResolvedNetOptions } from '../options.js';
import type { NetLayouts } from './net-layouts.js';

// struct net_filter parts (bpf/net/net.h).
const F_PROTO = 1, F_PORT = 2, F_PID = 4, F_CGROUP = 8, F_NETNS = 16;

/** What the kernel filter holds: every part present is a condition (AND). @internal */
export interface KernelNetFilter {
  protocols?: ReadonlySet<NetProtocol>;
  ports?: PortRange;
  pids?: ReadonlySet<number>;
  cgroupIds?: ReadonlySet<bigint>;
  netNamespaces?: ReadonlySet<number>;
}

const meet = <T>(a: ReadonlySet<T> | undefined, b: readonly T[] | ReadonlySet<T> | undefined | null): ReadonlySet<T> | undefined => {
  if (b === undefined || b === null) return a;
  const bs = new Set(b);
  return a === undefined ? bs : new Set([...a].filter((x) => bs.has(x)));
};

/** The kernel part of the plugin's options, and what of them stays in user space. @internal */
export function optionsKernelPart(o: ResolvedNetOptions): KernelNetFilter {
  const k: KernelNetFilter = {};
  if (o.protocols !== null) k.protocols = o.protocols;
  if (o.ports !== null && o.ports.length === 1) k.ports = o.ports[0]!;
  if (o.pids !== null) k.pids = o.pids;
  if (o.cgroupIds !== null) k.cgroupIds = o.cgroupIds;
  if (o.netNamespaces !== null) k.netNamespaces = new Set(o.netNamespaces);
  return k;
}

/**
 * `base` narrowed by the parts of `filter` the kernel can hold: protocols, one port range,
 * pids, cgroup ids and network namespaces. The rest is for user space.
 * @internal
 */
export function withPushed(base: KernelNetFilter, filter: FamilyFilter): { kernel: KernelNetFilter; result: PushdownResult } {
  const pushed: FilterPart[] = [];
  const rest: FilterPart[] = [];
  const k: KernelNetFilter = { ...base };
  for (const part of Object.keys(filter) as FilterPart[]) {
    if (filter[part] === undefined) continue;
    switch (part) {
      case 'protocols':
        k.protocols = meet(k.protocols, filter.protocols);
        break;
      case 'portRanges': {
        const r = filter.portRanges!;
        if (r.length !== 1) {
          rest.push(part);
          continue;
        }
        const from = Math.max(r[0]!.from, k.ports?.from ?? 0);
        const to = Math.min(r[0]!.to, k.ports?.to ?? 65535);
        // An empty meet keeps nothing: a range no port is in.
        k.ports = from <= to ? { from, to } : { from: 1, to: 0 };
        break;
      }
      case 'pids':
        k.pids = meet(k.pids, filter.pids);
        break;
      case 'cgroupIds':
        k.cgroupIds = meet(k.cgroupIds, filter.cgroupIds!.map((c) => BigInt(c)));
        break;
      case 'netNamespaces':
        k.netNamespaces = meet(k.netNamespaces, filter.netNamespaces);
        break;
      default:
        rest.push(part);
        continue;
    }
    pushed.push(part);
  }
  return { kernel: k, result: { pushedDown: pushed, notPushed: rest } };
}

/** Holders of each loaded object's filter (by the id of its net_filter map). */
const holders = new Map<number, object>();

/**
 * The net object's kernel filter (net_filter and its sets), written at run time. The object
 * is shared by the engines of a process and has one filter: the first source that writes it
 * holds it until it closes; another source's filter then stays in user space.
 * @internal
 */
export class NetKernelFilter {
  readonly #id: number;

  constructor(private readonly obj: BpfObject, private readonly layouts: NetLayouts) {
    this.#id = obj.map('net_filter').id;
  }

  /** Whether this source may write the filter (it holds it or nobody does). */
  get free(): boolean {
    const h = holders.get(this.#id);
    return h === undefined || h === this;
  }

  /**
   * Puts `k` in force (an empty filter lets everything through and gives the object up).
   * The sets are written before the parts that use them, so a program never sees a part
   * without its set.
   * @returns false when another source holds the filter (nothing written)
   */
  set(k: KernelNetFilter): boolean {
    if (!this.free) return false;
    const o = this.layouts.filter;
    let parts = 0;
    const value = new Uint8Array(o.size);
    const v = new DataView(value.buffer);
    const fill = <T>(name: string, set: ReadonlySet<T> | undefined, bit: number, key: (x: T) => Uint8Array): void => {
      const map = this.obj.map(name);
      clear(map);
      if (set === undefined) return;
      for (const x of set) map.update(key(x), Uint8Array.of(1), MapUpdateFlags.ANY);
      parts |= bit;
    };
    fill('net_fpid', k.pids, F_PID, u32);
    fill('net_fcg', k.cgroupIds, F_CGROUP, (c) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, c, true);
      return b;
    });
    fill('net_fns', k.netNamespaces, F_NETNS, u32);
    if (k.protocols !== undefined) {
      parts |= F_PROTO;
      v.setUint32(o.protocols, (k.protocols.has('tcp') ? 1 : 0) | (k.protocols.has('udp') ? 2 : 0), true);
    }
    if (k.ports !== undefined) {
      parts |= F_PORT;
      v.setUint32(o.port_lo, k.ports.from, true);
      v.setUint32(o.port_hi, k.ports.to, true);
    }
    v.setUint32(o.parts, parts, true);
    this.obj.map('net_filter').update(u32(0), value, MapUpdateFlags.ANY);
    if (parts === 0) holders.delete(this.#id);
    else holders.set(this.#id, this);
    return true;
  }

  /** The source closes: its filter, if it holds one, is removed. */
  close(): void {
    if (holders.get(this.#id) === this) this.set({});
  }
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function clear(map: BpfMap): void {
  for (const key of [...map.keys()]) map.delete(key);
}
