import { describe, expect, it } from 'vitest';
import { Snapshot, type FamilyResult } from '@bpfscope/core';
import type { CpuMetrics, CpuTimeRecord } from '@bpfscope/plugin-cpu';
import type { ProcessRecord, ProcMetrics } from '@bpfscope/plugin-proc';
import { procPane, sortProcesses, type TopProcess } from './panes-proc.js';
import { TopReadings } from './top-reading.js';
import { topFrame } from './top-view.js';

// Fixed records: the layout and the order are what is tested, not a reading.
function record(pid: number, comm: string, cpuPercent: number | null, rssBytes: number, io: number | null): ProcessRecord {
  return {
    source: 'procfs', pid, ppid: 1, comm, state: 'S', uid: 0, euid: 0, nice: 0, priority: 20, threads: 1, category: 'user',
    startSecondsSinceBoot: 100 + pid, startTime: null, userSeconds: 1, systemSeconds: 1, runtimeSeconds: null, cpuPercent, rssBytes, vsizeBytes: rssBytes,
    minorFaults: 0, majorFaults: 0, voluntaryCtxtSwitches: null, nonvoluntaryCtxtSwitches: null,
    ioReadBytes: io, ioWriteBytes: io === null ? null : 0, io: null, cgroupPath: null, cgroupId: null, cgroups: null, container: null,
    mountNamespace: null, netNamespace: null, unavailable: {},
  };
}

const LIST: TopProcess[] = [
  { record: record(30, 'idle', 0, 1024, 0), ioPerSecond: 0, callsPerSecond: 5 },
  { record: record(10, 'hog', 90.5, 4096, 100), ioPerSecond: 2048, callsPerSecond: null },
  { record: record(20, 'big', 1.5, 1 << 30, null), ioPerSecond: null, callsPerSecond: 900 },
  { record: record(40, 'new', null, 2048, 0), ioPerSecond: null, callsPerSecond: 5 },
];

const pids = (by: Parameters<typeof sortProcesses>[1]): number[] => sortProcesses(LIST, by).map((p) => p.record.pid);

describe('procPane', () => {
  it("cuts a kernel thread's long /proc/<pid>/comm to 16 columns, marked; calls/s only with the syscall family", () => {
    const r = { source: 'procfs', fallback: null, data: { countersSince: null, intervalMs: null, total: 1, matched: 1, processes: [], vanished: 0, filledFromProcfs: 0, malformed: 0, unmeasured: 0, fieldSources: {}, unavailable: {} } } as FamilyResult<ProcMetrics>;
    const list = [{ record: record(7, 'kworker/u8:0-ext4-rsv-conversion', null, 0, null), ioPerSecond: null, callsPerSecond: null }];
    const pane = procPane(r, list, 'pid', true);
    expect([...pane.head, ...pane.rows]).toEqual([
      'pid*  uid  comm              S  cpu%  rss  io/s  calls/s  thr',
      '7     0    kworker/u8:0-ex~  S     -  0 B     -        -    1',
    ]);
    expect(procPane(r, list, 'pid', false).head).toEqual(['pid*  uid  comm              S  cpu%  rss  io/s  thr']);
  });
});

describe('sortProcesses', () => {
  it('largest first by each key, pid ascending; no value last; ties by pid', () => {
    expect(pids('cpu')).toEqual([10, 20, 30, 40]);
    expect(pids('mem')).toEqual([20, 10, 40, 30]);
    expect(pids('pid')).toEqual([10, 20, 30, 40]);
    expect(pids('io')).toEqual([10, 30, 20, 40]);
    expect(pids('syscalls')).toEqual([20, 30, 40, 10]);
  });
});

function cpuTime(busyPercent: number | null): CpuTimeRecord {
  return { user: 1, nice: 0, system: 1, idle: 8, iowait: 0, irq: 0, softirq: 0, steal: 0, busy: 2, busyPercent, contextSwitches: null };
}

