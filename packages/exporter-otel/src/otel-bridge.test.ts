import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AggregationTemporality, DataPointType, type ExponentialHistogramMetricData, type GaugeMetricData, type MetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { createOtelBridge } from './otel-bridge.js';
import { createHistogramProducer } from './histogram-producer.js';
import { byName, sdkPipeline, type SdkPipeline } from '../test/sdk-reader.js';
import { IN_USE, INITIAL, LATENCY, PER_PROC, START_MS, TEMP, testEngine, TOTAL } from '../test/test-family.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function setup(options: Parameters<typeof createOtelBridge>[1] = {}, cache = false) {
  const t = testEngine(cache);
  const producer = createHistogramProducer(t.engine, options);
  const sdk: SdkPipeline = sdkPipeline([producer]);
  const bridge = createOtelBridge(t.engine, { ...options, meterProvider: sdk.provider });
  cleanup.push(async () => {
    await sdk.shutdown();
    await t.engine.close();
  });
  return { ...t, producer, sdk, bridge };
}

const points = (m: MetricData | undefined) => (m?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));

describe('createOtelBridge: counters, up-down counters and gauges as observable instruments', () => {
  it('maps each kind to its instrument, with the descriptor unit and description and the points attributes and values', async () => {
    const { sdk, bridge } = setup();
    expect(bridge.instruments).toEqual(['bpfscope.family.up', TOTAL.name, IN_USE.name, TEMP.name, 'bpfscope.other.things']);
    expect(bridge.histograms).toEqual([LATENCY.name]);
    const { metrics, errors } = await sdk.collect();
    expect(errors).toEqual([]);
    const m = byName(metrics);
    const total = m.get(TOTAL.name) as SumMetricData;
    expect({ type: total.dataPointType, monotonic: total.isMonotonic, temporality: total.aggregationTemporality, unit: total.descriptor.unit, description: total.descriptor.description }).toEqual({
      type: DataPointType.SUM, monotonic: true, temporality: AggregationTemporality.CUMULATIVE, unit: '{event}', description: 'Events counted.',
    });
    expect(points(total)).toEqual([
      { attributes: { 'bpfscope.source': 'procfs', 'test.kind': 'a' }, value: 5 },
      { attributes: { 'bpfscope.source': 'procfs', 'test.kind': 'b' }, value: 10 },
    ]);
    const inUse = m.get(IN_USE.name) as SumMetricData;
    expect({ type: inUse.dataPointType, monotonic: inUse.isMonotonic, unit: inUse.descriptor.unit }).toEqual({ type: DataPointType.SUM, monotonic: false, unit: 'By' });
    expect(points(inUse)).toEqual([{ attributes: { 'bpfscope.source': 'procfs' }, value: 4096 }]);
    const temp = m.get(TEMP.name) as GaugeMetricData;
    expect({ type: temp.dataPointType, unit: temp.descriptor.unit, description: temp.descriptor.description }).toEqual({ type: DataPointType.GAUGE, unit: 'Cel', description: 'A temperature.' });
    expect(points(temp)).toEqual([{ attributes: { 'bpfscope.source': 'procfs' }, value: 41.5 }]);
    expect(points(m.get('bpfscope.family.up'))).toEqual([
      { attributes: { 'bpfscope.family': 'other', 'bpfscope.source': 'procfs' }, value: 1 },
      { attributes: { 'bpfscope.family': 'test', 'bpfscope.source': 'procfs' }, value: 1 },
    ]);
    // Detail series are opt-in.
    expect(m.has(PER_PROC.name)).toBe(false);
  });

  it('reads at collection time, once per collection for the instruments and the histograms together', async () => {
    const { sdk, test } = setup();
    await sdk.collect();
    expect(test.reads()).toBe(1);
    test.set({ ...INITIAL, total: 7, inUse: 1024, temp: null });
    const m = byName((await sdk.collect()).metrics);
    expect(test.reads()).toBe(2); // the engine's cache is off: the callback and the producer shared one read
    expect(points(m.get(TOTAL.name)).map((p) => p.value)).toEqual([7, 14]);
    expect(points(m.get(IN_USE.name)).map((p) => p.value)).toEqual([1024]);
    // The callback observed no temperature (bridge-api.test.ts), but this SDK goes on
    // exporting an attribute set no longer observed with its last value (opentelemetry-js
    // issue 4096; the README says so): the value stands, it is not zeroed.
    expect(points(m.get(TEMP.name))).toEqual([{ attributes: { 'bpfscope.source': 'procfs' }, value: 41.5 }]);
  });

  it('keeps the selected families only, bpfscope.family.up included', async () => {
    const { sdk, bridge, test } = setup({ families: ['other'] });
    expect(bridge.instruments).toEqual(['bpfscope.family.up', 'bpfscope.other.things']);
    const m = byName((await sdk.collect()).metrics);
    expect([...m.keys()].sort()).toEqual(['bpfscope.family.up', 'bpfscope.other.things']);
    expect(points(m.get('bpfscope.family.up'))).toEqual([{ attributes: { 'bpfscope.family': 'other', 'bpfscope.source': 'procfs' }, value: 1 }]);
    expect(points(m.get('bpfscope.other.things'))).toEqual([{ attributes: { 'bpfscope.source': 'procfs' }, value: 0.5 }]);
    expect(test.reads()).toBe(1); // the other family is read (the engine reads all), its data not exported
  });

  it('forwards detail series and their cap, the overflow counted in lastView()', async () => {
    const { sdk, bridge } = setup({ detail: ['process'], maxDetailEntities: 2 });
    expect(bridge.lastView()).toBeNull();
    const m = byName((await sdk.collect()).metrics);
    expect(points(m.get(PER_PROC.name))).toEqual([
      { attributes: { 'bpfscope.source': 'procfs', 'process.pid': 100 }, value: 7 },
      { attributes: { 'bpfscope.source': 'procfs', 'process.pid': 101 }, value: 8 },
    ]);
    expect(bridge.lastView()?.capped).toEqual({ [PER_PROC.name]: 1 });
  });

  it('close() removes the callback and stops the producer: the engine is read no more and its new values do not arrive', async () => {
    const { sdk, bridge, producer, test } = setup();
    expect(byName((await sdk.collect()).metrics).size).toBe(6);
    bridge.close();
    producer.close();
    test.set({ ...INITIAL, total: 99 });
    const { metrics, errors } = await sdk.collect();
    expect(errors).toEqual([]);
    const m = byName(metrics);
    expect(test.reads()).toBe(1);
    expect(m.has(LATENCY.name)).toBe(false);
    expect(points(m.get(TOTAL.name)).map((p) => p.value)).not.toContain(99);
  });

  it('a failed engine read is a collection error of the callback and of the producer, with no points', async () => {
    const { sdk, engine } = setup();
    await engine.close();
    const { metrics, errors } = await sdk.collect();
    expect([...byName(metrics).values()].flatMap((m) => m.dataPoints)).toEqual([]);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['CLOSED', 'CLOSED']);
  });

  it('refuses bad options with a ConfigError naming the option', () => {
    const { engine } = testEngine();
    cleanup.push(() => engine.close());
    const bad: Array<[Parameters<typeof createOtelBridge>[1], string]> = [
      [{ families: ['nope'] }, 'otelBridge.families'],
      [{ detail: ['thread' as 'process'] }, 'otelBridge.detail'],
      [{ maxDetailEntities: 0 }, 'otelBridge.maxDetailEntities'],
      [{ maxDetailEntities: 1.5 }, 'otelBridge.maxDetailEntities'],
      [{ meter: {} as never, meterProvider: {} as never }, 'otelBridge.meter'],
    ];
    for (const [options, path] of bad) expect({ path, thrown: catchCode(() => createOtelBridge(engine, options)) }).toEqual({ path, thrown: { code: 'CONFIG_ERROR', path } });
    expect(catchCode(() => createHistogramProducer(engine, { families: ['nope'] }))).toEqual({ code: 'CONFIG_ERROR', path: 'histogramProducer.families' });
  });
});

