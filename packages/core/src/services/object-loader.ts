import type { BpfscopeError } from '../errors/bpfscope-error.js';
import type { PrivilegeDropReport } from '../engine/privileges.js';

/**
 * A loaded eBPF object as the {@link ObjectLoader} hands it out. Core knows only
 * that it can be closed; the loader's implementation (the native package's
 * `NativeObjectLoader`) hands out a richer handle.
 */
export interface LoadedObject {
  /** Release this handle. The object is freed (and its shared links detached) when its last handle closes. */
  close(): void;
}

/** What to load. Two requests with the same object bytes and the same fields share one loaded object. */
export interface ObjectLoadRequest {
  /** Path of the compiled `.bpf.o`. */
  readonly path: string;
  /** Load-time constants (`const volatile` rodata) by name. Part of the cache key. */
  readonly constants?: Readonly<Record<string, number | bigint | boolean>>;
  /** Programs not to load (autoload off). Part of the cache key. */
  readonly autoloadOff?: readonly string[];
  /**
   * Whether the object may be shared with other engines and plugins of this process.
   * Pass `false` when the source writes per-engine state into the object's maps at run
   * time (filters, run-time settings): then it gets an object of its own.
   * @default true
   */
  readonly shared?: boolean;
  /** Bound on this call's wait for the load, ms. */
  readonly timeoutMs?: number;
}

/** Counts of one engine's object loads, shown as `engine.stats().programCache`. */
export interface ProgramCacheStats {
  /** Loads answered by an object already loaded (or loading) in this process. */
  hits: number;
  /** Loads that opened and loaded an object. */
  misses: number;
  /** Objects this engine holds open now. */
  loaded: number;
}

/**
 * The object loader service (token {@link OBJECT_LOADER}): opens and loads an object once
 * per process per (bytes, constants, autoload set) and hands out reference-counted handles.
 * `@bpfscope/native` provides the implementation; core stays free of native code.
 */
export interface ObjectLoader<H extends LoadedObject = LoadedObject> {
  /**
   * Load an object, or hand out a new handle on one already loaded.
   * @param request - what to load
   * @returns a handle; close it when done
   */
  load(request: ObjectLoadRequest): Promise<H>;
  /** This loader's hits, misses and open objects. */
  stats(): ProgramCacheStats;
  /**
   * Optional: turn kernel run-time statistics of every program on (BPF_ENABLE_STATS) until
   * the returned handle is closed; the overhead governor's calibration windows use it.
   * @returns the handle: `close()` ends this holder's counting
   * @throws a {@link BpfscopeError} when the kernel or the privileges do not allow it
   */
  enableRunStats?(): LoadedObject;
  /**
   * Optional: drop `capabilities` (e.g. `CAP_BPF`) from every thread of the process, and
   * report per thread what holds now (config `dropPrivileges`).
   * @param capabilities - capability names
   * @returns what was dropped and which threads, if any, still hold some
   */
  dropCapabilities?(capabilities: readonly string[]): PrivilegeDropReport;
}
