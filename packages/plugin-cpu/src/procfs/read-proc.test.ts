import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataUnavailable, EventProcessingFailed } from '@bpfscope/core';
import { readLoadavg, readPressure, readProcFile, readProcStat } from './read-proc.js';

const root = (tree: string): string => fileURLToPath(new URL(`../../test/fixtures/${tree}/proc`, import.meta.url));
const rejection = async (p: Promise<unknown>): Promise<unknown> => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);

describe('read-proc on good trees', () => {
  it('readProcStat parses the tree stat file', async () => {
    const s = await readProcStat(root('old-kernel-8col'));
    expect(s.perCpu.map((c) => c.cpu)).toEqual([0, 2, 3]);
    expect(s.total.steal).toBe(0);
    expect(s.total.guest).toBeNull();
  });

  it('readLoadavg and readPressure', async () => {
    const r = root('vm-6.18-2cpu');
    expect(await readLoadavg(r)).toEqual({ load1: 0.1, load5: 0.2, load15: 0.09, runnable: 1, total: 84, lastPid: 3607 });
    expect((await readPressure(r)).some).toEqual({ avg10: 0.69, avg60: 0.57, avg300: 0.78, totalUs: 4887053 });
  });

  it('readProcFile returns the text', async () => {
    expect(await readProcFile(root('vm-6.18-2cpu-loaded'), 'loadavg')).toBe('1.13 0.39 0.18 4/89 7888\n');
  });
});

describe('read-proc errors', () => {
  it('missing pressure/cpu (old kernel, no PSI) → DataUnavailable with ENOENT', async () => {
    const path = join(root('old-kernel-8col'), 'pressure/cpu');
    const e = await rejection(readPressure(root('old-kernel-8col')));
    expect(e).toBeInstanceOf(DataUnavailable);
    expect(e).toMatchObject({ code: 'DATA_UNAVAILABLE', what: path, errno: 2, details: { path, code: 'ENOENT' } });
    expect((e as Error).cause).toMatchObject({ code: 'ENOENT' });
  });

  it('a root that does not exist → DataUnavailable for stat', async () => {
    const e = await rejection(readProcStat('/nonexistent-bpfscope-root'));
    expect(e).toMatchObject({ code: 'DATA_UNAVAILABLE', details: { path: '/nonexistent-bpfscope-root/stat' } });
  });

  it.each([
    ['stat-truncated', readProcStat, 'stat'],
    ['stat-non-numeric', readProcStat, 'stat'],
    ['stat-empty', readProcStat, 'stat'],
    ['stat-no-cpu-line', readProcStat, 'stat'],
    ['loadavg-3-fields', readLoadavg, 'loadavg'],
    ['pressure-garbage-line', readPressure, 'pressure/cpu'],
  ] as const)('malformed/%s → EventProcessingFailed naming the file', async (tree, read, rel) => {
    const r = root(`malformed/${tree}`);
    const e = await rejection(read(r));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: join(r, rel) } });
  });
});
