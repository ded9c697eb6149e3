import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { caught, fixture } from '../test/fixture-helpers.js';
import { scanProcesses } from './procfs/scan-processes.js';
import { topProcesses, type TopMeasure } from './top-k.js';

const records = scanProcesses(fixture('vm-6.18/proc')).processes;
const pids = (rs: ReadonlyArray<{ pid: number }>): number[] => rs.map((r) => r.pid);

describe('topProcesses over the vm-6.18 records', () => {
  it('by cpu (user + system seconds): PID 1 (4.78 s), then the busy loops, ties by PID', () => {
    const t = topProcesses(records, 'cpu', 4);
    expect(pids(t.top)).toEqual([1, 4369, 4370, 1812]);
    expect(t.unmeasured).toBe(0);
  });

  it('by rss', () => {
    expect(pids(topProcesses(records, 'rss', 3).top)).toEqual([1, 1812, 4368]); // VmRSS: 11676, 3948, 1804 kB
  });

  it('by io (read_bytes + write_bytes): PID 1 has no io and is counted as unmeasured', () => {
    const t = topProcesses(records, 'io', 2);
    expect(pids(t.top)).toEqual([1812, 2]);
    expect(t.unmeasured).toBe(1);
  });

  it('k caps the result; k larger than the list returns all measured records', () => {
    expect(topProcesses(records, 'rss', 0).top).toEqual([]);
    expect(topProcesses(records, 'rss', 100).top).toHaveLength(7);
  });

  it.each([[-1], [1.5], [Number.NaN], [100_001]])('k = %d → ConfigError', (k) => {
    expect(caught(() => topProcesses(records, 'cpu', k))).toMatchObject({ code: 'CONFIG_ERROR', details: { path: 'top.k' } });
  });

  it('an unknown measure → ConfigError', () => {
    expect(caught(() => topProcesses(records, 'disk' as TopMeasure, 1))).toBeInstanceOf(ConfigError);
  });
});
