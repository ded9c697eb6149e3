import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parsePidStat, type PidStatOptions } from './parse-pid-stat.js';

const BTIME = 1795453397; // btime of vm-6.18/proc/stat
const parseFile = (rel: string, options?: PidStatOptions) => {
  const path = fixture(rel);
  return parsePidStat(readFileSync(path, 'utf8'), path, options);
};

describe('parsePidStat on the vm-6.18 captures', () => {
  it('a command name with spaces and parentheses: "my (weird) proc"', () => {
    expect(parseFile('vm-6.18/proc/4367/stat', { bootTime: BTIME })).toEqual({
      pid: 4367, comm: 'my (weird) proc', state: 'S', ppid: 4361, pgrp: 4361, session: 1812, ttyNr: 0,
      flags: 4194304, kernelThread: false, minorFaults: 141, majorFaults: 0, userSeconds: 0, systemSeconds: 0,
      priority: 20, nice: 0, threads: 1, startTicks: 187437, startSecondsSinceBoot: 1874.37, startTime: BTIME + 1874.37,
      vsizeBytes: 2990080, rssPages: 420, rssBytes: 420 * 4096,
    });
  });

  it('a command name that imitates the fields after it: "x) R 9 (y" (parsed from the last ")")', () => {
    const s = parseFile('vm-6.18/proc/4368/stat');
    expect(s).toMatchObject({ pid: 4368, comm: 'x) R 9 (y', state: 'S', ppid: 4361, rssPages: 408, startTime: null });
  });

  it('PID 1 (process_api): negative nice, several threads, CPU ticks to seconds', () => {
    expect(parseFile('vm-6.18/proc/1/stat')).toMatchObject({
      pid: 1, comm: 'process_api', ppid: 0, flags: 4194560, kernelThread: false, minorFaults: 22582, majorFaults: 0,
      userSeconds: 1.67, systemSeconds: 3.11, priority: 10, nice: -10, threads: 13, startTicks: 22, vsizeBytes: 42655744, rssBytes: 2901 * 4096,
    });
  });

  it('kthreadd: PF_KTHREAD set, no memory', () => {
    expect(parseFile('vm-6.18/proc/2/stat')).toMatchObject({ pid: 2, comm: 'kthreadd', ppid: 0, flags: 2129984, kernelThread: true, vsizeBytes: 0, rssBytes: 0 });
  });

  it('a stopped process (state T) and a running one (state R, 0.84 s user time)', () => {
    expect(parseFile('vm-6.18/proc/4370/stat')).toMatchObject({ state: 'T', userSeconds: 0.54 });
    expect(parseFile('vm-6.18/proc/4369/stat')).toMatchObject({ state: 'R', userSeconds: 0.84 });
  });

  it('page size and USER_HZ are honoured', () => {
    expect(parseFile('vm-6.18/proc/1812/stat', { pageSize: 65536, userHz: 1000 })).toMatchObject({ rssBytes: 930 * 65536, userSeconds: 0.001, systemSeconds: 0.002, majorFaults: 1, startSecondsSinceBoot: 181.186 });
  });
});

describe('parsePidStat on malformed input', () => {
  it.each([
    ['stat-truncated', '12 fields, at least 24 expected (truncated?)'],
    ['stat-unparsable', 'field 14 "0x1f" is not an integer'],
  ])('malformed/%s → EventProcessingFailed naming the file and line 1', (tree, why) => {
    const path = fixture(`malformed/${tree}/proc/4367/stat`);
    const e = caught(() => parsePidStat(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path, line: 1 } });
    expect((e as Error).message).toContain(`${path} line 1:`);
    expect((e as Error).message).toContain(why);
  });

  it.each([
    ['', 'no "(comm)"'],
    ['4367 my-proc S 1', 'no "(comm)"'],
    ['x1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0', 'PID "x1"'],
    ['1 (a) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0', 'field 3 (state)'],
    ['1 (a)S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0', 'expected'],
  ])('rejects %j', (text, why) => {
    const e = caught(() => parsePidStat(text, 'p'));
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line: 1 } });
    expect((e as Error).message).toContain(why);
  });
});
