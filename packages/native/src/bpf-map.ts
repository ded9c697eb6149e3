import { MapOperationFailed } from '@bpfscope/core';
import { toBpfscopeError } from './native-error.js';
import type { RawBpfMap, RawMapInfo } from './raw-binding.js';

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

const VALID_FLAGS = new Set<number>(Object.values(MapUpdateFlags));

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

/**
 * One map of a loaded {@link BpfObject}. Keys and values are raw bytes in the
 * map's layout. Per-CPU maps hold one value per possible CPU, each rounded up
 * to 8 bytes: a lookup returns {@link BpfMap.entrySize} bytes.
 */
export class BpfMap {
  /** Map name (at most 15 characters; the kernel truncates longer ones). */
  readonly name: string;
  /** libbpf's type name: `hash`, `array`, `percpu_array`, `ringbuf`, ... */
  readonly type: string;
  /** Key size in bytes. */
  readonly keySize: number;
  /** Value size in bytes (of one CPU's value for per-CPU maps). */
  readonly valueSize: number;
  /** Capacity. */
  readonly maxEntries: number;
  /** True for `percpu_array`, `percpu_hash`, `lru_percpu_hash`, `percpu_cgroup_storage`. */
  readonly perCpu: boolean;
  /** Bytes of one lookup result: `valueSize`, or for per-CPU maps `round8(valueSize) × possibleCpus()`. */
  readonly entrySize: number;
  readonly #raw: RawBpfMap;

  /** @internal Maps come from {@link BpfObject.map}. */
  constructor(raw: RawBpfMap, info: RawMapInfo) {
    this.#raw = raw;
    this.name = info.name;
    this.type = info.type;
    this.keySize = info.keySize;
    this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries;
    this.perCpu = info.perCpu;
    this.entrySize = info.entrySize;
  }

  /**
   * Reads one value.
   * @param key - exactly {@link BpfMap.keySize} bytes
   * @returns {@link BpfMap.entrySize} bytes, or undefined when the key is absent
   * @throws {@link @bpfscope/core!MapOperationFailed} on a wrong key size or a failed syscall; {@link @bpfscope/core!Closed} after the object was closed
   */
  lookup(key: Uint8Array): Uint8Array | undefined {
    this.#checkBytes(key, this.keySize, 'key', 'lookup');
    return this.#call('lookup', () => this.#raw.lookup(key));
  }

  /**
   * Reads one value of a per-CPU map as one view per possible CPU.
   * @param key - exactly {@link BpfMap.keySize} bytes
   * @returns views of {@link BpfMap.valueSize} bytes, index = CPU number; undefined when the key is absent
   * @throws {@link @bpfscope/core!MapOperationFailed} when the map is not per-CPU or the lookup fails
   */
  lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    if (!this.perCpu) throw new MapOperationFailed(this.name, 'lookup_per_cpu', `${this.type} is not a per-CPU map; use lookup()`);
    const all = this.lookup(key);
    if (all === undefined) return undefined;
    const stride = Math.ceil(this.valueSize / 8) * 8;
    const views: Uint8Array[] = [];
    for (let off = 0; off < all.length; off += stride) views.push(all.subarray(off, off + this.valueSize));
    return views;
  }

  /**
   * Creates or replaces one entry.
   * @param key - exactly {@link BpfMap.keySize} bytes
   * @param value - exactly {@link BpfMap.entrySize} bytes (per-CPU maps: one rounded value per CPU)
   * @param flags - one of {@link MapUpdateFlags}; default `MapUpdateFlags.ANY`
   * @throws {@link @bpfscope/core!MapOperationFailed} on wrong sizes, a full map (errno E2BIG) or a refused flag (EEXIST, ENOENT)
   */
  update(key: Uint8Array, value: Uint8Array, flags: number = MapUpdateFlags.ANY): void {
    this.#checkBytes(key, this.keySize, 'key', 'update');
    this.#checkBytes(value, this.entrySize, 'value', 'update');
    if (!VALID_FLAGS.has(flags)) {
      throw new MapOperationFailed(this.name, 'update', `flags ${flags} is not one of ANY (0), NOEXIST (1), EXIST (2), LOCK (4)`);
    }
    this.#call('update', () => this.#raw.update(key, value, flags));
  }

  /**
   * Deletes one entry.
   * @param key - exactly {@link BpfMap.keySize} bytes
   * @returns true when the key existed
   * @throws {@link @bpfscope/core!MapOperationFailed} on a wrong key size or when the map type has no delete (arrays: EINVAL)
   */
  delete(key: Uint8Array): boolean {
    this.#checkBytes(key, this.keySize, 'key', 'delete');
    return this.#call('delete', () => this.#raw.delete(key));
  }

  /**
   * Reads every entry in one crossing, off the JavaScript thread, into one
   * ArrayBuffer: `keys` and `values` are views into it. Uses bpf_map_lookup_batch
   * (Linux 5.6+ for hash and array maps) and falls back to walking the keys in C++.
   * @returns all entries; a map changed during the read gives a mix of old and new entries, each at most once per batch walk
   * @throws {@link @bpfscope/core!MapOperationFailed} when the read fails; {@link @bpfscope/core!Closed} after the object was closed
   */
  async lookupBatch(): Promise<MapBatch> {
    const batch = await this.#call('lookup_batch', () => this.#raw.lookupBatch()).catch((e: unknown) => {
      throw toBpfscopeError(e, { kind: 'map', map: this.name, operation: 'lookup_batch' });
    });
    const keyBytes = batch.count * this.keySize;
    return {
      count: batch.count,
      keys: new Uint8Array(batch.buffer, 0, keyBytes),
      values: new Uint8Array(batch.buffer, keyBytes, batch.count * this.entrySize),
      method: batch.iterated ? 'iterate' : 'batch',
    };
  }

  /**
   * Reads all values of an `array` or `percpu_array` map, keys 0 to maxEntries-1,
   * in one crossing: value `i` is at `i × entrySize` (per-CPU: CPU `c` of key `i`
   * at `i × entrySize + c × round8(valueSize)`).
   * @throws {@link @bpfscope/core!MapOperationFailed} for other map types or a failed read
   */
  readArray(): Uint8Array {
    if (this.type !== 'array' && this.type !== 'percpu_array') {
      throw new MapOperationFailed(this.name, 'read_array', `readArray() needs an array or percpu_array map, not ${this.type}`);
    }
    return this.#call('read_array', () => this.#raw.readArray());
  }

  #checkBytes(bytes: Uint8Array, expected: number, what: 'key' | 'value', operation: string): void {
    if (!(bytes instanceof Uint8Array)) {
      throw new MapOperationFailed(this.name, operation, `the ${what} must be a Uint8Array or Buffer`);
    }
    if (bytes.length !== expected) {
      throw new MapOperationFailed(this.name, operation, `the ${what} is ${bytes.length} bytes; map ${this.name} (${this.type}) takes ${expected}-byte ${what}s`, {
        details: { expected, got: bytes.length },
      });
    }
  }

  #call<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'map', map: this.name, operation });
    }
  }
}
