import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parsePidStatus } from './parse-pid-status.js';

const parseFile = (rel: string) => {
  const path = fixture(rel);
  return parsePidStatus(readFileSync(path, 'utf8'), path);
};
const root = { real: 0, effective: 0, saved: 0, filesystem: 0 };

describe('parsePidStatus on the vm-6.18 captures', () => {
  it('a user process', () => {
    expect(parseFile('vm-6.18/proc/4367/status')).toEqual({
      name: 'my (weird) proc', uid: root, gid: root, threads: 1,
      vmRssBytes: 1792 * 1024, vmSizeBytes: 2920 * 1024, vmHwmBytes: 1792 * 1024,
      voluntaryCtxtSwitches: 1, nonvoluntaryCtxtSwitches: 0,
    });
  });

  it('PID 1 with 13 threads', () => {
    expect(parseFile('vm-6.18/proc/1/status')).toMatchObject({ name: 'process_api', threads: 13, vmRssBytes: 11676 * 1024, vmSizeBytes: 41656 * 1024, vmHwmBytes: 17608 * 1024, voluntaryCtxtSwitches: 345, nonvoluntaryCtxtSwitches: 43 });
  });

  it('a kernel thread has no Vm* lines: sizes are null', () => {
    expect(parseFile('vm-6.18/proc/2/status')).toEqual({
      name: 'kthreadd', uid: root, gid: root, threads: 1, vmRssBytes: null, vmSizeBytes: null, vmHwmBytes: null, voluntaryCtxtSwitches: 68, nonvoluntaryCtxtSwitches: 0,
    });
  });

  it('distinct real/effective/saved/fs IDs keep their columns', () => {
    const s = parsePidStatus('Name:\tsu\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\nThreads:\t1\n', 'p');
    expect(s.uid).toEqual({ real: 1000, effective: 0, saved: 0, filesystem: 0 });
    expect(s.voluntaryCtxtSwitches).toBeNull();
  });
});

describe('parsePidStatus on malformed input', () => {
  it('malformed/status-no-uid → EventProcessingFailed: no Uid line, one past the last line', () => {
    const path = fixture('malformed/status-no-uid/proc/4367/status');
    const e = caught(() => parsePidStatus(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ details: { path, line: 59 } });
    expect((e as Error).message).toBe(`${path} line 59: no Uid: line (truncated file?)`);
  });

  it.each([
    ['Name:\tx\nno colon here\n', 2, 'not a "Key: value" line'],
    ['Name:\tx\nUid:\t0\t0\t0\n', 2, 'is not four integers'],
    ['Name:\tx\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nThreads:\tmany\n', 4, 'Threads "many"'],
    ['Name:\tx\nVmRSS:\t12 MB\n', 2, 'is not "<n> kB"'],
  ])('rejects %j at line %i', (text, line, why) => {
    const e = caught(() => parsePidStatus(text, 'p'));
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line } });
    expect((e as Error).message).toContain(why);
  });
});
