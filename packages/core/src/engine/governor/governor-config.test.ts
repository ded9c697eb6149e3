import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/taxonomy.js';
import { validateConfig } from '../../config/validate-config.js';
import { DEFAULT_GOVERNOR, familyBudget } from './governor-config.js';

function pathOf(input: unknown): string {
  try {
    validateConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return String(e.details.path);
    throw e;
  }
  throw new Error('validateConfig accepted an invalid config');
}

describe('config governor', () => {
  it('defaults: on, no reloading level, 2,000,000 ns/s per family (1% of a core over the five eBPF families), windows of 1 s', () => {
    expect(validateConfig({}).governor).toEqual(DEFAULT_GOVERNOR);
    expect(DEFAULT_GOVERNOR).toEqual({ enabled: true, allowReload: false, budgetNsPerSec: 2_000_000, windowMs: 5000, calibrationMs: 1000, calibrateEvery: 24, recoverFraction: 0.5, recoverWindows: 3, families: {} });
    expect(5 * DEFAULT_GOVERNOR.budgetNsPerSec).toBe(0.01 * 1e9);
  });

  it('takes every field, and a per-family override of enabled and budget', () => {
    expect(validateConfig({ governor: { allowReload: true } }).governor.allowReload).toBe(true);
    const g = validateConfig({ governor: { enabled: true, budgetNsPerSec: 5000, windowMs: 100, calibrationMs: 50, calibrateEvery: 5, recoverFraction: 0.25, recoverWindows: 2, families: { syscall: { budgetNsPerSec: 7 }, cpu: { enabled: false } } } }).governor;
    expect(familyBudget(g, 'syscall')).toBe(7);
    expect(familyBudget(g, 'mem')).toBe(5000);
    expect(familyBudget(g, 'cpu')).toBeNull();
    expect(familyBudget(validateConfig({ governor: { enabled: false, families: { proc: { enabled: true } } } }).governor, 'proc')).toBe(2_000_000);
    expect(familyBudget(validateConfig({ governor: { enabled: false } }).governor, 'proc')).toBeNull();
    expect(familyBudget(DEFAULT_GOVERNOR, 'proc')).toBe(2_000_000);
  });

  it('refuses bad values with a ConfigError naming the path', () => {
    expect(pathOf({ governor: 1 })).toBe('governor');
    expect(pathOf({ governor: { budget: 1 } })).toBe('governor.budget');
    expect(pathOf({ governor: { enabled: 'yes' } })).toBe('governor.enabled');
    expect(pathOf({ governor: { allowReload: 1 } })).toBe('governor.allowReload');
    expect(pathOf({ governor: { budgetNsPerSec: 0 } })).toBe('governor.budgetNsPerSec');
    expect(pathOf({ governor: { budgetNsPerSec: 1.5 } })).toBe('governor.budgetNsPerSec');
    expect(pathOf({ governor: { windowMs: 9 } })).toBe('governor.windowMs');
    expect(pathOf({ governor: { calibrationMs: 60_001 } })).toBe('governor.calibrationMs');
    expect(pathOf({ governor: { calibrateEvery: 0 } })).toBe('governor.calibrateEvery');
    expect(pathOf({ governor: { recoverFraction: 1 } })).toBe('governor.recoverFraction');
    expect(pathOf({ governor: { recoverFraction: 0 } })).toBe('governor.recoverFraction');
    expect(pathOf({ governor: { recoverWindows: 0 } })).toBe('governor.recoverWindows');
    expect(pathOf({ governor: { families: { syscall: { budgetNsPerSec: -1 } } } })).toBe('governor.families.syscall.budgetNsPerSec');
    expect(pathOf({ governor: { families: { syscall: { level: 1 } } } })).toBe('governor.families.syscall.level');
    expect(pathOf({ governor: { families: { syscall: null } } })).toBe('governor.families.syscall');
  });
});
