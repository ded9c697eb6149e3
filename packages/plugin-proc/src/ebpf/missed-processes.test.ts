import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixture-helpers.js';
import { readContext } from '../procfs/read-process.js';
import { scanProcesses } from '../procfs/scan-processes.js';
import { MissedProcesses } from './missed-processes.js';

// A copy of the vm-6.18 capture with a loadavg whose thread total the tests set.
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-missed-'));
const root = join(dir, 'proc');
cpSync(fixture('vm-6.18/proc'), root, { recursive: true });
const threadsTotal = (n: number): void => writeFileSync(join(root, 'loadavg'), `0.00 0.00 0.00 1/${n} 4400\n`);
const all = scanProcesses(root).processes;
const ctx = readContext(root, { bootTime: null });
const threads = (pids: number[]): number => all.filter((p) => pids.includes(p.pid)).reduce((s, p) => s + p.threads, 0);
const seenWithout = (...pids: number[]) => all.filter((p) => !pids.includes(p.pid));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MissedProcesses: processes /proc lists that the task iterator did not reach', () => {
  it('the first reading lists /proc and reads exactly the PIDs the table lacks, marked procfs', () => {
    const m = new MissedProcesses(root, ctx, null);
    const seen = seenWithout(1, 4369);
    threadsTotal(threads(all.map((p) => p.pid)));
    const r = m.fill(seen, threads(seen.map((p) => p.pid)), null);
    expect(r.listed).toBe(true);
    expect(r.records.map((p) => [p.pid, p.source, p.comm])).toEqual([
      [1, 'procfs', all.find((p) => p.pid === 1)!.comm],
      [4369, 'procfs', all.find((p) => p.pid === 4369)!.comm],
    ]);
    expect(r.vanished).toBe(0);
  });

  it('later readings: the thread count matches the known misses → only those are read again; a new miss → /proc is listed', () => {
    const m = new MissedProcesses(root, ctx, null);
    const everyone = threads(all.map((p) => p.pid));
    threadsTotal(everyone);
    const seen = seenWithout(1);
    const tasks = threads(seen.map((p) => p.pid));
    m.fill(seen, tasks, null);
    const again = m.fill(seen, tasks, null);
    expect([again.listed, again.records.map((p) => p.pid)]).toEqual([false, [1]]);
    // 4369 is missed too now: the count no longer adds up, so /proc is listed and it is found.
    const fewer = seenWithout(1, 4369);
    const r = m.fill(fewer, threads(fewer.map((p) => p.pid)), null);
    expect([r.listed, r.records.map((p) => p.pid)]).toEqual([true, [1, 4369]]);
  });

  it('nothing missed: nothing read', () => {
    threadsTotal(threads(all.map((p) => p.pid)));
    const r = new MissedProcesses(root, ctx, null).fill(all, threads(all.map((p) => p.pid)), null);
    expect([r.records, r.vanished]).toEqual([[], 0]);
  });

  it('with a pid filter, only the missed PIDs it names; a named PID that does not exist is not "vanished"', () => {
    const seen = seenWithout(1, 4369).filter((p) => p.pid === 4367);
    const r = new MissedProcesses(root, ctx, null).fill(seen, 0, new Set([4367, 4369, 99999]));
    expect([r.listed, r.records.map((p) => p.pid), r.vanished]).toEqual([false, [4369], 0]);
  });
});
