// Flags and result types of BpfMap.
import type { BtfTypes } from './btf-parse.js';
import type { BpfMap } from './bpf-map.js';

/** Flags of {@link BpfMap.update} (the kernel's BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK). */
export const MapUpdateFlags = Object.freeze({
  /** Create the entry, or replace it when the key exists (BPF_ANY). */
  ANY: 0,
  /** Create only; the update fails with EEXIST when the key exists (BPF_NOEXIST). */
  NOEXIST: 1,
  /** Replace only; the update fails with ENOENT when the key is absent (BPF_EXIST). */
  EXIST: 2,
  /** Write the value under its `bpf_spin_lock`, which the value type must contain (BPF_F_LOCK). */
  LOCK: 4,
});

/** @internal */
export const VALID_FLAGS: ReadonlySet<number> = new Set<number>(Object.values(MapUpdateFlags));

/** Every entry of a map, read in one crossing into one buffer. */
export interface MapBatch {
  /** Number of entries. */
  count: number;
  /** `count` keys of {@link BpfMap.keySize} bytes each, packed. */
  keys: Uint8Array;
  /** `count` values of {@link BpfMap.entrySize} bytes each, packed, in key order. */
  values: Uint8Array;
  /** `batch` (one bpf_map_lookup_batch walk) or `iterate` (the kernel refused batch operations for the map type). */
  method: 'batch' | 'iterate';
}

/** Where a map's BTF comes from and whether its owner is still open. @internal */
export interface MapContext {
  /** The BTF that the map's key/value type ids refer to. */
  btf: () => BtfTypes | undefined;
  /** Throws {@link @bpfscope/core!Closed} once the owner (a BpfObject handle) is closed. */
  guard: () => void;
}

