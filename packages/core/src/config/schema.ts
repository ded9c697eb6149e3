import type { LogLevel } from '../logger.js';

/** Which sources a family may use. `ebpf` is strict: no fallback, init fails loudly. */
export type FamilyMode = 'auto' | 'ebpf' | 'fallback';

/** Per-family options. Plugins document their own extra keys. */
export interface FamilyConfig {
  /** Source selection for this family. @default the top-level `mode` */
  mode?: FamilyMode;
  /** Whether the family is collected at all. @default true */
  enabled?: boolean;
  /** Plugin-specific options. */
  [option: string]: unknown;
}

/** Configuration as the user writes it: every field optional. */
export interface BpfscopeConfig {
  /** Default source selection for every family. @default 'auto' */
  mode?: FamilyMode;
  /** Interval between readings of `engine.stream()`, ms. @default 1000 */
  intervalMs?: number;
  /** Snapshot caching: `collect()` returns the last snapshot while it is younger than `ttlMs`. */
  cache?: {
    /** @default true */
    enabled?: boolean;
    /** @default 500 */
    ttlMs?: number;
  };
  /** Entries per batch in map reads and event deliveries. @default 100 */
  batchSize?: number;
  /** How often a source's init is tried when it fails with a transient error. @default 3 */
  initAttempts?: number;
  /** Time limit of one source init or read, ms. @default 1000 */
  operationTimeoutMs?: number;
  /** Root of procfs; tests point it at a fixture tree. @default '/proc' */
  procRoot?: string;
  /** Root of sysfs. @default '/sys' */
  sysRoot?: string;
  /** Loudest level the default logger writes. @default 'warn' */
  logLevel?: LogLevel;
  /** Per-family options, keyed by family name. */
  families?: Record<string, FamilyConfig>;
}

/** Configuration after validation, with every default filled in. */
export interface ResolvedConfig {
  readonly mode: FamilyMode;
  readonly intervalMs: number;
  readonly cache: { readonly enabled: boolean; readonly ttlMs: number };
  readonly batchSize: number;
  readonly initAttempts: number;
  readonly operationTimeoutMs: number;
  readonly procRoot: string;
  readonly sysRoot: string;
  readonly logLevel: LogLevel;
  readonly families: Readonly<Record<string, Readonly<FamilyConfig>>>;
}

/** The defaults of every configuration field. */
export const DEFAULT_CONFIG: ResolvedConfig = Object.freeze({
  mode: 'auto',
  intervalMs: 1000,
  cache: Object.freeze({ enabled: true, ttlMs: 500 }),
  batchSize: 100,
  initAttempts: 3,
  operationTimeoutMs: 1000,
  procRoot: '/proc',
  sysRoot: '/sys',
  logLevel: 'warn',
  families: Object.freeze({}),
});
