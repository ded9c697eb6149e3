import { ConfigError } from '../errors/taxonomy.js';
import { validateGovernor } from '../engine/governor/governor-config.js';
import { DEFAULT_CONFIG, type BpfscopeConfig, type FamilyCacheConfig, type FamilyConfig, type ResolvedConfig } from './schema.js';
import { bool, int, record } from './config-values.js';

const MODES = ['auto', 'ebpf', 'fallback'] as const;
const LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
const CACHE_KEYS = ['enabled', 'ttlMs', 'aggressive', 'aggressiveMaxAgeMs', 'maxDetailRecords'];
const FAMILY_CACHE_KEYS = ['aggressive', 'aggressiveMaxAgeMs', 'maxDetailRecords'];
const TOP_KEYS = new Set(['mode', 'intervalMs', 'cache', 'batchSize', 'initAttempts', 'operationTimeoutMs', 'initTimeoutMs', 'recovery', 'procRoot', 'sysRoot', 'logLevel', 'programStats', 'governor', 'dropPrivileges', 'families']);

/**
 * Validate a user configuration and fill in the defaults.
 *
 * @param input - the configuration as given (may be `undefined`)
 * @returns the resolved configuration
 * @throws {@link ConfigError} naming the path, the value and what is allowed
 */
export function validateConfig(input: unknown = {}): ResolvedConfig {
  const cfg = record(input, '(config)');
  for (const key of Object.keys(cfg)) {
    if (!TOP_KEYS.has(key)) throw new ConfigError(key, cfg[key], `one of the known keys (${[...TOP_KEYS].join(', ')})`);
  }
  const cache = cfg.cache === undefined ? {} : record(cfg.cache, 'cache');
  for (const key of Object.keys(cache)) {
    if (!CACHE_KEYS.includes(key)) throw new ConfigError(`cache.${key}`, cache[key], `one of ${CACHE_KEYS.join(', ')}`);
  }
  const recovery = cfg.recovery === undefined ? {} : record(cfg.recovery, 'recovery');
  for (const key of Object.keys(recovery)) {
    if (key !== 'attempts' && key !== 'baseDelayMs') throw new ConfigError(`recovery.${key}`, recovery[key], 'one of attempts, baseDelayMs');
  }
  const governor = validateGovernor(cfg.governor);
  const dropPrivileges = bool(cfg.dropPrivileges, 'dropPrivileges', DEFAULT_CONFIG.dropPrivileges);
  if (dropPrivileges && governor.allowReload) {
    throw new ConfigError('dropPrivileges', true, 'false while governor.allowReload is true (a reload needs the CAP_BPF and CAP_PERFMON that dropPrivileges gives up)', {
      remedy: 'Set governor.allowReload to false (the governor then sheds by sampling), or dropPrivileges to false.',
    });
  }
  return Object.freeze({
    mode: oneOf(cfg.mode, 'mode', MODES, DEFAULT_CONFIG.mode),
    intervalMs: int(cfg.intervalMs, 'intervalMs', 10, 86_400_000, DEFAULT_CONFIG.intervalMs),
    cache: Object.freeze({
      enabled: bool(cache.enabled, 'cache.enabled', DEFAULT_CONFIG.cache.enabled),
      ttlMs: int(cache.ttlMs, 'cache.ttlMs', 0, 3_600_000, DEFAULT_CONFIG.cache.ttlMs),
      aggressive: bool(cache.aggressive, 'cache.aggressive', DEFAULT_CONFIG.cache.aggressive),
      aggressiveMaxAgeMs: int(cache.aggressiveMaxAgeMs, 'cache.aggressiveMaxAgeMs', 1, 86_400_000, DEFAULT_CONFIG.cache.aggressiveMaxAgeMs),
      maxDetailRecords: int(cache.maxDetailRecords, 'cache.maxDetailRecords', 0, 10_000_000, DEFAULT_CONFIG.cache.maxDetailRecords),
    }),
    batchSize: int(cfg.batchSize, 'batchSize', 1, 1_000_000, DEFAULT_CONFIG.batchSize),
    initAttempts: int(cfg.initAttempts, 'initAttempts', 1, 100, DEFAULT_CONFIG.initAttempts),
    operationTimeoutMs: int(cfg.operationTimeoutMs, 'operationTimeoutMs', 1, 600_000, DEFAULT_CONFIG.operationTimeoutMs),
    initTimeoutMs: int(cfg.initTimeoutMs, 'initTimeoutMs', 1, 600_000, DEFAULT_CONFIG.initTimeoutMs),
    recovery: Object.freeze({
      attempts: int(recovery.attempts, 'recovery.attempts', 1, 100, DEFAULT_CONFIG.recovery.attempts),
      baseDelayMs: int(recovery.baseDelayMs, 'recovery.baseDelayMs', 0, 60_000, DEFAULT_CONFIG.recovery.baseDelayMs),
    }),
    procRoot: path(cfg.procRoot, 'procRoot', DEFAULT_CONFIG.procRoot),
    sysRoot: path(cfg.sysRoot, 'sysRoot', DEFAULT_CONFIG.sysRoot),
    logLevel: oneOf(cfg.logLevel, 'logLevel', LEVELS, DEFAULT_CONFIG.logLevel),
    programStats: bool(cfg.programStats, 'programStats', DEFAULT_CONFIG.programStats),
    governor,
    dropPrivileges,
    families: families(cfg.families),
  });
}

