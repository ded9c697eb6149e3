import { describe, expect, it } from 'vitest';
import { createConsoleLogger, log2HistogramFromSlots, Snapshot, toMetricPoints, validateConfig, type FamilyResult, type MetricPointOptions, type MetricPoints, type MetricSeries } from '@bpfscope/core';
import { fixture } from '../test/fixture-helpers.js';
import { buildMetrics, type Reading } from './ebpf/build-metrics.js';
import { SC_MAX_SYSCALLS } from './ebpf/syscall-maps.js';
import type { ProcessTable, SyscallCounts } from './ebpf/syscall-read.js';
import { U64Sums } from './ebpf/u64-sums.js';
import { syscallMetricMapper } from './metrics.js';
import { syscall } from './plugin.js';
import { SyscallProcfsSource } from './procfs/syscall-procfs-source.js';
import type { SyscallMetrics, SyscallMode } from './records.js';

const SINCE = '2026-12-07T03:00:00.000Z';
const START = Date.parse(SINCE);
const UNLISTED = 499; // past the x86_64 table's last number

/** Per-syscall counters: id → [count, errors, totalNs]. */
function counts(byId: Record<number, [number, number, number]>): SyscallCounts {
  const c = { count: new Float64Array(SC_MAX_SYSCALLS), errors: new Float64Array(SC_MAX_SYSCALLS), totalNs: new Float64Array(SC_MAX_SYSCALLS), total: 0, exact: new U64Sums(3) };
  for (const [id, [n, e, ns]] of Object.entries(byId)) {
    c.count[Number(id)] = n;
    c.errors[Number(id)] = e;
    c.totalNs[Number(id)] = ns;
    c.total += n;
  }
  return c;
}

/** Rows [tgid, id, count, errors, totalNs]. */
function table(rows: Array<[number, number, number, number, number]>): ProcessTable {
  const col = (j: number): number[] => rows.map((r) => r[j]!);
  return { rows: rows.length, tgid: Uint32Array.from(col(0)), id: Uint32Array.from(col(1)), count: Float64Array.from(col(2)), errors: Float64Array.from(col(3)), totalNs: Float64Array.from(col(4)), exact: new U64Sums(3), pending: new Set() };
}

// getppid (110): 7 calls, 6 returned (log2 slots 3: 2, 5: 4), 0 errors, 300 ns in all;
// close (3): 4 calls, 4 errors; 499: 1 call, no name in the table.
const HIST_110 = log2HistogramFromSlots([0, 0, 0, 2, 0, 4], 'ns');
const HIST_3 = log2HistogramFromSlots([0, 0, 4], 'ns');
const reading = (processes: boolean): Reading => ({
  at: 10,
  counts: counts({ 110: [7, 0, 300], 3: [4, 4, 12], [UNLISTED]: [1, 0, 9] }),
  hist: new Map([[110, HIST_110], [3, HIST_3]]),
  table: processes ? table([[500, 110, 5, 0, 200], [500, 3, 4, 4, 12], [600, 110, 2, 0, 100], [600, UNLISTED, 1, 0, 9]]) : null,
  kernel: { invocations: 1234, drops: 2, filterHits: 0, filterMisses: 0 },
});
const names = new Map([[500, 'worker']]);
const ebpfData = (mode: SyscallMode, processes: boolean): SyscallMetrics =>
  buildMetrics(reading(processes), null, { mode, since: SINCE, filter: { pids: null, syscalls: null }, topProcesses: 10, records: { kept: new Map(), generation: 0, comm: (pid) => names.get(pid) ?? null } });

function view(data: SyscallMetrics, source: 'ebpf' | 'procfs', options?: MetricPointOptions): MetricPoints {
  const result: FamilyResult = { family: 'syscall', source, sourceName: `syscall-${source}`, fallback: null, data, timestamp: 20, durationMs: 1 };
  const v = toMetricPoints(new Snapshot(20, new Map([['syscall', result]]), []), [syscallMetricMapper], options);
  expect(v.mapErrors).toEqual([]);
  return v;
}

const series = (v: MetricPoints, name: string): MetricSeries | undefined => v.series.find((s) => s.descriptor.name === name);
const values = (v: MetricPoints, name: string) => (series(v, name)?.points ?? []).map((p) => ('value' in p ? [p.attributes, p.value] : [p.attributes, p.histogram, p.sum]));
const src = { 'bpfscope.source': 'ebpf' };

