import { describe, expect, it } from 'vitest';
import { createProcfsReader, DataUnavailable, EventProcessingFailed, type ProcfsReader } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { readMeminfo, readPidFaults, readVmstat } from './read-mem-proc.js';

const at = (procRoot: string): ProcfsReader => createProcfsReader(procRoot, '/nonexistent-bpfscope-sys');

describe('procfs readers of plugin-mem', () => {
  const proc = at(fixture('vm-6.18/proc'));

  it('read the vm-6.18 tree', () => {
    expect(readMeminfo(proc).memTotal).toBe(24683656 * 1024);
    expect(readVmstat(proc).oomKill).toBe(2);
    expect(readPidFaults(proc, 4502)).toMatchObject({ minorFaults: 17641, majorFaults: 2 });
  });

  it('a process that does not exist → null; a missing file → DataUnavailable; a malformed one → EventProcessingFailed', () => {
    expect(readPidFaults(proc, 31337)).toBeNull();
    expect(caught(() => readMeminfo(at(fixture('cgroup-v1'))))).toBeInstanceOf(DataUnavailable);
    expect(caught(() => readMeminfo(at(fixture('malformed/meminfo-non-numeric/proc'))))).toBeInstanceOf(EventProcessingFailed);
    expect(caught(() => readPidFaults(at(fixture('malformed/pid-stat-truncated/proc')), 4502))).toBeInstanceOf(EventProcessingFailed);
  });
});
