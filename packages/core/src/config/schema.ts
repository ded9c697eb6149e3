import type { LogLevel } from '../logger.js';
import type { GovernorFamilySettings, GovernorSettings } from '../engine/governor/governor-types.js';
import { DEFAULT_GOVERNOR } from '../engine/governor/governor-config.js';

/** Which sources a family may use. `ebpf` is strict: no fallback, init fails loudly. */
export type FamilyMode = 'auto' | 'ebpf' | 'fallback';

/** Per-family options. Plugins document their own extra keys. */
export interface FamilyConfig {
  /** Source selection for this family. @default the top-level `mode` */
  mode?: FamilyMode;
  /** Whether the family is collected at all. @default true */
  enabled?: boolean;
  /** Time limit of this family's source init, ms (1 to 600,000). @default the top-level `initTimeoutMs` */
  initTimeoutMs?: number;
  /** Time limit of one read of this family's source, ms (1 to 600,000). @default the top-level `operationTimeoutMs` */
  readTimeoutMs?: number;
  /** This family's caching, over the top-level `cache` (docs/caching.md). @default the top-level `cache` settings */
  cache?: FamilyCacheConfig;
  /** Plugin-specific options. */
  [option: string]: unknown;
}

/** The caching settings a family may set for itself under `families.<family>.cache`. */
export interface FamilyCacheConfig {
  /** Aggressive caching for this family. @default the top-level `cache.aggressive` */
  aggressive?: boolean;
  /** Oldest decoded result the change-counter cache answers with, ms. @default the top-level `cache.aggressiveMaxAgeMs` */
  aggressiveMaxAgeMs?: number;
  /** Detail records kept in this family's cached result. @default the top-level `cache.maxDetailRecords` */
  maxDetailRecords?: number;
}

/** Configuration as the user writes it: every field optional. */
export interface BpfscopeConfig {
  /** Default source selection for every family. @default 'auto' */
  mode?: FamilyMode;
  /** Interval between readings of `engine.stream()`, ms. @default 1000 */
  intervalMs?: number;
  /**
   * Caching (docs/caching.md): `collect()` returns the last snapshot while it is younger
   * than `ttlMs`; with `aggressive`, a family whose source's change counter did not move
   * since its last decoded read returns that result again without decoding; the detail
   * records kept in cached results are capped per family.
   */
  cache?: {
    /** Whether anything is cached; false: every `collect()` and stream reading decodes every family. @default true */
    enabled?: boolean;
    /** Age below which `collect()` returns the cached snapshot, ms (0 to 3,600,000). @default 500 */
    ttlMs?: number;
    /**
     * Aggressive caching: before each read of a family whose selected source offers a
     * change counter (`Source.changeCounter`), compare it with the value seen at
     * the family's last decoded read; equal: that result again (marked `cached`), no decode.
     * Off by default because a cached result's rates and diagnostic counters are those of
     * the decoded read (see docs/caching.md). Applies to streams too.
     * @default false
     */
    aggressive?: boolean;
    /** Oldest decoded result the change-counter cache answers with, ms (1 to 86,400,000); older: decoded again. @default 60000 */
    aggressiveMaxAgeMs?: number;
    /**
     * Detail records (per-process rows and the like, as the family's `filterRecords` visits
     * them) kept in a family's cached result (0 to 10,000,000); what it leaves out is
     * counted on the cached result (`detailCap`) and in stats. A decoded result is
     * returned whole. @default 10000
     */
    maxDetailRecords?: number;
  };
  /** Records per crossing from a family's event ring buffer to JavaScript (proc, mem and syscall events): larger batches cost less per event, smaller ones deliver sooner under a flood. @default 100 */
  batchSize?: number;
  /** How often a source's init is tried when it fails with a transient error. @default 3 */
  initAttempts?: number;
  /**
   * Time limit of one source read, ms, for every family that sets no `readTimeoutMs`.
   * When it passes, the engine aborts the read's signal and reports a `Timeout` for that family.
   * @default 1000
   */
  operationTimeoutMs?: number;
  /**
   * Time limit of one source init (loading and attaching eBPF programs, a first reading), ms,
   * for every family that sets no `initTimeoutMs`. No other limit applies to an init.
   * @default 10000
   */
  initTimeoutMs?: number;
  /** How `engine.attemptRecovery()` re-initialises a family that failed or was detached. */
  recovery?: {
    /** Inits tried per family and call (1 to 100). @default 3 */
    attempts?: number;
    /** Wait before the second attempt, ms; each later wait doubles (0 to 60,000). @default 100 */
    baseDelayMs?: number;
  };
  /** Root of procfs; tests point it at a fixture tree. @default '/proc' */
  procRoot?: string;
  /** Root of sysfs. @default '/sys' */
  sysRoot?: string;
  /** Loudest level the default logger writes. @default 'warn' */
  logLevel?: LogLevel;
  /**
   * Count each eBPF program's runs and run time in the kernel (BPF_ENABLE_STATS) while
   * the engine runs, and show them in `engine.stats()`. The kernel then reads the clock
   * twice per program run (some tens of ns), so it is off unless asked for.
   * @default false
   */
  programStats?: boolean;
  /**
   * The overhead governor (docs/governor.md): a budget of kernel ns per second per family;
   * a family over it sheds detail one level at a time (e.g. syscall latency off), says so in
   * its result (`governor`) and in `engine.stats()`, and takes the detail back when its
   * load falls. On by default; a level that would reload a family's programs (and start
   * its counters again) is used only with `allowReload`.
   */
  governor?: GovernorConfig;
  /**
   * Least privilege (docs/reliability.md): once `start()` has loaded and attached every
   * family, drop CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN and CAP_SYS_RESOURCE from every thread
   * of the process (effective, permitted and inheritable sets; the bounding set too when
   * CAP_SETPCAP allows) and keep working from the file descriptors held. A thread that
   * blocks every signal (Node's SIGUSR1 watcher) is made to drop them under ptrace from a
   * short-lived child process (x86_64); one that cannot be reached is named. Afterwards
   * nothing can load or attach programs: recovery that needs a reload, families added
   * later and the governor's run-time statistics fail with `INSUFFICIENT_PERMISSIONS`
   * naming the drop. It acts on the whole process (every engine in it). Not allowed with
   * `governor.allowReload`. See `engine.privileges()` for what was done.
   * @default false
   */
  dropPrivileges?: boolean;
  /** Per-family options, keyed by family name. */
  families?: Record<string, FamilyConfig>;
}

