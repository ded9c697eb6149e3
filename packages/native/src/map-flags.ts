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
  /**
   * True when the read was given a buffer ({@link BatchReadOptions.into}) that could not hold
   * these entries, so they are in a new buffer instead; {@link BpfMap.batchBytes} bytes hold
   * the whole map. False otherwise.
   */
  spilled: boolean;
}

/** Options of {@link BpfMap.lookupBatch} and {@link BpfMap.lookupAndDeleteBatch}. */
export interface BatchReadOptions {
  /**
   * A buffer to read into instead of a new one, meant to be reused read after read: a map read
   * again and again then allocates nothing per read (every new buffer is memory the garbage
   * collector has to free later). {@link BpfMap.batchBytes} bytes hold the whole map.
   *
   * The keys go to the start of the buffer and the values after room for as many keys as whole
   * entries fit (`floor(byteLength / (keySize + entrySize))`); the {@link MapBatch} returned views
   * them. When the map holds more entries than fit, every entry goes to a new buffer instead and
   * the batch says {@link MapBatch.spilled}: a read is never cut short.
   *
   * Until the returned promise settles the pool thread writes into the buffer: do not read,
   * write or transfer it meanwhile (another batch read into the same ArrayBuffer is refused). The
   * next read into it overwrites the views of this one.
   * @defaultValue a new buffer for each read
   */
  into?: ArrayBuffer | Uint8Array;
}

/** Options of {@link BpfMap.lookupBatches}. */
export interface BatchStreamOptions extends BatchReadOptions {
  /**
   * A buffer the chunks fill one after the other, as one whole-map read would fill it, to be
   * reused from one walk to the next. Each chunk yielded is a view of it that stays valid until
   * the next read into the buffer: the job never writes where an earlier chunk lies. Chunks that
   * no longer fit come in new buffers and say {@link MapBatch.spilled}.
   *
   * Until the loop ends (leaving it early waits for the job to stop) the pool thread writes
   * into the part of the buffer past the chunks yielded so far: read only those, write nothing,
   * do not transfer it; another batch read into the same ArrayBuffer is refused meanwhile.
   * @defaultValue a new buffer for each chunk
   */
  into?: ArrayBuffer | Uint8Array;
  /**
   * Entries per chunk, at most: a hash map's chunk ends at a bucket boundary, and only a single
   * bucket larger than this makes a larger chunk.
   * @defaultValue 16384
   */
  chunkEntries?: number;
}

/** Where a map's BTF comes from and whether its owner is still open. @internal */
export interface MapContext {
  /** The BTF that the map's key/value type ids refer to. */
  btf: () => BtfTypes | undefined;
  /** Throws {@link @bpfscope/core!Closed} once the owner (a BpfObject handle) is closed. */
  guard: () => void;
}