function catchCode(f: () => unknown): { code: string; path: string } | null {
  try {
    f();
    return null;
  } catch (e) {
    const err = e as { code: string; path: string };
    return { code: err.code, path: err.path };
  }
}

describe('createHistogramProducer: log2 histograms as exponential histograms', () => {
  it('exports each histogram bucket for bucket at scale 0, cumulative from the series start, with its sum', async () => {
    const { sdk, test } = setup();
    const m = byName((await sdk.collect()).metrics).get(LATENCY.name) as ExponentialHistogramMetricData;
    test.set({ ...INITIAL, slots: [0, 1, 0, 0, 0, 0, 4], sum: null });
    const second = byName((await sdk.collect()).metrics).get(LATENCY.name) as ExponentialHistogramMetricData;
    expect({ type: m.dataPointType, temporality: m.aggregationTemporality, unit: m.descriptor.unit, description: m.descriptor.description }).toEqual({
      type: DataPointType.EXPONENTIAL_HISTOGRAM, temporality: AggregationTemporality.CUMULATIVE, unit: 'ns', description: 'Latency in log2 buckets.',
    });
    // Kernel slots [3, 0, 2, 0, 5]: slot 0 (the value 0) is the zero count, slot k >= 1 is index k - 1.
    expect(m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value, startTime: p.startTime }))).toEqual([
      {
        attributes: { 'bpfscope.source': 'procfs' },
        value: { count: 10, sum: 1234, scale: 0, zeroCount: 3, positive: { offset: 1, bucketCounts: [2, 0, 5] }, negative: { offset: 0, bucketCounts: [] } },
        startTime: [1_700_000_000, 123_250_000],
      },
    ]);
    // No zeros, and no sum where the kernel keeps none.
    expect(second.dataPoints.map((p) => p.value)).toEqual([{ count: 5, scale: 0, zeroCount: 0, positive: { offset: 0, bucketCounts: [1, 0, 0, 0, 0, 4] }, negative: { offset: 0, bucketCounts: [] } }]);
    expect(m.dataPoints[0]!.startTime).toEqual([Math.floor(START_MS / 1000), (START_MS % 1000) * 1e6]);
  });

  it('leaves histograms of unselected families out, and is empty (no scope) when none is selected', async () => {
    const t = testEngine();
    cleanup.push(() => t.engine.close());
    const producer = createHistogramProducer(t.engine, { families: ['other'] });
    expect(await producer.collect()).toMatchObject({ resourceMetrics: { scopeMetrics: [] }, errors: [] });
    expect(t.test.reads()).toBe(0); // nothing to produce: the engine is not read
  });
});

describe('the SDK shapes this package writes out by hand', () => {
  it('match the installed SDK: the point type, the temporality and the package version', async () => {
    const { CUMULATIVE, EXPONENTIAL_HISTOGRAM_POINT } = await import('./produced-types.js');
    expect(EXPONENTIAL_HISTOGRAM_POINT).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    expect(CUMULATIVE).toBe(AggregationTemporality.CUMULATIVE);
    const { SCOPE_VERSION } = await import('./scope.js');
    expect(SCOPE_VERSION).toBe((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version);
  });

  it('hrTime turns fractional epoch ms into [seconds, nanoseconds], carrying a rounded-up second', async () => {
    const { hrTime } = await import('./histogram-producer.js');
    expect(hrTime(1_700_000_000_123.25)).toEqual([1_700_000_000, 123_250_000]);
    expect(hrTime(1999.9999999)).toEqual([2, 0]);
    expect(hrTime(0)).toEqual([0, 0]);
  });
});
