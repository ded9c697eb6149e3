import { statSync } from 'node:fs';
import type { FamilyFilter, FileOperation, FilterPart } from '@bpfscope/core';
import type { BpfMap, BpfObject } from '@bpfscope/native';
import { fileKey } from './decode-maps.js';
import type { FileLayouts } from './file-layouts.js';
import { kernelDevOfStat } from './kernel-dev.js';

// enum fs_filter_part and enum fs_op (bpf/fs/fs_file.h).
const F_PIDS = 1, F_XPIDS = 2, F_CGROUPS = 4, F_XCGROUPS = 8, F_PATHS = 16;
const OP_BIT: Readonly<Record<FileOperation, number>> = { open: 1, close: 2, read: 4, write: 8, fsync: 16 };
const ALL_OPS = 31;
// fs_anchors values.
const ANCHOR_PREFIX = 1, ANCHOR_WATCH = 2;

/** A directory or file by the kernel's device number and inode. @internal */
export interface Anchor {
  dev: number;
  ino: number;
}

/**
 * The (device, inode) of a path as the kernel's inodes carry them, or null when it cannot be
 * stat'ed now (it does not exist, or is not reachable).
 * @internal
 */
export function anchorOf(path: string): Anchor | null {
  try {
    const st = statSync(path, { bigint: true });
    return { dev: kernelDevOfStat(st.dev), ino: Number(st.ino) };
  } catch {
    return null;
  }
}

/** What the kernel filter holds. @internal */
export interface KernelFileFilter {
  parts: number;
  ops: number;
  pids: readonly number[];
  excludePids: readonly number[];
  cgroupIds: readonly bigint[];
  excludeCgroupIds: readonly bigint[];
  prefixes: readonly Anchor[];
}

/** The filter that lets everything through. @internal */
export const OPEN_FILTER: KernelFileFilter = Object.freeze({ parts: 0, ops: ALL_OPS, pids: [], excludePids: [], cgroupIds: [], excludeCgroupIds: [], prefixes: [] });

/** Bounds of the object's filter maps. @internal */
export interface FilterBounds {
  /** Entries each pid and cgroup map holds. */
  ids: number;
  /** Anchors (path prefixes + watched paths) fs_anchors holds. */
  anchors: number;
}

/**
 * The parts of `filter` the kernel can hold: pids, excludePids, cgroupIds, excludeCgroupIds
 * (each within the maps' bounds), fileOperations, and pathPrefixes when files are counted
 * and every prefix can be stat'ed now (a prefix is matched by its directory's device and
 * inode; one that does not exist yet is left to user space, which matches by path text).
 * @internal
 */
export function kernelFileFilter(filter: FamilyFilter, filesOn: boolean, bounds: FilterBounds, watched: number, resolve: (path: string) => Anchor | null = anchorOf): { kernel: KernelFileFilter; pushed: FilterPart[] } {
  const k = { ...OPEN_FILTER };
  const pushed: FilterPart[] = [];
  const ids = <T>(list: readonly T[] | undefined, bit: number, part: FilterPart): readonly T[] => {
    if (list === undefined || list.length > bounds.ids) return [];
    k.parts |= bit;
    pushed.push(part);
    return [...new Set(list)];
  };
  k.pids = ids(filter.pids, F_PIDS, 'pids');
  k.excludePids = ids(filter.excludePids, F_XPIDS, 'excludePids');
  k.cgroupIds = ids(filter.cgroupIds?.map((c) => BigInt(c)), F_CGROUPS, 'cgroupIds');
  k.excludeCgroupIds = ids(filter.excludeCgroupIds?.map((c) => BigInt(c)), F_XCGROUPS, 'excludeCgroupIds');
  if (filter.fileOperations !== undefined) {
    k.ops = filter.fileOperations.reduce((m, op) => m | OP_BIT[op], 0);
    pushed.push('fileOperations');
  }
  if (filter.pathPrefixes !== undefined && filesOn && filter.pathPrefixes.length + watched <= bounds.anchors) {
    const anchors = filter.pathPrefixes.map(resolve);
    if (anchors.every((a): a is Anchor => a !== null)) {
      k.prefixes = anchors;
      k.parts |= F_PATHS;
      pushed.push('pathPrefixes');
    }
  }
  return { kernel: k, pushed };
}

/** Writes a {@link KernelFileFilter} and the watched paths into the object's filter maps. @internal */
export class FileFilterMaps {
  #gen = 0;
  #prefixes: readonly Anchor[] = [];

  constructor(
    private readonly obj: BpfObject,
    private readonly layouts: FileLayouts,
    private readonly watched: readonly Anchor[],
  ) {}

  /** Replace what the kernel holds (the set maps first, then the word the programs read). */
  set(k: KernelFileFilter): void {
    replaceIds(this.obj.map('fs_pids'), k.pids.map((p) => u32(p)));
    replaceIds(this.obj.map('fs_xpids'), k.excludePids.map((p) => u32(p)));
    replaceIds(this.obj.map('fs_cgroups'), k.cgroupIds.map((c) => u64b(c)));
    replaceIds(this.obj.map('fs_xcgroups'), k.excludeCgroupIds.map((c) => u64b(c)));
    if (!sameAnchors(this.#prefixes, k.prefixes) || this.#gen === 0) {
      this.#writeAnchors(k.prefixes);
      this.#prefixes = k.prefixes;
      // Files judged under another generation are judged again at their next operation.
      this.#gen++;
    }
    const f = this.layouts.filter;
    const value = new Uint8Array(f.size);
    const v = new DataView(value.buffer);
    v.setUint32(f.parts, k.parts, true);
    v.setUint32(f.ops, k.ops, true);
    v.setUint32(f.gen, this.#gen, true);
    v.setUint32(f.watch, this.watched.length > 0 ? 1 : 0, true);
    this.obj.map('fs_filter').update(new Uint8Array(4), value);
  }

  /** The generation of the path prefixes in force. */
  get generation(): number {
    return this.#gen;
  }

  #writeAnchors(prefixes: readonly Anchor[]): void {
    const map = this.obj.map('fs_anchors');
    for (const key of [...map.keys()]) map.delete(key);
    const bits = new Map<string, { a: Anchor; bits: number }>();
    const add = (a: Anchor, bit: number): void => {
      const id = `${a.dev}:${a.ino}`;
      const e = bits.get(id) ?? { a, bits: 0 };
      e.bits |= bit;
      bits.set(id, e);
    };
    for (const a of prefixes) add(a, ANCHOR_PREFIX);
    for (const a of this.watched) add(a, ANCHOR_WATCH);
    for (const { a, bits: b } of bits.values()) map.update(fileKey(a.dev, a.ino, 0, 0, this.layouts), Uint8Array.of(b));
  }
}

function replaceIds(map: BpfMap, keys: readonly Uint8Array[]): void {
  for (const key of [...map.keys()]) map.delete(key);
  for (const key of keys) map.update(key, Uint8Array.of(1));
}

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};

const u64b = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return b;
};

const sameAnchors = (a: readonly Anchor[], b: readonly Anchor[]): boolean =>
  a.length === b.length && a.every((x, i) => x.dev === b[i]!.dev && x.ino === b[i]!.ino);
