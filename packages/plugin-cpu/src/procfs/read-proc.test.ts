import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProcfsReader, DataUnavailable, EventProcessingFailed, type ProcfsReader } from '@bpfscope/core';
import { readLoadavg as readLoadavgAt, readPressure as readPressureAt, readProcFile as readProcFileAt, readProcStat as readProcStatAt } from './read-proc.js';

const root = (tree: string): string => fileURLToPath(new URL(`../../test/fixtures/${tree}/proc`, import.meta.url));
// The readers take the engine's procfs reader; these read through one over a root.
const at = (r: string): ProcfsReader => createProcfsReader(r, '/nonexistent-bpfscope-sys');
const readProcStat = async (r: string, hz?: number) => readProcStatAt(at(r), hz);
const readLoadavg = async (r: string) => readLoadavgAt(at(r));
const readPressure = async (r: string) => readPressureAt(at(r));
const readProcFile = async (r: string, rel: string) => readProcFileAt(at(r), rel);
const rejection = async (p: Promise<unknown>): Promise<unknown> => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);

describe('read-proc on good trees', () => {
  it('readProcStat parses the tree stat file', async () => {
    const s = await readProcStat(root('old-kernel-8col'), 100);
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

describe('readProcStat takes USER_HZ from the root, not 100', () => {
  const copy = (auxv: Buffer | null): string => {
    const r = mkdtempSync(join(tmpdir(), 'bpfscope-cpu-hz-'));
    cpSync(root('vm-6.18-2cpu'), r, { recursive: true });
    rmSync(join(r, 'self'), { recursive: true });
    if (auxv !== null) {
      mkdirSync(join(r, 'self'));
      writeFileSync(join(r, 'self/auxv'), auxv);
    }
    return r;
  };

  it('AT_CLKTCK 250 in the auxiliary vector: times in 250ths', async () => {
    const at100 = await readProcStat(root('vm-6.18-2cpu'));
    const b = Buffer.alloc(32); // AT_CLKTCK 250, AT_NULL
    b.writeBigUInt64LE(17n, 0);
    b.writeBigUInt64LE(250n, 8);
    const r = copy(b);
    try {
      expect((await readProcStat(r)).total.user).toBeCloseTo((at100.total.user * 100) / 250, 6);
    } finally {
      rmSync(r, { recursive: true, force: true });
    }
  });

  it('no auxiliary vector: DataUnavailable saying why USER_HZ is unknown', async () => {
    const r = copy(null);
    try {
      const e = await rejection(readProcStat(r));
      expect(e).toBeInstanceOf(DataUnavailable);
      expect((e as Error).message).toMatch(/stat in seconds is unavailable: the number of clock ticks per second is unknown: .*self\/auxv cannot be read \(ENOENT\)/);
    } finally {
      rmSync(r, { recursive: true, force: true });
    }
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
