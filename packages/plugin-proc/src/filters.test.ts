import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { caught, fixture } from '../test/fixture-helpers.js';
import { filterByCategory, filterByComm, filterByPids, filterByPriorityRange, globToRegExp } from './filters.js';
import { scanProcesses } from './procfs/scan-processes.js';

const records = scanProcesses(fixture('vm-6.18/proc')).processes;
const pids = (rs: ReadonlyArray<{ pid: number }>): number[] => rs.map((r) => r.pid);

describe('filters over the vm-6.18 records', () => {
  it('filterByPids keeps the listed PIDs in record order', () => {
    expect(pids(filterByPids(records, [4370, 2, 31337]))).toEqual([2, 4370]);
    expect(filterByPids(records, [])).toEqual([]);
  });

  it('filterByComm with a glob matches the whole name, spaces and parentheses included', () => {
    expect(pids(filterByComm(records, 'my (weird) proc'))).toEqual([4367]);
    expect(pids(filterByComm(records, 'my (*'))).toEqual([4367]);
    expect(pids(filterByComm(records, 'x) R ? (y'))).toEqual([4368]);
    expect(pids(filterByComm(records, 's?'))).toEqual([4369, 4370]);
    expect(pids(filterByComm(records, 'sh*'))).toEqual([4369, 4370]);
    expect(pids(filterByComm(records, 'bas'))).toEqual([]);
  });

  it('filterByComm with a RegExp is unanchored; a global RegExp gives the same answer every time', () => {
    expect(pids(filterByComm(records, /thread/))).toEqual([2]);
    const g = /^(bash|sh)$/g;
    expect(pids(filterByComm(records, g))).toEqual([1812, 4369, 4370]);
    expect(pids(filterByComm(records, g))).toEqual([1812, 4369, 4370]);
  });

  it('globToRegExp escapes everything but * and ?', () => {
    expect(globToRegExp('a.b*').test('axb')).toBe(false);
    expect(globToRegExp('a.b*').test('a.bcd')).toBe(true);
    expect(globToRegExp('[x]').test('[x]')).toBe(true);
  });

  it('filterByCategory: kernel threads vs user processes', () => {
    expect(pids(filterByCategory(records, ['kernel']))).toEqual([2]);
    expect(pids(filterByCategory(records, ['user']))).toEqual([1, 1812, 4367, 4368, 4369, 4370]);
    expect(pids(filterByCategory(records, ['kernel', 'user']))).toHaveLength(7);
  });

  it('filterByPriorityRange on priority (default) and on nice', () => {
    expect(pids(filterByPriorityRange(records, { max: 19 }))).toEqual([1]);
    expect(pids(filterByPriorityRange(records, { min: 20, max: 20 }))).toHaveLength(6);
    expect(pids(filterByPriorityRange(records, { field: 'nice', max: -1 }))).toEqual([1]);
    expect(pids(filterByPriorityRange(records, {}))).toHaveLength(7);
  });

  it('filterByPriorityRange rejects bad bounds with ConfigError', () => {
    expect(caught(() => filterByPriorityRange(records, { min: 5, max: 1 }))).toBeInstanceOf(ConfigError);
    expect(caught(() => filterByPriorityRange(records, { min: Number.NaN }))).toMatchObject({ code: 'CONFIG_ERROR', details: { path: 'priorityRange.min' } });
  });
});
