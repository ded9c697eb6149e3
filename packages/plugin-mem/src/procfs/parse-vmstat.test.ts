import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseVmstat, parseVmstatCounts } from './parse-vmstat.js';

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

describe('parseVmstatCounts: the counters a reading uses, with the checks of parseVmstat', () => {
  const both = (text: string): [unknown, unknown] => {
    const run = (f: () => unknown): unknown => {
      try {
        return f();
      } catch (e) {
        return { error: (e as Error).message, details: (e as { details?: unknown }).details };
      }
    };
    return [run(() => parseVmstatCounts(text, 'p')), run(() => { const { other: _o, ...counts } = parseVmstat(text, 'p'); return counts; })];
  };

  it('vm-6.18 and malformed/vmstat-garbage-line: the same values and the same error as parseVmstat', () => {
    for (const rel of ['vm-6.18/proc/vmstat', 'malformed/vmstat-garbage-line/proc/vmstat']) {
      const path = fixture(rel);
      const text = readFileSync(path, 'utf8');
      const [a, b] = both(text);
      expect(a).toEqual(b);
    }
    expect(parseVmstatCounts(readFileSync(fixture('vm-6.18/proc/vmstat'), 'utf8'), 'p')).toEqual({ pgfault: 28991789, pgmajfault: 2265, oomKill: 2 });
  });

  it.each([
    'pgfault 5\npgmajfault 1\n', 'pgfault 5\npgmajfault 1', 'pgfault 5\n\npgmajfault 1\n', 'pgfault 5\npgmajfault 1\n\n', '', '\n', 'pgfault 5\n',
    'pgfault 5\npgmajfault 1\npgfault 7\n', 'pgfault 5\npgmajfault 1\noom_kill 3\n', 'pgfault  5\npgmajfault 1\n', 'pgfault 5 \npgmajfault 1\n',
    'pgfault -5\npgmajfault 1\n', 'pg-fault 5\n', ' 5\n', 'pgfault\n', 'pgfault \n', 'pgfault 9007199254740993\npgmajfault 1\n', 'pgfault 0009\npgmajfault 1\n',
    'pgfault 5\r\npgmajfault 1\n', 'pgfaultx 5\npgmajfault 1\npgfault 2\n',
  ])('%j: as parseVmstat', (text) => {
    const [a, b] = both(text);
    expect(a).toEqual(b);
  });
});
