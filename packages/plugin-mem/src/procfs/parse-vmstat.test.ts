import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseVmstat } from './parse-vmstat.js';

describe('parseVmstat', () => {
  it('vm-6.18, right after two OOM kills in the fixture cgroup', () => {
    const path = fixture('vm-6.18/proc/vmstat');
    const v = parseVmstat(readFileSync(path, 'utf8'), path);
    expect({ pgfault: v.pgfault, pgmajfault: v.pgmajfault, oomKill: v.oomKill }).toEqual({ pgfault: 28991789, pgmajfault: 2265, oomKill: 2 });
    expect(Object.keys(v.other)).toHaveLength(192 - 3);
    expect(v.other).toMatchObject({ nr_free_pages: 1010027, pgpgin: 2367013, pswpin: 0 });
  });

  it('a kernel before 4.13 has no oom_kill: null', () => {
    expect(parseVmstat('pgfault 5\npgmajfault 1\n', 'p')).toEqual({ pgfault: 5, pgmajfault: 1, oomKill: null, other: {} });
  });

  it('malformed/vmstat-garbage-line → EventProcessingFailed at line 4', () => {
    const path = fixture('malformed/vmstat-garbage-line/proc/vmstat');
    const e = caught(() => parseVmstat(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ details: { path, line: 4, content: 'pgfault: 12' } });
  });

  it('a missing pgmajfault → EventProcessingFailed one past the end', () => {
    expect((caught(() => parseVmstat('pgfault 5\n', 'p')) as Error).message).toBe('p line 2: no pgmajfault line (truncated file?)');
  });
});
