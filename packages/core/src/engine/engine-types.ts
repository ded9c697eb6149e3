import type { ProgramCacheStats } from '../services/object-loader.js';
import type { OBJECT_LOADER } from '../tokens.js';
import type { Engine } from './engine.js';
import type { CollectorStats } from './collector-stats.js';
import type { RunningWork } from './running.js';

/** What `engine.stats()` returns. */
export interface EngineStats {
  /** Names of the registered plugins, in registration order. */
  plugins: string[];
  /**
   * One entry per enabled family of the started plugins: its source, reads and their
   * cost, timeouts, recovery, filter, events, and its source's statistics (per program
   * run count and kernel ns per run, and each eBPF object's shared counters: invocations,
   * events sent and dropped, filter hits and misses, ring-buffer bytes).
   */
  collectors: CollectorStats[];
  /** How `collect()` calls were answered, since the engine was created. */
  cache: {
    /** Calls answered with the cached snapshot. */
    hits: number;
    /** Calls that had to read the sources (cache disabled, empty or older than `ttlMs`). */
    misses: number;
    /**
     * Estimated bytes of the data the engine keeps cached (each family's cached result,
     * which the snapshot cache and the change-counter cache share): the sum of
     * `collectors[i].cache.estimatedBytes`. An estimate from the data's shape (docs/caching.md).
     */
    estimatedBytes: number;
  };
  /**
   * This engine's eBPF object loads through {@link OBJECT_LOADER}: hits were answered by an
   * object already loaded in this process (by another engine, or a plugin of this one), misses
   * loaded one; `loaded` is the objects this engine holds now. All 0 when no plugin registered a loader.
   */
  programCache: ProgramCacheStats;
  /** Collections that read the sources; cache hits are not counted. */
  collects: number;
  /** Resident set size of the process, bytes. */
  rssBytes: number;
  /**
   * What runs between reads now: `stream()` loops, open event streams and what each
   * family's source runs for them (a /proc scan timer, ...). Empty when the engine is idle:
   * no timers, polls or readers run between reads unless a consumer asked for them.
   */
  running: RunningWork[];
}

/** Options of {@link Engine.stream}. */
export interface StreamOptions {
  /** Time between snapshots, ms. @default config.intervalMs */
  intervalMs?: number;
  /** Ends the stream. */
  signal?: AbortSignal;
}
