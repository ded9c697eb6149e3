import { ConfigError } from '../../errors/taxonomy.js';
import type { GovernorSettings } from './governor-types.js';
import { bool, int, record } from '../../config/config-values.js';

/**
 * The default budget of one family: 1% of one core (10,000,000 ns/s) for the whole library
 * shared by the five eBPF families built in (cpu, mem, net, proc, syscall), so that the
 * library stays under 1% of a core while every family keeps to its budget (docs/governor.md).
 */
export const DEFAULT_FAMILY_BUDGET_NS_PER_SEC = 2_000_000;

/** The governor's defaults. */
export const DEFAULT_GOVERNOR: GovernorSettings = Object.freeze({
  enabled: true,
  allowReload: false,
  budgetNsPerSec: DEFAULT_FAMILY_BUDGET_NS_PER_SEC,
  windowMs: 5000,
  calibrationMs: 1000,
  calibrateEvery: 24,
  recoverFraction: 0.5,
  recoverWindows: 3,
  families: Object.freeze({}),
});

const KEYS = ['enabled', 'allowReload', 'budgetNsPerSec', 'windowMs', 'calibrationMs', 'calibrateEvery', 'recoverFraction', 'recoverWindows', 'families'];
const FAMILY_KEYS = ['enabled', 'budgetNsPerSec'];
const MAX_BUDGET = 1_000_000_000_000;

/**
 * Validate config `governor` and fill in the defaults. @internal
 * @param value - the `governor` object as given, or undefined
 * @returns the settings
 * @throws {@link ConfigError} naming `governor.<key>` for an unknown key or a bad value
 */
export function validateGovernor(value: unknown): GovernorSettings {
  if (value === undefined) return DEFAULT_GOVERNOR;
  const g = record(value, 'governor');
  for (const key of Object.keys(g)) if (!KEYS.includes(key)) throw new ConfigError(`governor.${key}`, g[key], `one of ${KEYS.join(', ')}`);
  const d = DEFAULT_GOVERNOR;
  const fraction = g.recoverFraction ?? d.recoverFraction;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) throw new ConfigError('governor.recoverFraction', fraction, 'a number above 0 and below 1');
  return Object.freeze({
    enabled: bool(g.enabled, 'governor.enabled', d.enabled),
    allowReload: bool(g.allowReload, 'governor.allowReload', d.allowReload),
    budgetNsPerSec: int(g.budgetNsPerSec, 'governor.budgetNsPerSec', 1, MAX_BUDGET, d.budgetNsPerSec),
    windowMs: int(g.windowMs, 'governor.windowMs', 10, 3_600_000, d.windowMs),
    calibrationMs: int(g.calibrationMs, 'governor.calibrationMs', 10, 60_000, d.calibrationMs),
    calibrateEvery: int(g.calibrateEvery, 'governor.calibrateEvery', 1, 1_000_000, d.calibrateEvery),
    recoverFraction: fraction,
    recoverWindows: int(g.recoverWindows, 'governor.recoverWindows', 1, 1000, d.recoverWindows),
    families: families(g.families),
  });
}

function families(value: unknown): GovernorSettings['families'] {
  if (value === undefined) return DEFAULT_GOVERNOR.families;
  const all = record(value, 'governor.families');
  const out: Record<string, { enabled?: boolean; budgetNsPerSec?: number }> = {};
  for (const [name, raw] of Object.entries(all)) {
    const at = `governor.families.${name}`;
    const f = record(raw, at);
    for (const key of Object.keys(f)) if (!FAMILY_KEYS.includes(key)) throw new ConfigError(`${at}.${key}`, f[key], `one of ${FAMILY_KEYS.join(', ')}`);
    const own: { enabled?: boolean; budgetNsPerSec?: number } = {};
    if (f.enabled !== undefined) own.enabled = bool(f.enabled, `${at}.enabled`, true);
    if (f.budgetNsPerSec !== undefined) own.budgetNsPerSec = int(f.budgetNsPerSec, `${at}.budgetNsPerSec`, 1, MAX_BUDGET, 0);
    out[name] = Object.freeze(own);
  }
  return Object.freeze(out);
}

/**
 * One family's governing: whether it is governed and its budget.
 * @param settings - the governor settings
 * @param family - the family
 * @returns null when the family is not governed, else its budget in ns per second
 */
export function familyBudget(settings: GovernorSettings, family: string): number | null {
  const own = settings.families[family];
  if (!(own?.enabled ?? settings.enabled)) return null;
  return own?.budgetNsPerSec ?? settings.budgetNsPerSec;
}