/** The overhead governor's settings as the user writes them (config `governor`). */
export interface GovernorConfig {
  /** Govern the eBPF families (each may override it in `families`). @default true */
  enabled?: boolean;
  /**
   * Let a family shed a level that reloads its programs: the syscall family's latency →
   * counts only, after which its counters start again (`countersSince` moves) and its open
   * event streams end. Without it, the syscall family in latency mode sheds only by
   * sampling its events. @default false
   */
  allowReload?: boolean;
  /** Kernel ns per second one family may spend (1 to 10^12). @default 2000000 (1% of a core shared by the five built-in eBPF families) */
  budgetNsPerSec?: number;
  /** Shortest window judged, ms (10 to 3,600,000): a read sooner after the last judged window judges nothing. @default 1000 */
  windowMs?: number;
  /** Length of a calibration window, during which kernel run-time statistics are on, ms (10 to 60,000). @default 1000 */
  calibrationMs?: number;
  /** Judged windows between two calibrations at one level (1 to 1,000,000). @default 120 (at 1 Hz, one calibration every two minutes: turning statistics on and off costs this process about 1 ms of CPU each time, and while on every BPF program of the machine pays some tens of ns per run) */
  calibrateEvery?: number;
  /** The family returns one level when the cost projected at that level stays under this fraction of the budget (above 0, below 1). @default 0.5 */
  recoverFraction?: number;
  /** ... for this many consecutive judged windows (1 to 1000). @default 3 */
  recoverWindows?: number;
  /** Per-family `enabled` and `budgetNsPerSec`, over the values above. @default none */
  families?: Record<string, GovernorFamilySettings>;
}

