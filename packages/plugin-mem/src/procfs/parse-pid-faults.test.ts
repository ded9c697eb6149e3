import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parsePidFaults } from './parse-pid-faults.js';

describe('parsePidFaults', () => {
  it('the 60 MiB allocator in the fixture cgroup', () => {
    const path = fixture('vm-6.18/proc/4502/stat');
    expect(parsePidFaults(readFileSync(path, 'utf8'), path)).toEqual({ pid: 4502, comm: 'node', minorFaults: 17641, childMinorFaults: 0, majorFaults: 2, childMajorFaults: 0 });
  });

  it('a command name with ")" in it', () => {
    expect(parsePidFaults('7 (a) b) R 1 1 1 0 -1 0 11 12 13 14 0 0', 'p')).toMatchObject({ comm: 'a) b', minorFaults: 11, childMinorFaults: 12, majorFaults: 13, childMajorFaults: 14 });
  });

  it('malformed/pid-stat-truncated → EventProcessingFailed at line 1', () => {
    const path = fixture('malformed/pid-stat-truncated/proc/4502/stat');
    const e = caught(() => parsePidFaults(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect((e as Error).message).toBe(`${path} line 1: 10 fields, at least 13 expected (truncated?)`);
  });

  it.each([['', 'no "(comm)"'], ['7 (a) R 1 1 1 0 -1 0 x 0 0 0', 'field 10 "x"'], ['z (a) R 1 1 1 0 -1 0 1 0 0 0', 'PID "z"']])('rejects %j', (text, why) => {
    expect((caught(() => parsePidFaults(text, 'p')) as Error).message).toContain(why);
  });
});
