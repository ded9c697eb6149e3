import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/taxonomy.js';
import { DEFAULT_CONFIG } from './schema.js';
import { validateConfig } from './validate-config.js';

function configError(input: unknown): ConfigError {
  try {
    validateConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('validateConfig accepted an invalid config');
}

describe('validateConfig', () => {
  it('fills every default from an empty config', () => {
    expect(validateConfig({})).toEqual(DEFAULT_CONFIG);
    expect(validateConfig(undefined).intervalMs).toBe(1000);
    expect(DEFAULT_CONFIG).toMatchObject({ batchSize: 100, initAttempts: 3, operationTimeoutMs: 1000, initTimeoutMs: 10_000, recovery: { attempts: 3, baseDelayMs: 100 }, cache: { enabled: true } });
  });

  it('family time limits override the top-level ones, which default the others', async () => {
    const { familyTimeouts } = await import('./schema.js');
    const c = validateConfig({ operationTimeoutMs: 200, initTimeoutMs: 3000, families: { cpu: { readTimeoutMs: 50 }, mem: { initTimeoutMs: 9 } } });
    expect(familyTimeouts(c, 'cpu')).toEqual({ initMs: 3000, readMs: 50 });
    expect(familyTimeouts(c, 'mem')).toEqual({ initMs: 9, readMs: 200 });
    expect(familyTimeouts(c, 'proc')).toEqual({ initMs: 3000, readMs: 200 });
  });

  it('keeps valid values and per-family options', () => {
    const c = validateConfig({ mode: 'fallback', intervalMs: 250, families: { cpu: { mode: 'ebpf', extra: 1 } }, procRoot: '/tmp/proc/' });
    expect(c.mode).toBe('fallback');
    expect(c.intervalMs).toBe(250);
    expect(c.families.cpu).toEqual({ mode: 'ebpf', extra: 1 });
    expect(c.procRoot).toBe('/tmp/proc');
  });

  it.each([
    [{ mode: 'fast' }, 'mode', '"auto", "ebpf", "fallback"'],
    [{ intervalMs: -5 }, 'intervalMs', 'an integer from 10'],
    [{ intervalMs: 1.5 }, 'intervalMs', 'an integer'],
    [{ batchSize: '100' }, 'batchSize', 'an integer from 1'],
    [{ cache: { enabled: 'yes' } }, 'cache.enabled', 'true or false'],
    [{ cache: { ttl: 5 } }, 'cache.ttl', 'enabled, ttlMs, aggressive, aggressiveMaxAgeMs, maxDetailRecords'],
    [{ cache: { aggressive: 1 } }, 'cache.aggressive', 'true or false'],
    [{ cache: { aggressiveMaxAgeMs: 0 } }, 'cache.aggressiveMaxAgeMs', 'an integer from 1 to 86400000'],
    [{ cache: { maxDetailRecords: -1 } }, 'cache.maxDetailRecords', 'an integer from 0 to 10000000'],
    [{ families: { syscall: { cache: true } } }, 'families.syscall.cache', 'an object'],
    [{ families: { syscall: { cache: { ttlMs: 5 } } } }, 'families.syscall.cache.ttlMs', 'aggressive, aggressiveMaxAgeMs, maxDetailRecords'],
    [{ families: { syscall: { cache: { aggressive: 'on' } } } }, 'families.syscall.cache.aggressive', 'true or false'],
    [{ families: { proc: { cache: { maxDetailRecords: 1.5 } } } }, 'families.proc.cache.maxDetailRecords', 'an integer from 0 to 10000000'],
    [{ procRoot: 'proc' }, 'procRoot', 'an absolute path'],
    [{ families: { cpu: { mode: 'kernel' } } }, 'families.cpu.mode', '"auto"'],
    [{ families: { cpu: 'on' } }, 'families.cpu', 'an object'],
    [{ families: { cpu: { readTimeoutMs: 1.5 } } }, 'families.cpu.readTimeoutMs', 'an integer from 1 to 600000'],
    [{ families: { cpu: { initTimeoutMs: 700_000 } } }, 'families.cpu.initTimeoutMs', 'an integer from 1 to 600000'],
    [{ initTimeoutMs: 0 }, 'initTimeoutMs', 'an integer from 1 to 600000'],
    [{ recovery: 3 }, 'recovery', 'an object'],
    [{ recovery: { attempts: 101 } }, 'recovery.attempts', 'an integer from 1 to 100'],
    [{ families: { 'CPU!': {} } }, 'families.CPU!', 'a family name'],
    [{ colour: 'red' }, 'colour', 'one of the known keys'],
    [null, '(config)', 'an object'],
  ])('rejects %j at the right path', (input, path, allowed) => {
    const e = configError(input);
    expect(e.code).toBe('CONFIG_ERROR');
    expect(e.path).toBe(path);
    expect(e.message).toContain(path);
    expect(e.message).toContain(allowed);
    expect(e.remedy).toContain(path);
  });

  it('caching: defaults, and a family\'s own settings over the top-level ones', async () => {
    const { familyCacheSettings } = await import('./schema.js');
    expect(DEFAULT_CONFIG.cache).toEqual({ enabled: true, ttlMs: 500, aggressive: false, aggressiveMaxAgeMs: 60_000, maxDetailRecords: 10_000 });
    const c = validateConfig({ cache: { maxDetailRecords: 50 }, families: { syscall: { cache: { aggressive: true, aggressiveMaxAgeMs: 5000 } } } });
    expect(familyCacheSettings(c, 'syscall')).toEqual({ enabled: true, aggressive: true, aggressiveMaxAgeMs: 5000, maxDetailRecords: 50 });
    expect(familyCacheSettings(c, 'proc')).toEqual({ enabled: true, aggressive: false, aggressiveMaxAgeMs: 60_000, maxDetailRecords: 50 });
    // cache.enabled false turns every cache off, a family's aggressive one too.
    const off = validateConfig({ cache: { enabled: false }, families: { syscall: { cache: { aggressive: true } } } });
    expect(familyCacheSettings(off, 'syscall').aggressive).toBe(false);
  });

  it('names the value it refused', () => {
    const e = configError({ mode: 'fast' });
    expect(e.value).toBe('fast');
    expect(e.message).toContain('"fast"');
  });
  it('dropPrivileges: false by default, a boolean, and refused beside governor.allowReload (a reload needs what it drops)', () => {
    expect(validateConfig({}).dropPrivileges).toBe(false);
    expect(validateConfig({ dropPrivileges: true }).dropPrivileges).toBe(true);
    expect(configError({ dropPrivileges: 'yes' })).toMatchObject({ path: 'dropPrivileges', value: 'yes', allowed: 'true or false' });
    const both = configError({ dropPrivileges: true, governor: { allowReload: true } });
    expect(both.path).toBe('dropPrivileges');
    expect(both.remedy).toContain('governor.allowReload');
    expect(validateConfig({ dropPrivileges: false, governor: { allowReload: true } }).governor.allowReload).toBe(true);
  });
});