/** Merge a partial config over a base one, for `engine.configure()` style updates. @internal */
export function mergeConfig(base: BpfscopeConfig, over: BpfscopeConfig): BpfscopeConfig {
  return {
    ...base,
    ...over,
    cache: { ...base.cache, ...over.cache },
    recovery: { ...base.recovery, ...over.recovery },
    governor: { ...base.governor, ...over.governor, families: { ...base.governor?.families, ...over.governor?.families } },
    families: { ...base.families, ...over.families },
  };
}

function families(value: unknown): Readonly<Record<string, Readonly<FamilyConfig>>> {
  if (value === undefined) return DEFAULT_CONFIG.families;
  const all = record(value, 'families');
  const out: Record<string, Readonly<FamilyConfig>> = {};
  for (const [name, raw] of Object.entries(all)) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name)) throw new ConfigError(`families.${name}`, name, 'a family name of lowercase letters, digits, - and _ (at most 32)');
    const fam = record(raw, `families.${name}`);
    const resolved: FamilyConfig = { ...fam };
    if (fam.mode !== undefined) resolved.mode = oneOf(fam.mode, `families.${name}.mode`, MODES, 'auto');
    if (fam.enabled !== undefined) resolved.enabled = bool(fam.enabled, `families.${name}.enabled`, true);
    for (const key of ['initTimeoutMs', 'readTimeoutMs'] as const) {
      if (fam[key] !== undefined) resolved[key] = int(fam[key], `families.${name}.${key}`, 1, 600_000, 0);
    }
    if (fam.cache !== undefined) resolved.cache = familyCache(fam.cache, `families.${name}.cache`);
    out[name] = Object.freeze(resolved);
  }
  return Object.freeze(out);
}

function familyCache(value: unknown, at: string): Readonly<FamilyCacheConfig> {
  const given = record(value, at);
  for (const key of Object.keys(given)) {
    if (!FAMILY_CACHE_KEYS.includes(key)) throw new ConfigError(`${at}.${key}`, given[key], `one of ${FAMILY_CACHE_KEYS.join(', ')}`);
  }
  const out: FamilyCacheConfig = {};
  if (given.aggressive !== undefined) out.aggressive = bool(given.aggressive, `${at}.aggressive`, false);
  if (given.aggressiveMaxAgeMs !== undefined) out.aggressiveMaxAgeMs = int(given.aggressiveMaxAgeMs, `${at}.aggressiveMaxAgeMs`, 1, 86_400_000, 0);
  if (given.maxDetailRecords !== undefined) out.maxDetailRecords = int(given.maxDetailRecords, `${at}.maxDetailRecords`, 0, 10_000_000, 0);
  return Object.freeze(out);
}

function oneOf<T extends string>(value: unknown, at: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(at, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
}

function path(value: unknown, at: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && value.startsWith('/')) return value.replace(/\/+$/, '') || '/';
  throw new ConfigError(at, value, 'an absolute path');
}
