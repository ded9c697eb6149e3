import { Closed, MapOperationFailed } from '@bpfscope/core';
import { layoutOfType, type StructLayout } from './btf-layout.js';
import { parseBtf, type BtfTypes } from './btf-parse.js';
import { pinPathProblem, removePin } from './bpffs.js';
import { loadNative } from './loader.js';
import { chunkStream, packEntries } from './map-batch-ops.js';
import { holdWhile, intoView, toMapBatch } from './map-batch-read.js';
import { isNativeFailure, toBpfscopeError } from './native-error.js';
import { MapUpdateFlags, VALID_FLAGS, type BatchReadOptions, type BatchStreamOptions, type MapBatch, type MapContext } from './map-flags.js';
import type { RawBatch, RawBatchStream, RawBpfMap, RawMapInfo } from './raw-binding.js';

export { MapUpdateFlags, type BatchReadOptions, type BatchStreamOptions, type MapBatch, type MapContext } from './map-flags.js';

/**
 * One map of a loaded {@link BpfObject}, or a map opened from a bpffs pin
 * ({@link BpfMap.openPinned}). Keys and values are raw bytes in the map's
 * layout; {@link BpfMap.keyLayout} and {@link BpfMap.valueLayout} describe
 * them from BTF, and {@link decodeRecords} turns them into records. Per-CPU
 * maps hold one value per possible CPU, each rounded up to 8 bytes: a lookup
 * returns {@link BpfMap.entrySize} bytes.
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
  /** BTF name of the key type (`__u32`, `struct flow_key`); undefined when the map has no BTF key type (e.g. stack traces). */
  readonly keyType: string | undefined;
  /** BTF name of the value type (`struct cpu_times`, `.rodata`); undefined without BTF. */
  readonly valueType: string | undefined;
  readonly #raw: RawBpfMap;
  readonly #keyTypeId: number;
  readonly #valueTypeId: number;
  readonly #context: MapContext;
  #pinnedAt: string | undefined;

  /** @internal Maps come from {@link BpfObject.map} and {@link BpfMap.openPinned}. */
  constructor(raw: RawBpfMap, info: RawMapInfo, context?: MapContext) {
    this.#raw = raw;
    this.name = info.name;
    this.type = info.type;
    this.keySize = info.keySize;
    this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries;
    this.perCpu = info.perCpu;
    this.entrySize = info.entrySize;
    this.keyType = info.keyType;
    this.valueType = info.valueType;
    this.#keyTypeId = info.keyTypeId;
    this.#valueTypeId = info.valueTypeId;
    let btf: BtfTypes | undefined | null = null;
    this.#context = context ?? {
      btf: () => {
        if (btf === null) {
          const bytes = raw.btf();
          btf = bytes ? parseBtf(new Uint8Array(bytes), `map ${info.name}`) : undefined;
        }
        return btf;
      },
      guard: () => undefined,
    };
  }

  /**
   * Opens a map pinned in bpffs (by this or another process) as a standalone
   * map: lookup, update, delete, iteration and batches work as on a map of an
   * object. Close it with {@link BpfMap.close}.
   *
   * @param path - the pin, e.g. `/sys/fs/bpf/myapp/counts`
   * @throws {@link @bpfscope/core!MapOperationFailed} (operation `open_pinned`) when nothing is pinned there (ENOENT) or it is not a map
   * @throws {@link @bpfscope/core!DataUnavailable} when no bpffs is mounted
   */
  static openPinned(path: string): BpfMap {
    const problem = pinPathProblem(path);
    if (problem !== undefined) throw new MapOperationFailed(path, 'open_pinned', problem);
    try {
      const raw = loadNative().openPinnedMap(path);
      const map = new BpfMap(raw, raw.info());
      map.#pinnedAt = path;
      return map;
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'map', map: path, operation: 'open_pinned' });
    }
  }

  /** Kernel map id (0 before the object is loaded). */
  get id(): number {
    return this.#call('info', () => this.#raw.info().id);
  }

  /** The bpffs path this map was pinned at by {@link BpfMap.pin} or opened from, or undefined. */
  get pinnedPath(): string | undefined {
    return this.#pinnedAt;
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
   * The sum over all CPUs of a per-CPU u64 counter.
   * @param key - exactly {@link BpfMap.keySize} bytes
   * @returns the exact sum, or undefined when the key is absent
   * @throws {@link @bpfscope/core!MapOperationFailed} when the map is not per-CPU or its values are not 8 bytes
   */
  lookupPerCpuSum(key: Uint8Array): bigint | undefined {
    if (!this.perCpu || this.valueSize !== 8) {
      throw new MapOperationFailed(this.name, 'lookup_per_cpu_sum', `lookupPerCpuSum() needs a per-CPU map of 8-byte counters; ${this.name} is a ${this.type} of ${this.valueSize}-byte values`);
    }
    const all = this.lookup(key);
    if (all === undefined) return undefined;
    const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
    let sum = 0n;
    for (let off = 0; off < all.length; off += 8) sum += view.getBigUint64(off, true);
    return sum;
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
    this.#checkFlags(flags, 'update');
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
   * The keys, one bpf_map_get_next_key crossing each (use {@link BpfMap.lookupBatch}
   * for big maps). A key deleted during the walk makes the kernel restart from
   * the first key, so the walk stops after 4 × maxEntries steps.
   * @throws {@link @bpfscope/core!MapOperationFailed} when a step fails or the walk does not end
   */
  *keys(): Generator<Uint8Array, void, undefined> {
    let prev: Uint8Array | undefined;
    const limit = Math.max(this.maxEntries, 1) * 4;
    for (let step = 0; ; step++) {
      if (step > limit) throw new MapOperationFailed(this.name, 'get_next_key', `the key walk did not end within ${limit} steps (entries deleted during the walk restart it)`);
      const from = prev;
      const next = this.#call('get_next_key', () => this.#raw.nextKey(from));
      if (next === undefined) return;
      yield next;
      prev = next;
    }
  }

  /**
   * Key/value pairs, a get_next_key and a lookup crossing each; a key deleted
   * between the two is skipped.
   * @throws {@link @bpfscope/core!MapOperationFailed} when a step fails
   */
  *entries(): Generator<[key: Uint8Array, value: Uint8Array], void, undefined> {
    for (const key of this.keys()) {
      const value = this.lookup(key);
      if (value !== undefined) yield [key, value];
    }
  }

  /**
   * Bytes that hold every entry of a whole-map read: `maxEntries × (keySize + entrySize)`.
   * The size to give {@link BatchReadOptions.into} so that reads never spill.
   */
  batchBytes(): number {
    return this.maxEntries * (this.keySize + this.entrySize);
  }

  /**
   * Reads every entry in one crossing, off the JavaScript thread, into one
   * buffer: `keys` and `values` are views into it. Uses bpf_map_lookup_batch
   * (Linux 5.6+ for hash and array maps) and falls back to walking the keys in C++.
   * @param options - `into`: a buffer to reuse from read to read instead of a new one each time
   * @returns all entries; a map changed during the read gives a mix of old and new entries, each at most once per batch walk
   * @throws {@link @bpfscope/core!MapOperationFailed} when the read fails (entries read before the failure in `details.partial`) or `into` is not a usable buffer; {@link @bpfscope/core!Closed} after the object was closed
   * @example
   * ```ts
   * const into = new Uint8Array(map.batchBytes()); // once
   * const batch = await map.lookupBatch({ into }); // every interval, no new buffer
   * const records = decodeRecords(batch.values, layout, { u64: 'number' });
   * ```
   */
  async lookupBatch(options: BatchReadOptions = {}): Promise<MapBatch> {
    return this.#readAll('lookup_batch', 'reading', options, (into) => this.#raw.lookupBatch(into));
  }

  /**
   * Reads every entry in chunks of at most `chunkEntries`. One pool-thread job
   * reads the chunks back to back and hands each over as soon as it is read,
   * so the caller's processing of one chunk overlaps with the kernel copying
   * the next. For big maps this is faster than {@link BpfMap.lookupBatch} and,
   * without `into`, keeps each buffer small. Leaving the loop early stops the
   * job before its next chunk and waits for it to end.
   * @param options - entries per chunk, and a buffer the chunks fill ({@link BatchStreamOptions})
   * @returns chunks in the kernel's order; a map changed during the walk gives a mix of old and new entries
   * @throws {@link @bpfscope/core!MapOperationFailed} when a read fails (after the chunks read before it), or for a bad `chunkEntries` or `into`
   * @example
   * ```ts
   * const records = [];
   * for await (const chunk of map.lookupBatches()) decodeRecords(chunk.values, layout, { into: records });
   * ```
   */
  async *lookupBatches(options: BatchStreamOptions = {}): AsyncGenerator<MapBatch, void, undefined> {
    const chunk = options.chunkEntries ?? 16384;
    if (!Number.isInteger(chunk) || chunk <= 0 || chunk > 0xffffffff) {
      throw new MapOperationFailed(this.name, 'lookup_batch', `chunkEntries must be a positive integer, got ${chunk}`);
    }
    const into = intoView(this.name, 'lookup_batch', options.into);
    const start = (push: (raw: RawBatch) => void): RawBatchStream => {
      const stream = this.#call('lookup_batch', () => this.#raw.lookupBatchStream(chunk, push, into));
      holdWhile(into, stream.done);
      return stream;
    };
    for await (const raw of chunkStream(start, (e) => this.#error(e, 'lookup_batch'))) yield toMapBatch(raw, this.keySize, this.entrySize);
  }

  /**
   * Reads and deletes every entry in one crossing off the JavaScript thread
   * (bpf_map_lookup_and_delete_batch): hash, LRU hash and their per-CPU kinds.
   * Entries a program adds during the call may stay for the next one.
   * @param options - `into`: a buffer to reuse, as for {@link BpfMap.lookupBatch}; entries that do not fit it are all in a new buffer, none is lost
   * @returns the entries removed
   * @throws {@link @bpfscope/core!MapOperationFailed} for a map type without it (arrays, EINVAL) or a bad `into`; when it fails after removing entries, `details.partial` holds them as a {@link MapBatch}
   */
  async lookupAndDeleteBatch(options: BatchReadOptions = {}): Promise<MapBatch> {
    return this.#readAll('lookup_and_delete_batch', 'removing', options, (into) => this.#raw.lookupAndDeleteBatch(into));
  }

  /**
   * Writes many entries in one crossing off the JavaScript thread (bpf_map_update_batch).
   * @param keys - packed keys (`n × keySize` bytes) or one Uint8Array per key
   * @param values - packed values (`n × entrySize` bytes) or one per key
   * @param flags - `MapUpdateFlags.ANY` or `MapUpdateFlags.LOCK` (the kernel takes no per-entry NOEXIST/EXIST in batches)
   * @returns the number written (all of them)
   * @throws {@link @bpfscope/core!MapOperationFailed} with `details.processed` = entries written before the kernel stopped (E2BIG: the map is full)
   */
  async updateBatch(keys: Uint8Array | readonly Uint8Array[], values: Uint8Array | readonly Uint8Array[], flags: number = MapUpdateFlags.ANY): Promise<number> {
    if (flags !== MapUpdateFlags.ANY && flags !== MapUpdateFlags.LOCK) {
      throw new MapOperationFailed(this.name, 'update_batch', `flags ${flags}: batch updates take only ANY or LOCK; the kernel applies no NOEXIST/EXIST per entry (use update() for those)`);
    }
    const k = packEntries(this.name, keys, this.keySize, 'key', 'update_batch');
    const v = packEntries(this.name, values, this.entrySize, 'value', 'update_batch');
    if (k.count !== v.count) throw new MapOperationFailed(this.name, 'update_batch', `${k.count} keys but ${v.count} values`);
    if (k.count === 0) return 0;
    return this.#write('update_batch', k.count, () => this.#raw.updateBatch(k.bytes, v.bytes, k.count, flags));
  }

  /**
   * Deletes many keys in one crossing off the JavaScript thread (bpf_map_delete_batch).
   * @param keys - packed keys or one Uint8Array per key
   * @returns the number deleted (all of them)
   * @throws {@link @bpfscope/core!MapOperationFailed} with `details.processed` when a key is absent (ENOENT) or the map type cannot delete (arrays)
   */
  async deleteBatch(keys: Uint8Array | readonly Uint8Array[]): Promise<number> {
    const k = packEntries(this.name, keys, this.keySize, 'key', 'delete_batch');
    if (k.count === 0) return 0;
    return this.#write('delete_batch', k.count, () => this.#raw.deleteBatch(k.bytes, k.count));
  }

  /**
   * Reads the values of an `array` or `percpu_array` map, keys `first` to
   * `first + count - 1` (all of them by default), in one crossing: value `first + i`
   * is at `i × entrySize` (per-CPU: CPU `c` of it at `i × entrySize + c × round8(valueSize)`).
   * A part of a map costs only its own entries (the kernel copies each key's values).
   * @param first - the first key @defaultValue 0
   * @param count - how many keys @defaultValue maxEntries - first
   * @throws {@link @bpfscope/core!MapOperationFailed} for other map types, a range that is not within the map, or a failed read
   */
  readArray(first = 0, count = this.maxEntries - first): Uint8Array {
    if (this.type !== 'array' && this.type !== 'percpu_array') {
      throw new MapOperationFailed(this.name, 'read_array', `readArray() needs an array or percpu_array map, not ${this.type}`);
    }
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0 || first + count > this.maxEntries) {
      throw new MapOperationFailed(this.name, 'read_array', `readArray(${first}, ${count}) is not a range of keys within the map's ${this.maxEntries}`, { details: { first, count, maxEntries: this.maxEntries } });
    }
    if (first === 0 && count === this.maxEntries) return this.#call('read_array', () => this.#raw.readArray());
    return this.#call('read_array', () => this.#raw.readArray(first, count));
  }

  /**
   * The layout of the value type, from BTF (through typedefs).
   * @throws {@link @bpfscope/core!MapOperationFailed} (operation `value_layout`) when the value type is not a struct or the map has no BTF
   */
  valueLayout(): StructLayout {
    return this.#layout(this.#valueTypeId, this.valueType, 'value');
  }

  /**
   * The layout of the key type, from BTF.
   * @throws {@link @bpfscope/core!MapOperationFailed} (operation `key_layout`) when the key type is not a struct or the map has no BTF
   */
  keyLayout(): StructLayout {
    return this.#layout(this.#keyTypeId, this.keyType, 'key');
  }

  /**
   * Pins the map in bpffs so that it outlives this process and other processes
   * can open it ({@link BpfMap.openPinned}).
   * @param path - a new path below a bpffs mount, e.g. `/sys/fs/bpf/myapp/counts`
   * @throws {@link @bpfscope/core!MapOperationFailed} (operation `pin`) for a path off bpffs, an existing file (EEXIST) or a missing directory (ENOENT)
   * @throws {@link @bpfscope/core!DataUnavailable} when no bpffs is mounted
   */
  pin(path: string): void {
    const problem = pinPathProblem(path);
    if (problem !== undefined) throw new MapOperationFailed(this.name, 'pin', problem, { details: { path } });
    this.#call('pin', () => this.#raw.pin(path));
    this.#pinnedAt = path;
  }

  /**
   * Removes the pin made by {@link BpfMap.pin} (or the one a pinned map was
   * opened from). The map itself lives on while anything holds it.
   * @throws {@link @bpfscope/core!MapOperationFailed} (operation `unpin`) when the map is not pinned or the file cannot be removed
   */
  unpin(): void {
    const path = this.#pinnedAt;
    if (path === undefined) throw new MapOperationFailed(this.name, 'unpin', 'the map was not pinned by pin() nor opened from a pin');
    removePin(path, (why, options) => new MapOperationFailed(this.name, 'unpin', `cannot remove ${why}`, options));
    this.#pinnedAt = undefined;
  }

  /**
   * Closes a map opened with {@link BpfMap.openPinned} (its pin stays). Maps of
   * an object close with the object; for them this does nothing.
   */
  close(): void {
    this.#raw.close();
  }

  #layout(typeId: number, typeName: string | undefined, what: 'key' | 'value'): StructLayout {
    const operation = `${what}_layout`;
    const btf = this.#call(operation, () => this.#context.btf());
    const layout = btf && typeId !== 0 ? layoutOfType(btf, typeId) : undefined;
    if (layout === undefined) {
      throw new MapOperationFailed(this.name, operation, typeName === undefined ? `the map has no BTF ${what} type` : `the ${what} type ${typeName} is not a struct; read it with a DataView`, {
        details: { type: typeName },
      });
    }
    return layout;
  }

  async #readAll(operation: string, verb: string, options: BatchReadOptions, read: (into: Uint8Array | undefined) => Promise<RawBatch>): Promise<MapBatch> {
    const into = intoView(this.name, operation, options.into);
    const pending = this.#call(operation, () => read(into));
    holdWhile(into, pending);
    const raw = await pending.catch((e: unknown) => {
      throw this.#error(e, operation);
    });
    const batch = toMapBatch(raw, this.keySize, this.entrySize);
    if (raw.errno !== undefined) {
      throw new MapOperationFailed(this.name, operation, `failed after ${verb} ${batch.count} entries, which details.partial holds`, { errno: raw.errno, op: raw.op, details: { partial: batch } });
    }
    return batch;
  }

  async #write(operation: string, count: number, fn: () => Promise<number>): Promise<number> {
    try {
      return await this.#call(operation, fn);
    } catch (e) {
      if (isNativeFailure(e) && e.code === 'MAP_OPERATION_FAILED') {
        const processed = (e as { processed?: unknown }).processed;
        throw new MapOperationFailed(this.name, operation, e.message, { errno: e.errno || undefined, op: e.op, cause: e, details: { processed, requested: count } });
      }
      throw this.#error(e, operation);
    }
  }

  #checkFlags(flags: number, operation: string): void {
    if (!VALID_FLAGS.has(flags)) {
      throw new MapOperationFailed(this.name, operation, `flags ${flags} is not one of ANY (0), NOEXIST (1), EXIST (2), LOCK (4)`);
    }
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

  #error(e: unknown, operation: string): Error {
    return e instanceof Closed || e instanceof MapOperationFailed ? e : toBpfscopeError(e, { kind: 'map', map: this.name, operation });
  }

  #call<T>(operation: string, fn: () => T): T {
    this.#context.guard();
    try {
      return fn();
    } catch (e) {
      throw this.#error(e, operation);
    }
  }
}