function snapshot(at: number, busy: number | null, processes: ProcessRecord[]): Snapshot {
  const cpu: FamilyResult<CpuMetrics> = {
    source: 'procfs', fallback: null,
    data: {
      countersSince: '2026-01-01T00:00:00.000Z', intervalMs: busy === null ? null : 1000, total: cpuTime(busy), perCpu: [{ cpu: 0, ...cpuTime(busy) }, { cpu: 1, ...cpuTime(busy) }],
      unmeasuredCpus: [], runQueueLatency: null, runQueueLatencySince: null, loadAverage: null, pressure: null, fieldSources: {}, unavailable: { runQueueLatency: 'eBPF only' },
    },
  };
  const proc: FamilyResult<ProcMetrics> = {
    source: 'procfs', fallback: null,
    data: { countersSince: null, intervalMs: busy === null ? null : 1000, total: processes.length, matched: processes.length, processes, vanished: 0, filledFromProcfs: 0, malformed: 0, unmeasured: 0, fieldSources: {}, unavailable: {} },
  };
  return new Snapshot(at, new Map<string, FamilyResult>([['cpu', cpu as FamilyResult], ['proc', proc as FamilyResult]]), []);
}

describe('topFrame', () => {
  const readings = new TopReadings();
  const first = readings.update(snapshot(Date.UTC(2026, 0, 1), null, [record(1, 'init', null, 1024, 0), record(2, 'cat', null, 2048, 0)]));
  // One second later: cat read 3 MiB (io/s from the difference), init nothing.
  const second = readings.update(snapshot(Date.UTC(2026, 0, 1, 0, 0, 1), 50, [record(1, 'init', 0.5, 1024, 0), record(2, 'cat', 25, 2048, 3 << 20)]));

  it('the first reading: no rates yet, and the panes say so', () => {
    expect(topFrame(first, { sort: 'cpu', intervalMs: 1000, keys: false }, { columns: null, rows: null })).toEqual([
      'bpfscope top  2026-01-01T00:00:00.000Z  every 1000 ms  sort: cpu',
      '',
      '[cpu] procfs, busy% from the second reading',
      'cpu   busy%',
      'all       -  [                    ]',
      'cpu0      -  [                    ]',
      'cpu1      -  [                    ]',
      'run-queue latency unavailable: eBPF only',
      '',
      '[processes] procfs, 2 processes, sorted by cpu, rates from the second reading',
      'pid  uid  comm  S  cpu%*      rss  io/s  thr',
      '1    0    init  S      -  1.0 KiB     -    1',
      '2    0    cat   S      -  2.0 KiB     -    1',
    ]);
  });

  it('sorted by io (cat read 3 MiB in the second), cut to 44 columns and 14 rows, with the key help', () => {
    expect(topFrame(second, { sort: 'io', intervalMs: 1000, keys: true }, { columns: 44, rows: 14 })).toEqual([
      'bpfscope top  2026-01-01T00:00:01.000Z  eve~',
      'keys: q quit  c cpu  m mem  p pid  i io  s ~',
      '',
      '[cpu] procfs, busy% over 1000 ms',
      'cpu   busy%',
      'all    50.0  [##########          ]',
      'cpu0   50.0  [##########          ]',
      'cpu1   50.0  [##########          ]',
      'run-queue latency unavailable: eBPF only',
      '',
      '[processes] procfs, 2 processes, sorted by ~',
      'pid  uid  comm  S  cpu%      rss    io/s*  ~',
      '2    0    cat   S  25.0  2.0 KiB  3.0 MiB  ~',
      '1    0    init  S   0.5  1.0 KiB      0 B  ~',
    ]);
  });

  it('one row short: the last row shown gives way to the count of those left out', () => {
    const lines = topFrame(second, { sort: 'mem', intervalMs: 1000, keys: true }, { columns: 44, rows: 13 });
    expect(lines.slice(-3)).toEqual(['[processes] procfs, 2 processes, sorted by ~', 'pid  uid  comm  S  cpu%     rss*     io/s  ~', '  ... 2 more (a taller terminal shows them)']);
  });
});
