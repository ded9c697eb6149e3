// A family whose values the test sets (test/fake-plugin.ts: a real plugin through the
// engine's paths) with a metric mapper of each kind, so the bridge's mapping can be
// compared exactly with what was set.
import { createConsoleLogger, createEngine, log2HistogramFromSlots, type Engine, type FamilyMetricMapper, type MetricDescriptor } from '@bpfscope/core';
import { fakePlugin, type FakePlugin, type FakeReading } from '../../../test/fake-plugin.js';

export interface TestValues {
  total: number;
  inUse: number;
  temp: number | null;
  perPid: number[];
  slots: number[];
  sum: number | null;
}

/** When the test family's cumulative values began: fractional ms, as a boot time from procfs can be. */
export const START_MS = 1_700_000_000_123.25;

export const TOTAL: MetricDescriptor = { name: 'bpfscope.test.events', kind: 'counter', unit: '{event}', description: 'Events counted.', family: 'test' };
export const IN_USE: MetricDescriptor = { name: 'bpfscope.test.in_use', kind: 'updown', unit: 'By', description: 'Bytes in use.', family: 'test' };
export const TEMP: MetricDescriptor = { name: 'bpfscope.test.temperature', kind: 'gauge', unit: 'Cel', description: 'A temperature.', family: 'test' };
export const PER_PROC: MetricDescriptor = { name: 'bpfscope.test.process.events', kind: 'counter', unit: '{event}', description: 'Events per process.', family: 'test', detail: 'process' };
export const LATENCY: MetricDescriptor = { name: 'bpfscope.test.latency', kind: 'histogram', unit: 'ns', description: 'Latency in log2 buckets.', family: 'test' };
export const OTHER: MetricDescriptor = { name: 'bpfscope.other.things', kind: 'gauge', unit: '1', description: 'Another family.', family: 'other' };

const mapper: FamilyMetricMapper = {
  family: 'test',
  descriptors: [TOTAL, IN_USE, TEMP, PER_PROC, LATENCY],
  map(result, sink) {
    const v = (result.data as FakeReading<TestValues>).value;
    const source = { 'bpfscope.source': result.source };
    sink.number(TOTAL, START_MS, { ...source, 'test.kind': 'a' }, v.total);
    sink.number(TOTAL, START_MS, { ...source, 'test.kind': 'b' }, v.total * 2);
    sink.number(IN_USE, START_MS, source, v.inUse);
    if (v.temp !== null) sink.number(TEMP, null, source, v.temp);
    if (sink.wants('process')) v.perPid.forEach((n, i) => sink.number(PER_PROC, START_MS, { ...source, 'process.pid': 100 + i }, n));
    sink.histogram(LATENCY, START_MS, source, log2HistogramFromSlots(v.slots, 'ns'), v.sum);
  },
};

const otherMapper: FamilyMetricMapper = {
  family: 'other',
  descriptors: [OTHER],
  map(result, sink) {
    sink.number(OTHER, null, { 'bpfscope.source': result.source }, (result.data as FakeReading<number>).value);
  },
};

export const INITIAL: TestValues = { total: 5, inUse: 4096, temp: 41.5, perPid: [7, 8, 9], slots: [3, 0, 2, 0, 5], sum: 1234 };

/** An engine with the test family (all kinds) and another family, caching as given. */
export function testEngine(cache = false): { engine: Engine; test: FakePlugin<TestValues>; other: FakePlugin<number> } {
  const test = fakePlugin<TestValues>('test', INITIAL);
  const other = fakePlugin<number>('other', 0.5);
  const engine = createEngine({
    plugins: [{ ...test.plugin, metricMappers: [mapper] }, { ...other.plugin, metricMappers: [otherMapper] }],
    config: { cache: { enabled: cache } },
    logger: createConsoleLogger('silent'),
  });
  return { engine, test, other };
}
