// The object loader service behind core's OBJECT_LOADER token: objects come from
// the process-wide object cache; each load is handed out as a LoadedBpfObject
// (loaded-object.ts), which shares the links and ring buffers of a shared object.
import { ConfigError, OBJECT_LOADER, type DependencyContainer, type ObjectLoader, type ObjectLoadRequest, type PrivilegeDropReport, type ProgramCacheStats } from '@bpfscope/core';
import { BpfObject } from './bpf-object.js';
import { objectCache, type CachedLoadOptions, type ObjectCache } from './object-cache.js';
import { readObjectFile } from './object-file.js';
import { enableRunStats, type RunStatsHandle } from './run-stats.js';
import { LoadedBpfObject } from './loaded-object.js';
import { dropCapabilities } from './capabilities.js';

export { LoadedBpfObject, type RingSubscription } from './loaded-object.js';

/**
 * The object loader service of `@bpfscope/native` ({@link @bpfscope/core!ObjectLoader}): shared
 * requests go through the process-wide {@link objectCache} (an object loads once per process per
 * bytes, constants and autoload set; kernel BTF is then parsed once per object, not per engine);
 * `shared: false` requests get an object of their own. Counts are this loader's, i.e. one engine's.
 */
export class NativeObjectLoader implements ObjectLoader<LoadedBpfObject> {
  #hits = 0;
  #misses = 0;
  #loaded = 0;

  /** @param cache - the cache to load through @default the process-wide {@link objectCache} */
  constructor(private readonly cache: ObjectCache = objectCache) {}

  /**
   * Load an object or take a handle on the one already loaded.
   * @param request - path, constants, programs not to load, sharing, time limit
   * @returns a handle; close it when done
   * @throws {@link @bpfscope/core!LoadFailed}, {@link @bpfscope/core!Timeout} and the rest of what {@link BpfObject.load} throws
   */
  async load(request: ObjectLoadRequest): Promise<LoadedBpfObject> {
    const options: CachedLoadOptions = { name: request.path };
    if (request.constants !== undefined) options.constants = request.constants;
    if (request.timeoutMs !== undefined) options.timeoutMs = request.timeoutMs;
    if (request.autoloadOff !== undefined) options.autoloadOff = request.autoloadOff;
    let object: BpfObject;
    let hit = false;
    // Read here, for readObjectFile's errors (a missing file names the package to reinstall).
    const bytes = await readObjectFile(request.path);
    if (request.shared === false) {
      object = BpfObject.open(bytes, options);
      try {
        for (const p of request.autoloadOff ?? []) object.setAutoload(p, false);
        await object.load(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs });
      } catch (e) {
        object.close();
        throw e;
      }
    } else {
      ({ object, hit } = await this.cache.acquire(bytes, options));
    }
    if (hit) this.#hits++;
    else this.#misses++;
    this.#loaded++;
    return new LoadedBpfObject(object, request.shared !== false, hit, () => void this.#loaded--, bytes);
  }

  /** This loader's hits, misses and objects held now. */
  stats(): ProgramCacheStats {
    return { hits: this.#hits, misses: this.#misses, loaded: this.#loaded };
  }

  /**
   * Kernel run-time statistics on until the handle closes ({@link enableRunStats}): the
   * engine's overhead governor measures its calibration windows with it.
   * @returns the handle
   * @throws as {@link enableRunStats}
   */
  enableRunStats(): RunStatsHandle {
    return enableRunStats();
  }

  /**
   * Drops capabilities from every thread of the process ({@link dropCapabilities}); the
   * engine calls it after start with config `dropPrivileges: true`.
   * @param capabilities - names, e.g. `CAP_BPF`
   * @returns what was done, per thread
   */
  dropCapabilities(capabilities: readonly string[]): PrivilegeDropReport {
    return dropCapabilities(capabilities);
  }
}

/**
 * Provide the native object loader in a plugin's container, unless one is registered already
 * (the engine lifts it to its own container, so one loader serves every plugin of an engine).
 * Call it in your plugin's `register`.
 * @param container - the container `register` got
 */
export function registerObjectLoader(container: DependencyContainer): void {
  if (!container.isRegistered(OBJECT_LOADER, true)) container.register(OBJECT_LOADER, { useValue: new NativeObjectLoader() });
}

/**
 * The native loader behind a resolved {@link @bpfscope/core!OBJECT_LOADER}, typed.
 * @param loader - what the container gave
 * @returns it, as the native loader
 * @throws {@link @bpfscope/core!ConfigError} when another implementation was registered under the token
 */
export function asNativeLoader(loader: ObjectLoader): NativeObjectLoader {
  if (loader instanceof NativeObjectLoader) return loader;
  throw new ConfigError('OBJECT_LOADER', loader?.constructor?.name, 'the NativeObjectLoader of @bpfscope/native (the eBPF sources attach through its handles)');
}
