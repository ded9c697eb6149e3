import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/taxonomy.js';
import { filterParts, recordPasses, type FamilyFilter } from './family-filter.js';
import { validateFamilyFilter } from './validate-filter.js';

const passes = (filter: FamilyFilter, record: Parameters<typeof recordPasses>[2]): boolean => recordPasses(filter, filterParts(filter), record);

describe('file filter parts (devices, pathPrefixes, fileOperations)', () => {
  it('validates devices as major:minor and normalises leading zeros', () => {
    expect(validateFamilyFilter('fs', { devices: ['8:0', '007:01', '8:0'] }).devices).toEqual(['8:0', '7:1']);
    for (const bad of ['sda', '8', '8:', '4096:0', '8:1048576', '']) {
      expect(() => validateFamilyFilter('fs', { devices: [bad] })).toThrow(ConfigError);
    }
  });

  it('validates path prefixes as absolute paths and drops a trailing slash', () => {
    expect(validateFamilyFilter('fs', { pathPrefixes: ['/var/log/', '/', '/data'] }).pathPrefixes).toEqual(['/var/log', '/', '/data']);
    expect(() => validateFamilyFilter('fs', { pathPrefixes: ['var/log'] })).toThrow(/pathPrefixes\[0\]/);
    expect(() => validateFamilyFilter('fs', { pathPrefixes: ['/a\0b'] })).toThrow(ConfigError);
  });

  it('validates file operations against the known kinds', () => {
    expect(validateFamilyFilter('fs', { fileOperations: ['read', 'fsync', 'read'] }).fileOperations).toEqual(['read', 'fsync']);
    expect(() => validateFamilyFilter('fs', { fileOperations: ['unlink' as never] })).toThrow(/one of open, close, read, write, fsync/);
  });

  it('matches a path prefix at a / boundary only', () => {
    const f = { pathPrefixes: ['/var/log'] };
    expect(passes(f, { path: '/var/log' })).toBe(true);
    expect(passes(f, { path: '/var/log/syslog' })).toBe(true);
    expect(passes(f, { path: '/var/logs/x' })).toBe(false);
    expect(passes(f, { path: null })).toBe(false);
    expect(passes(f, {})).toBe(true);
    expect(passes({ pathPrefixes: ['/'] }, { path: '/etc/hosts' })).toBe(true);
  });

  it('matches devices exactly and refuses an unknown device', () => {
    const f = { devices: ['7:0'] };
    expect(passes(f, { device: '7:0' })).toBe(true);
    expect(passes(f, { device: '7:1' })).toBe(false);
    expect(passes(f, { device: null })).toBe(false);
  });

  it('keeps a record with one allowed operation among its kinds', () => {
    const f: FamilyFilter = { fileOperations: ['fsync'] };
    expect(passes(f, { fileOperations: ['read', 'fsync'] })).toBe(true);
    expect(passes(f, { fileOperations: ['read', 'write'] })).toBe(false);
    expect(passes(f, { fileOperations: [] })).toBe(false);
  });
});
