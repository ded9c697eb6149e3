// Loaded objects shared within a process. Loading the same bytes with the same
// options twice gives two handles on one kernel object: programs and maps are
// loaded once and shared, links belong to each handle. The object is freed when
// its last handle closes.
import { createHash } from 'node:crypto';
import { BpfObject } from './bpf-object.js';
import type { LoadOptions, OpenOptions } from './object-types.js';
import type { ConstantValue } from './rodata-constants.js';
import { readObjectSource } from './object-source.js';
import { withTimeout } from './timeout.js';

/** Options of {@link ObjectCache.load}: those of {@link BpfObject.open} and {@link BpfObject.load}. */
export interface CachedLoadOptions extends OpenOptions, LoadOptions {
  /** Programs not to load (autoload off). Part of the cache key. */
  autoloadOff?: readonly string[];
}

/** Counters of the {@link objectCache}. */
export interface ObjectCacheStats {
  /** Loads served by an object already loaded or loading. */
  hits: number;
  /** Loads that opened and loaded a new object. */
  misses: number;
  /** Objects in the cache now (each with at least one open handle, or loading). */
  entries: number;
}

interface Entry {
  key: string;
  ready: Promise<BpfObject>;
  settled: boolean;
  /** Handles given out and not closed, plus loads waiting for `ready`. */
  users: number;
}

/**
 * Process-wide cache of loaded objects, keyed by the object's content hash and
 * every option that changes what is loaded (`btfPath`, `name`, `constants`).
 * Use the {@link objectCache} instance.
 *
 * How it interacts with attaching: each {@link ObjectCache.load} returns its
 * own {@link BpfObject} handle. Links made through a handle are that handle's:
 * its {@link BpfObject.close} destroys them and leaves other handles' links and
 * the shared programs and maps alone. Two handles that attach the same program
 * attach it twice, and the shared maps then count both. `setAutoload` and
 * `setConstant` are not available on cached handles (they are loaded); pass
 * constants in the options.
 */
export class ObjectCache {
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  /**
   * Opens and loads an object, or returns a new handle on the same object
   * loaded earlier (or loading now) with the same bytes and options.
   *
   * @param source - path of a .bpf.o, or its contents
   * @param options - open and load options; `timeoutMs` bounds this call's wait
   * @returns a loaded handle; close it when done
   * @throws everything {@link BpfObject.open} and {@link BpfObject.load} throw
   */
  async load(source: string | Uint8Array, options: CachedLoadOptions = {}): Promise<BpfObject> {
    return (await this.acquire(source, options)).object;
  }

  /**
   * {@link ObjectCache.load}, saying whether the object was loaded already (a hit).
   * @internal for the object loader's per-engine counts
   */
  async acquire(source: string | Uint8Array, options: CachedLoadOptions = {}): Promise<{ object: BpfObject; hit: boolean }> {
    const { image, name } = readObjectSource(source, options);
    const openOptions: OpenOptions = { name };
    if (options.btfPath !== undefined) openOptions.btfPath = options.btfPath;
    if (options.constants !== undefined) openOptions.constants = options.constants;
    const autoloadOff = [...new Set(options.autoloadOff ?? [])].sort();
    const key = `${cacheKey(image, openOptions)}\0${autoloadOff.join(',')}`;
    let entry = this.#entries.get(key);
    const hit = entry !== undefined;
    if (entry !== undefined) {
      this.#hits++;
    } else {
      this.#misses++;
      entry = this.#create(key, image, openOptions, options.timeoutMs, autoloadOff);
    }
    entry.users++;
    let proto: BpfObject;
    try {
      proto = entry.settled || options.timeoutMs === undefined ? await entry.ready : await withTimeout(entry.ready, options.timeoutMs, `loading ${name}`);
    } catch (e) {
      entry.users--;
      throw e;
    }
    const owner = entry;
    return { object: BpfObject.share(proto, () => this.#release(owner, proto)), hit };
  }

  /** Hit and miss counts since the process started, and the number of cached objects. */
  stats(): ObjectCacheStats {
    return { hits: this.#hits, misses: this.#misses, entries: this.#entries.size };
  }

  /**
   * Forgets every cached object: later loads open new ones. Handles already
   * given out keep working; each object is freed when its last handle closes.
   */
  clear(): void {
    this.#entries.clear();
  }

  #create(key: string, image: Uint8Array, options: OpenOptions, timeoutMs: number | undefined, autoloadOff: readonly string[]): Entry {
    const obj = BpfObject.open(image, options); // throws before anything is cached
    try {
      for (const p of autoloadOff) obj.setAutoload(p, false);
    } catch (e) {
      obj.close();
      throw e;
    }
    const entry: Entry = { key, ready: Promise.resolve(obj), settled: false, users: 0 };
    entry.ready = obj.load(timeoutMs === undefined ? {} : { timeoutMs }).then(
      () => {
        entry.settled = true;
        return obj;
      },
      (e: unknown) => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        obj.close();
        throw e;
      },
    );
    entry.ready.catch(() => undefined); // every waiter handles the rejection itself
    this.#entries.set(key, entry);
    return entry;
  }

  #release(entry: Entry, proto: BpfObject): void {
    if (--entry.users > 0) return;
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    proto.close();
  }
}

/** The process-wide object cache. */
export const objectCache = new ObjectCache();

/** Forgets every cached object (see {@link ObjectCache.clear}). */
export function clearCache(): void {
  objectCache.clear();
}

function cacheKey(image: Uint8Array, options: OpenOptions): string {
  const constants = Object.entries(options.constants ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${encodeValue(value)}`);
  const hash = createHash('sha256').update(image).digest('hex');
  return `${hash}\0${JSON.stringify({ btfPath: options.btfPath ?? null, name: options.name, constants })}`;
}

function encodeValue(value: ConstantValue): string {
  if (value instanceof Uint8Array) return `x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  return `${typeof value}:${String(value)}`;
}
