import { describe, expect, it } from 'vitest';
import { cputimeAdjust, CpuPercentTracker } from './cpu-time.js';
import type { ProcessRecord } from './records.js';

describe('cputimeAdjust (the kernel cputime_adjust)', () => {
  it('scales the sampled split to the exact runtime', () => {
    // 3 ticks user, 1 tick system, 10 ms of exact runtime: 7.5 ms user, 2.5 ms system.
    expect(cputimeAdjust(3e6, 1e6, 10e6, { utime: 0, stime: 0 })).toEqual({ utime: 7.5e6, stime: 2.5e6 });
  });

  it('gives all the runtime to user (or system) when the other was never sampled', () => {
    expect(cputimeAdjust(4e6, 0, 1e6, { utime: 0, stime: 0 })).toEqual({ utime: 1e6, stime: 0 });
    expect(cputimeAdjust(0, 4e6, 1e6, { utime: 0, stime: 0 })).toEqual({ utime: 0, stime: 1e6 });
    expect(cputimeAdjust(0, 0, 1e6, { utime: 0, stime: 0 })).toEqual({ utime: 1e6, stime: 0 });
  });

  it('never goes below the previous result, and keeps it while the runtime has not grown past it', () => {
    const prev = { utime: 0, stime: 0 };
    cputimeAdjust(1e6, 1e6, 10e6, prev);
    expect(prev).toEqual({ utime: 5e6, stime: 5e6 });
    // The sampled ratio now says less system time than already reported: system stays.
    cputimeAdjust(9e6, 1e6, 12e6, prev);
    expect(prev).toEqual({ utime: 7e6, stime: 5e6 });
    expect(prev.utime + prev.stime).toBe(12e6);
    // Runtime not above the last sum: unchanged.
    expect(cputimeAdjust(1e6, 9e6, 11e6, prev)).toEqual({ utime: 7e6, stime: 5e6 });
  });
});

describe('CpuPercentTracker', () => {
  const rec = (pid: number, start: number, user: number, system: number): ProcessRecord => ({ pid, startSecondsSinceBoot: start, userSeconds: user, systemSeconds: system, cpuPercent: null }) as ProcessRecord;

  it('is null on the first reading, then the CPU-time delta over the interval; a reused PID starts over', () => {
    const t = new CpuPercentTracker();
    const a = [rec(10, 5, 1, 1), rec(11, 6, 0, 0)];
    expect(t.update(a, 1000)).toBeNull();
    expect(a.map((r) => r.cpuPercent)).toEqual([null, null]);
    // 2 s later: pid 10 used 1.5 s more (75%); pid 11 is another process now (new start time); pid 12 is new.
    const b = [rec(10, 5, 2, 1.5), rec(11, 7, 0.5, 0), rec(12, 8, 0, 0)];
    expect(t.update(b, 3000)).toBe(2000);
    expect(b.map((r) => r.cpuPercent)).toEqual([75, null, null]);
  });
});
