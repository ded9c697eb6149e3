import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataUnavailable } from '../errors/taxonomy.js';
import { machineConstants, requireMachineValue } from './machine-constants.js';

function getconf(name: string): number {
  return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
}

function fakeProc(auxv: Buffer | null, stat: string | null): string {
  const root = mkdtempSync(join(tmpdir(), 'bpfscope-mc-'));
  mkdirSync(join(root, 'self'));
  if (auxv) writeFileSync(join(root, 'self/auxv'), auxv);
  if (stat !== null) writeFileSync(join(root, 'stat'), stat);
  return root;
}

function auxv(pairs: [number, number][]): Buffer {
  const b = Buffer.alloc((pairs.length + 1) * 16);
  pairs.forEach(([t, v], i) => { b.writeBigUInt64LE(BigInt(t), i * 16); b.writeBigUInt64LE(BigInt(v), i * 16 + 8); });
  return b;
}

describe('machineConstants', () => {
  it('equals what getconf and /proc/stat say on this machine', () => {
    const c = machineConstants('/proc');
    expect(c.pageSize).toEqual({ value: getconf('PAGESIZE'), reason: null });
    expect(c.clockTicks).toEqual({ value: getconf('CLK_TCK'), reason: null });
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    expect(c.bootTimeMs).toEqual({ value: btime * 1000, reason: null });
  });

  it('reads the values of the auxiliary vector it is given, not constants', () => {
    const root = fakeProc(auxv([[33, 1], [6, 16384], [17, 250]]), 'cpu 1 2 3\nbtime 1700000000\n');
    const c = machineConstants(root);
    expect(c.pageSize.value).toBe(16384);
    expect(c.clockTicks.value).toBe(250);
    expect(c.bootTimeMs.value).toBe(1_700_000_000_000);
  });

  it('says why each value is unknown', () => {
    const missing = machineConstants(fakeProc(null, null));
    expect(missing.pageSize.value).toBeNull();
    expect(missing.pageSize.reason).toMatch(/page size is unknown: .*auxv cannot be read \(ENOENT\)/);
    expect(missing.bootTimeMs.reason).toMatch(/boot time is unknown: .*stat cannot be read/);

    const truncated = machineConstants(fakeProc(auxv([[6, 4096]]).subarray(0, 20), 'cpu 1\n'));
    expect(truncated.pageSize.reason).toMatch(/20 bytes, not a whole number/);
    expect(truncated.bootTimeMs.reason).toMatch(/no btime line/);

    const noClk = machineConstants(fakeProc(auxv([[6, 4096]]), 'btime 5\n'));
    expect(noClk.pageSize.value).toBe(4096);
    expect(noClk.clockTicks).toEqual({ value: null, reason: 'the number of clock ticks per second is unknown: the auxiliary vector has no AT_CLKTCK entry' });
  });
});

describe('requireMachineValue', () => {
  it('gives a measured value back', () => {
    expect(requireMachineValue({ value: 4096, reason: null }, 'x')).toBe(4096);
  });

  it('throws DataUnavailable naming what needed the value and why it is unknown', () => {
    const root = fakeProc(null, 'btime 1700000000\n');
    const e = caughtError(() => requireMachineValue(machineConstants(root).clockTicks, 'CPU times in seconds'));
    expect(e).toBeInstanceOf(DataUnavailable);
    expect(e).toMatchObject({ code: 'DATA_UNAVAILABLE' });
    expect((e as Error).message).toMatch(/^CPU times in seconds is unavailable: the number of clock ticks per second is unknown: .*self\/auxv cannot be read \(ENOENT\)/);
  });
});

function caughtError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}
