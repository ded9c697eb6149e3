import { describe, expect, it } from 'vitest';
import { log2HistogramFromSlots } from '../aggregate/log2-histogram.js';
import { Snapshot } from '../engine/snapshot.js';
import { DataUnavailable } from '../errors/taxonomy.js';
import type { FamilyResult } from '../types.js';
import { log2ToExponential } from './exponential.js';
import { toMetricPoints } from './metric-points.js';
import type { FamilyMetricMapper, MetricDescriptor } from './metric-types.js';

const TOTAL: MetricDescriptor = { name: 'bpfscope.test.total', kind: 'counter', unit: '{event}', description: 'events', family: 'test' };
const PER_PROC: MetricDescriptor = { name: 'bpfscope.test.process', kind: 'counter', unit: '{event}', description: 'events per process', family: 'test', detail: 'process' };
const LAT: MetricDescriptor = { name: 'bpfscope.test.latency', kind: 'histogram', unit: 'ns', description: 'latency', family: 'test' };

interface TestData { total: number; perPid: number[]; slots: number[] }

const mapper: FamilyMetricMapper = {
  family: 'test',
  descriptors: [TOTAL, PER_PROC, LAT],
  map(result, sink) {
    const data = result.data as TestData;
    const source = { 'bpfscope.source': result.source };
    sink.number(TOTAL, 1000, source, data.total);
    if (sink.wants('process')) data.perPid.forEach((v, pid) => sink.number(PER_PROC, 1000, { ...source, 'process.pid': pid }, v));
    sink.histogram(LAT, 1000, source, log2HistogramFromSlots(data.slots, 'ns'), null);
  },
};

function result(family: string, data: unknown): FamilyResult {
  return { family, source: 'ebpf', sourceName: `${family}-ebpf`, fallback: null, data, timestamp: 5, durationMs: 1 };
}

function snapshot(data: TestData): Snapshot {
  const families = new Map([['test', result('test', data)], ['other', result('other', {})]]);
  return new Snapshot(5, families, [{ family: 'broken', error: new DataUnavailable('broken', 'nothing to read') }]);
}

const DATA: TestData = { total: 42, perPid: [3, 4, 5], slots: [2, 0, 7, 1] };

describe('toMetricPoints', () => {
  it('maps each family through its mapper, marks up and down families and lists unmapped ones', () => {
    const view = toMetricPoints(snapshot(DATA), [mapper]);
    const byName = new Map(view.series.map((s) => [s.descriptor.name, s]));
    expect(byName.get('bpfscope.test.total')?.points).toEqual([{ attributes: { 'bpfscope.source': 'ebpf' }, value: 42 }]);
    expect(byName.has('bpfscope.test.process')).toBe(false);
    expect(byName.get('bpfscope.family.up')?.points).toEqual([
      { attributes: { 'bpfscope.family': 'other', 'bpfscope.source': 'ebpf' }, value: 1 },
      { attributes: { 'bpfscope.family': 'test', 'bpfscope.source': 'ebpf' }, value: 1 },
      { attributes: { 'bpfscope.family': 'broken', 'bpfscope.source': 'none', 'error.type': 'DATA_UNAVAILABLE' }, value: 0 },
    ]);
    expect(view.unmapped).toEqual(['other']);
    expect(view.mapErrors).toEqual([]);
  });

  it('writes detail series only when asked, capped with the rest counted', () => {
    const view = toMetricPoints(snapshot(DATA), [mapper], { detail: ['process'], maxDetailEntities: 2 });
    const perProc = view.series.find((s) => s.descriptor.name === 'bpfscope.test.process');
    expect(perProc?.points.map((p) => (p as { value: number }).value)).toEqual([3, 4]);
    expect(view.capped).toEqual({ 'bpfscope.test.process': 1 });
  });

  it('refuses bad options and keeps going past a mapper that throws or writes an undeclared metric', () => {
    expect(() => toMetricPoints(snapshot(DATA), [mapper], { detail: ['thread' as never] })).toThrow(/metrics.detail/);
    expect(() => toMetricPoints(snapshot(DATA), [mapper], { maxDetailEntities: 0 })).toThrow(/maxDetailEntities/);
    const rogue: FamilyMetricMapper = { family: 'other', descriptors: [], map: (_r, sink) => sink.number(TOTAL, null, { 'bpfscope.source': 'ebpf' }, 1) };
    const view = toMetricPoints(snapshot(DATA), [mapper, rogue]);
    expect(view.mapErrors).toEqual([{ family: 'other', message: expect.stringMatching(/does not declare/) as string }]);
    expect(view.series.find((s) => s.descriptor.name === 'bpfscope.test.total')?.points).toHaveLength(1);
  });

  it('keeps a metric name to the first family that writes it and reports the other', () => {
    const twin: FamilyMetricMapper = { family: 'other', descriptors: [{ ...TOTAL, family: 'other' }], map: (_r, sink) => sink.number(twin.descriptors[0]!, null, { 'bpfscope.source': 'ebpf' }, 7) };
    const view = toMetricPoints(snapshot(DATA), [mapper, twin]);
    expect(view.series.find((s) => s.descriptor.name === 'bpfscope.test.total')?.points).toEqual([{ attributes: { 'bpfscope.source': 'ebpf' }, value: 7 }]);
    expect(view.mapErrors).toEqual([{ family: 'test', message: 'bpfscope.test.total is also written by the other family; this family\'s points of it are left out' }]);
  });
});

describe('log2ToExponential', () => {
  it('keeps every kernel bucket count: slot k at index k-1, slot 0 as zero count', () => {
    const h = log2HistogramFromSlots([2, 0, 7, 0, 0, 1], 'ns');
    expect(log2ToExponential(h)).toEqual({ scale: 0, zeroCount: 2, offset: 1, bucketCounts: [7, 0, 0, 1], count: 10 });
    expect(log2ToExponential(log2HistogramFromSlots([3], 'ns'))).toEqual({ scale: 0, zeroCount: 3, offset: 0, bucketCounts: [], count: 3 });
  });
});
