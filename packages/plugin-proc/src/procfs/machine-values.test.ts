// No machine constant is assumed: USER_HZ and the page size come from the procfs root's
// auxiliary vector, the boot time from its stat; unknown ones are reported, not guessed.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConsoleLogger, DataUnavailable, validateConfig } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { checkSelection } from '../selection.js';
import { ProcProcfsSource } from './proc-procfs-source.js';
import { scanProcesses } from './scan-processes.js';

/** A copy of the vm-6.18 capture with `change` applied. */
function tree(change: (proc: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'bpfscope-proc-mv-'));
  cpSync(fixture('vm-6.18'), root, { recursive: true });
  change(join(root, 'proc'));
  return root;
}

describe('plugin-proc reads the machine constants it needs', () => {
  it('USER_HZ from the auxiliary vector: an AT_CLKTCK of 250 gives times in 250ths', () => {
    const root = tree((proc) => {
      // AT_PAGESZ 4096, AT_CLKTCK 250, AT_NULL
      const b = Buffer.alloc(48);
      b.writeBigUInt64LE(6n, 0); b.writeBigUInt64LE(4096n, 8);
      b.writeBigUInt64LE(17n, 16); b.writeBigUInt64LE(250n, 24);
      writeFileSync(join(proc, 'self/auxv'), b);
    });
    try {
      const at100 = scanProcesses(fixture('vm-6.18/proc'), { pids: [1812] }).processes[0]!;
      const at250 = scanProcesses(join(root, 'proc'), { pids: [1812] }).processes[0]!;
      expect(at250.startSecondsSinceBoot).toBeCloseTo((at100.startSecondsSinceBoot * 100) / 250, 6);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('without an auxiliary vector: DataUnavailable naming USER_HZ and why, not 100 assumed', () => {
    const root = tree((proc) => rmSync(join(proc, 'self'), { recursive: true }));
    try {
      const e = caught(() => scanProcesses(join(root, 'proc')));
      expect(e).toBeInstanceOf(DataUnavailable);
      expect((e as Error).message).toMatch(/is unavailable: the (page size|number of clock ticks per second) is unknown: .*self\/auxv cannot be read \(ENOENT\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('boot time unknown: countersSince is null and startTime unavailable, not 1970-01-01', async () => {
    const root = tree((proc) => writeFileSync(join(proc, 'stat'), 'cpu  1 2 3 4 5 6 7 0 0 0\n'));
    const source = new ProcProcfsSource(checkSelection({}));
    try {
      await source.init({ config: validateConfig({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') }), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
      const m = await source.read({ signal: new AbortController().signal });
      expect(m.countersSince).toBeNull();
      expect(m.unavailable.startTime).toMatch(/the boot time is unknown: .*stat has no btime line/);
      expect(m.processes.every((p) => p.startTime === null)).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