/** Configuration after validation, with every default filled in. */
export interface ResolvedConfig {
  /** Source selection for every family that does not set its own `mode`. */
  readonly mode: FamilyMode;
  /** Default time between the starts of two readings of `engine.stream()`, ms (10 to 86,400,000). */
  readonly intervalMs: number;
  /** Snapshot caching of `engine.collect()`. */
  readonly cache: {
    /** When false, every `collect()` reads the sources. */
    readonly enabled: boolean;
    /** Age below which `collect()` returns the cached snapshot, ms; 0 never serves from the cache. */
    readonly ttlMs: number;
    /** Whether families whose source has a change counter are served from the change-counter cache. */
    readonly aggressive: boolean;
    /** Oldest decoded result the change-counter cache answers with, ms. */
    readonly aggressiveMaxAgeMs: number;
    /** Detail records kept per family in cached results. */
    readonly maxDetailRecords: number;
  };
  /** Records per crossing from a family's event ring buffer to JavaScript (1 to 1,000,000). */
  readonly batchSize: number;
  /** Tries per source init when it fails with a transient error (1 to 100); other errors are not retried. */
  readonly initAttempts: number;
  /** Default time limit of one source read, ms (a family's `readTimeoutMs` overrides it). */
  readonly operationTimeoutMs: number;
  /** Default time limit of one source init, ms (a family's `initTimeoutMs` overrides it). */
  readonly initTimeoutMs: number;
  /** Re-initialisation by `engine.attemptRecovery()`. */
  readonly recovery: {
    /** Inits tried per family and call. */
    readonly attempts: number;
    /** Wait before the second attempt, ms; it doubles before each further one. */
    readonly baseDelayMs: number;
  };
  /** Absolute path of the procfs root, without a trailing slash. */
  readonly procRoot: string;
  /** Absolute path of the sysfs root, without a trailing slash. */
  readonly sysRoot: string;
  /** Loudest level the default logger writes; ignored when `createEngine` is given a logger. */
  readonly logLevel: LogLevel;
  /** Whether eBPF sources turn on kernel run-time statistics of their programs. */
  readonly programStats: boolean;
  /** The overhead governor's settings. */
  readonly governor: GovernorSettings;
  /** Whether `start()` drops the eBPF capabilities of the process once every family attached. */
  readonly dropPrivileges: boolean;
  /** Per-family options keyed by family name; a family without an entry uses the top-level settings. */
  readonly families: Readonly<Record<string, Readonly<FamilyConfig>>>;
}

/** The defaults of every configuration field. */
export const DEFAULT_CONFIG: ResolvedConfig = Object.freeze({
  mode: 'auto',
  intervalMs: 1000,
  cache: Object.freeze({ enabled: true, ttlMs: 500, aggressive: false, aggressiveMaxAgeMs: 60_000, maxDetailRecords: 10_000 }),
  batchSize: 100,
  initAttempts: 3,
  operationTimeoutMs: 1000,
  initTimeoutMs: 10_000,
  recovery: Object.freeze({ attempts: 3, baseDelayMs: 100 }),
  procRoot: '/proc',
  sysRoot: '/sys',
  logLevel: 'warn',
  programStats: false,
  governor: DEFAULT_GOVERNOR,
  dropPrivileges: false,
  families: Object.freeze({}),
});

/** The time limits of one family, ms. */
export interface FamilyTimeouts {
  /** Limit of one source init. */
  readonly initMs: number;
  /** Limit of one read. */
  readonly readMs: number;
}

/**
 * The time limits of one family: its own `initTimeoutMs`/`readTimeoutMs`, else the
 * top-level `initTimeoutMs`/`operationTimeoutMs`.
 * @param config - the resolved configuration
 * @param family - the family name
 * @returns the init and read limits, ms
 */
export function familyTimeouts(config: ResolvedConfig, family: string): FamilyTimeouts {
  const f = config.families[family];
  return {
    initMs: typeof f?.initTimeoutMs === 'number' ? f.initTimeoutMs : config.initTimeoutMs,
    readMs: typeof f?.readTimeoutMs === 'number' ? f.readTimeoutMs : config.operationTimeoutMs,
  };
}

/** One family's caching settings in force. */
export interface FamilyCacheSettings {
  /** Whether anything of the family is cached (`cache.enabled`). */
  readonly enabled: boolean;
  /** Whether the change-counter cache answers its reads. */
  readonly aggressive: boolean;
  /** Oldest decoded result the change-counter cache answers with, ms. */
  readonly aggressiveMaxAgeMs: number;
  /** Detail records kept in its cached result. */
  readonly maxDetailRecords: number;
}

/**
 * One family's caching: its own `families.<family>.cache` over the top-level `cache`.
 * @param config - the resolved configuration
 * @param family - the family name
 * @returns the settings in force
 */
export function familyCacheSettings(config: ResolvedConfig, family: string): FamilyCacheSettings {
  const own = config.families[family]?.cache ?? {};
  return {
    enabled: config.cache.enabled,
    aggressive: config.cache.enabled && (own.aggressive ?? config.cache.aggressive),
    aggressiveMaxAgeMs: own.aggressiveMaxAgeMs ?? config.cache.aggressiveMaxAgeMs,
    maxDetailRecords: own.maxDetailRecords ?? config.cache.maxDetailRecords,
  };
}