describe('syscallMetricMapper, eBPF source', () => {
  it('latency mode: calls, errors and the kernel\'s ns histogram with its sum, per call, counting from countersSince', () => {
    const v = view(ebpfData('latency', false), 'ebpf');
    const getppid = { ...src, 'syscall.id': 110, 'syscall.name': 'getppid', 'syscall.category': 'process' };
    const close = { ...src, 'syscall.id': 3, 'syscall.name': 'close', 'syscall.category': 'file_io' };
    const unlisted = { ...src, 'syscall.id': UNLISTED, 'syscall.category': 'unknown' };
    expect(values(v, 'bpfscope.syscall.count')).toEqual([[getppid, 7], [close, 4], [unlisted, 1]]);
    expect(values(v, 'bpfscope.syscall.errors')).toEqual([[getppid, 0], [close, 4], [unlisted, 0]]);
    // 499 has no histogram in the reading: no point rather than an empty one.
    expect(values(v, 'bpfscope.syscall.duration')).toEqual([[getppid, HIST_110, 300], [close, HIST_3, 12]]);
    expect(values(v, 'bpfscope.syscall.kernel.invocations')).toEqual([[src, 1234]]);
    expect(values(v, 'bpfscope.syscall.kernel.drops')).toEqual([[src, 2]]);
    const count = series(v, 'bpfscope.syscall.count')!;
    expect([count.descriptor.kind, count.descriptor.unit, count.startTimeMs]).toEqual(['counter', '{syscall}', START]);
    const duration = series(v, 'bpfscope.syscall.duration')!;
    expect([duration.descriptor.kind, duration.descriptor.unit, duration.startTimeMs]).toEqual(['histogram', 'ns', START]);
    // Object-wide counters from the object's load, a time the data does not carry.
    expect(series(v, 'bpfscope.syscall.kernel.drops')!.startTimeMs).toBeNull();
    expect(v.series.some((s) => s.descriptor.detail !== undefined)).toBe(false);
  });

  it('counts mode: no error or latency point (unavailable there), counts as read', () => {
    const data = ebpfData('counts', false);
    expect(data.unavailable.latency).toBeDefined();
    const v = view(data, 'ebpf');
    expect(values(v, 'bpfscope.syscall.count').map(([, n]) => n)).toEqual([7, 4, 1]);
    expect(series(v, 'bpfscope.syscall.errors')).toBeUndefined();
    expect(series(v, 'bpfscope.syscall.duration')).toBeUndefined();
  });

  it('process detail only when asked: calls, errors and time per process and call, most calls first, capped with the rest counted', () => {
    const data = ebpfData('latency', true);
    expect(series(view(data, 'ebpf'), 'bpfscope.syscall.process.count')).toBeUndefined();
    const v = view(data, 'ebpf', { detail: ['process'] });
    const w = { ...src, 'process.pid': 500, 'process.executable.name': 'worker' };
    const p6 = { ...src, 'process.pid': 600 }; // no name: the process is not in /proc
    expect(values(v, 'bpfscope.syscall.process.count')).toEqual([
      [{ ...w, 'syscall.id': 110, 'syscall.name': 'getppid' }, 5],
      [{ ...w, 'syscall.id': 3, 'syscall.name': 'close' }, 4],
      [{ ...p6, 'syscall.id': 110, 'syscall.name': 'getppid' }, 2],
      [{ ...p6, 'syscall.id': UNLISTED }, 1],
    ]);
    expect(values(v, 'bpfscope.syscall.process.errors').map(([, n]) => n)).toEqual([0, 4, 0, 0]);
    expect(values(v, 'bpfscope.syscall.process.time').map(([, n]) => n)).toEqual([200, 12, 100, 9]);
    expect(series(v, 'bpfscope.syscall.process.time')!.descriptor.unit).toBe('ns');
    expect(series(v, 'bpfscope.syscall.process.io_calls')).toBeUndefined();
    // The cap counts processes: with one, all of the worker's calls stay and pid 600's two points go.
    const capped = view(data, 'ebpf', { detail: ['process'], maxDetailEntities: 1 });
    expect(values(capped, 'bpfscope.syscall.process.count').map(([, n]) => n)).toEqual([5, 4]);
    expect(capped.capped['bpfscope.syscall.process.count']).toBe(2);
  });

  it('counts mode with process detail: counts only', () => {
    const v = view(ebpfData('counts', true), 'ebpf', { detail: ['process'] });
    expect(values(v, 'bpfscope.syscall.process.count').map(([, n]) => n)).toEqual([5, 4, 2, 1]);
    expect(series(v, 'bpfscope.syscall.process.errors')).toBeUndefined();
    expect(series(v, 'bpfscope.syscall.process.time')).toBeUndefined();
  });
});

describe('syscallMetricMapper, procfs source (vm-6.18 fixture tree)', () => {
  async function procfsData(): Promise<SyscallMetrics> {
    const s = new SyscallProcfsSource({ pids: null, syscalls: null }, 10);
    await s.init({ config: validateConfig({ procRoot: fixture('vm-6.18/proc') }), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
    return s.read({ signal: new AbortController().signal });
  }

  it('no per-call point (procfs does not count calls by number); read and write calls per process as detail, without a start time', async () => {
    const data = await procfsData();
    const plain = view(data, 'procfs');
    expect(plain.series.map((s) => s.descriptor.name)).toEqual(['bpfscope.family.up']);
    const v = view(data, 'procfs', { detail: ['process'] });
    const io = series(v, 'bpfscope.syscall.process.io_calls')!;
    expect(io.startTimeMs).toBeNull();
    const p = (pid: number, cls: string) => ({ 'bpfscope.source': 'procfs', 'process.pid': pid, 'bpfscope.syscall.class': cls });
    // From the captured /proc/<pid>/io files (syscr, syscw), most calls first; the tree has no comm files.
    expect(values(v, 'bpfscope.syscall.process.io_calls')).toEqual([
      [p(1812, 'read'), 36054], [p(1812, 'write'), 26230],
      [p(4367, 'read'), 10], [p(4367, 'write'), 0],
      [p(4368, 'read'), 10], [p(4368, 'write'), 0],
      [p(4369, 'read'), 8], [p(4369, 'write'), 0],
      [p(4370, 'read'), 8], [p(4370, 'write'), 0],
      [p(2, 'read'), 0], [p(2, 'write'), 0],
    ]);
    expect(series(v, 'bpfscope.syscall.process.count')).toBeUndefined();
  });
});

describe('the syscall plugin', () => {
  it('declares the mapper, whose descriptors are unique and of its family', () => {
    expect(syscall().metricMappers).toEqual([syscallMetricMapper]);
    const names = syscallMetricMapper.descriptors.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(syscallMetricMapper.descriptors.every((d) => d.family === 'syscall')).toBe(true);
  });
});
