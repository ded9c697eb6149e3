import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseProcStat } from './parse-stat.js';

const parse = (tree: string) => {
  const path = fixture(`${tree}/proc/stat`);
  return parseProcStat(readFileSync(path, 'utf8'), path, 100); // USER_HZ of every fixture's machine (README)
};

describe('parseProcStat on good fixtures', () => {
  it('vm-6.18-2cpu: seconds = jiffies / 100, all 10 columns', () => {
    const s = parse('vm-6.18-2cpu');
    expect(s.total).toEqual({ user: 28.63, nice: 0, system: 13.71, idle: 466.83, iowait: 2.49, irq: 0, softirq: 0.32, steal: 0.08, guest: 0, guestNice: 0 });
    expect(s.perCpu).toEqual([
      { cpu: 0, user: 10.83, nice: 0, system: 5.26, idle: 239.89, iowait: 0.05, irq: 0, softirq: 0.08, steal: 0.02, guest: 0, guestNice: 0 },
      { cpu: 1, user: 17.8, nice: 0, system: 8.44, idle: 226.93, iowait: 2.43, irq: 0, softirq: 0.23, steal: 0.05, guest: 0, guestNice: 0 },
    ]);
    expect([s.contextSwitches, s.bootTime, s.processes, s.procsRunning, s.procsBlocked]).toEqual([391338, 1795453397, 3607, 1, 0]);
  });

  it('kernel-docs-example: 4 CPUs, counters beyond 2^32, intr line skipped', () => {
    const s = parse('kernel-docs-example');
    expect(s.total).toEqual({ user: 2379028.5, nice: 3688267.09, system: 1063753.98, idle: 18735175.4, iowait: 11355.48, irq: 0, softirq: 145079.35, steal: 0, guest: 0, guestNice: 0 });
    expect(s.perCpu.map((c) => c.cpu)).toEqual([0, 1, 2, 3]);
    expect(s.perCpu[0]).toEqual({ cpu: 0, user: 600452.49, nice: 918917.69, system: 263315.39, idle: 4684114.16, iowait: 4957.18, irq: 0, softirq: 57396.4, steal: 0, guest: 0, guestNice: 0 });
    expect(s.perCpu[3]).toEqual({ cpu: 3, user: 586220.65, nice: 921902.67, system: 265295.24, idle: 4684366.8, iowait: 1558.79, irq: 0, softirq: 21144.78, steal: 0, guest: 0, guestNice: 0 });
    expect([s.contextSwitches, s.bootTime, s.processes, s.procsRunning, s.procsBlocked]).toEqual([22848221062, 1605316999, 746787147, 2, 0]);
  });

  it('vm-6.18-2cpu-loaded: real capture under 3 busy loops, counters grew', () => {
    const s = parse('vm-6.18-2cpu-loaded');
    expect(s.total).toEqual({ user: 109.08, nice: 0, system: 22.92, idle: 1142.27, iowait: 3.59, irq: 0, softirq: 0.5, steal: 0.12, guest: 0, guestNice: 0 });
    expect(s.perCpu).toEqual([
      { cpu: 0, user: 46.23, nice: 0, system: 8.94, idle: 583.7, iowait: 0.11, irq: 0, softirq: 0.13, steal: 0.06, guest: 0, guestNice: 0 },
      { cpu: 1, user: 62.84, nice: 0, system: 13.98, idle: 558.57, iowait: 3.47, irq: 0, softirq: 0.36, steal: 0.06, guest: 0, guestNice: 0 },
    ]);
    expect([s.contextSwitches, s.bootTime, s.processes, s.procsRunning, s.procsBlocked]).toEqual([545512, 1795453397, 7890, 4, 0]);
  });

  it('old-kernel-8col: guest columns null, offline cpu1 gap kept', () => {
    const s = parse('old-kernel-8col');
    expect(s.total).toEqual({ user: 2379028.5, nice: 3688267.09, system: 1063753.98, idle: 18735175.4, iowait: 11355.48, irq: 0, softirq: 145079.35, steal: 0, guest: null, guestNice: null });
    expect(s.perCpu.map((c) => c.cpu)).toEqual([0, 2, 3]);
    expect(s.perCpu[1]).toEqual({ cpu: 2, user: 594892.47, nice: 929854.23, system: 269044.46, idle: 4678088.13, iowait: 1716.68, irq: 0, softirq: 22689.98, steal: 0, guest: null, guestNice: null });
    expect([s.contextSwitches, s.bootTime, s.processes, s.procsRunning, s.procsBlocked]).toEqual([22848221062, 1605316999, 746787147, 2, 0]);
  });
});

describe('parseProcStat edge cases', () => {
  const tail = 'ctxt 5\nbtime 6\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n';

  it('a 7-column (2.6.0-era) line has steal, guest and guestNice null', () => {
    const s = parseProcStat(`cpu  100 200 300 400 500 600 700\n${tail}`, 'p', 100);
    expect(s.total).toEqual({ user: 1, nice: 2, system: 3, idle: 4, iowait: 5, irq: 6, softirq: 7, steal: null, guest: null, guestNice: null });
    expect(s.perCpu).toEqual([]);
  });

  it('divides by the given userHz', () => {
    expect(parseProcStat(`cpu  250 0 0 0 0 0 0 0 0 0\n${tail}`, 'p', 250).total.user).toBe(1);
  });

  it('a missing btime line fails at the last line', () => {
    const e = caught(() => parseProcStat('cpu  1 2 3 4 5 6 7\nctxt 5\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n', 'p', 100));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line: 5, content: 'procs_blocked 0' } });
    expect((e as Error).message).toContain('btime');
  });

  it('a cpu name with a non-digit index fails', () => {
    expect(caught(() => parseProcStat(`cpu  1 2 3 4 5 6 7\ncpuX 1 2 3 4 5 6 7\n${tail}`, 'p', 100))).toMatchObject({ details: { line: 2 } });
  });
});

describe('parseProcStat on malformed fixtures', () => {
  it.each([
    ['stat-truncated', 3, 'cpu1 1780 0 84'],
    ['stat-non-numeric', 2, 'cpu0 1083 0 5z6 23989 5 0 8 2 0 0'],
    ['stat-empty', 1, ''],
    ['stat-no-cpu-line', 1, 'cpu0 1083 0 526 23989 5 0 8 2 0 0'],
  ])('%s → EventProcessingFailed at line %i', (tree, line, content) => {
    const path = fixture(`malformed/${tree}/proc/stat`);
    const e = caught(() => parseProcStat(readFileSync(path, 'utf8'), path, 100));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path, line, content } });
  });
});
