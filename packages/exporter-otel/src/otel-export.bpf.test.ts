// The bridge and the histogram producer against a real eBPF syscall engine, through the
// SDK with an in-memory exporter, and through the OTLP/HTTP exporter (JSON) to a local
// receiver: a workload's exactly N getppid arrive as exactly N, per process and in total,
// and the exported exponential histogram has the kernel's log2 buckets of the same reading.
import { afterEach, expect, it } from 'vitest';
import { MeterProvider, PeriodicExportingMetricReader, type ExponentialHistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { describeKernel } from '../../../test/real-kernel.js';
import { createHistogramProducer } from './histogram-producer.js';
import { createOtelBridge } from './otel-bridge.js';
import { byName, sdkPipeline } from '../test/sdk-reader.js';
import { otlpExponential, otlpMetric, otlpPoints, otlpValue, startReceiver } from '../test/otlp-receiver.js';
import { exportedBuckets, kernelBuckets, kernelGetppid, syscallSetup } from '../test/syscall-setup.js';

const N = 5003;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const GETPPID = { 'bpfscope.source': 'ebpf', 'syscall.name': 'getppid' };

describeKernel('OpenTelemetry export of a real eBPF reading', () => {
  it('in-memory: the getppid counters rise by exactly N between two collections, and the histogram has the kernel buckets of its reading', async () => {
    const s = await syscallSetup(N);
    cleanup.push(() => s.engine.close());
    const options = { families: ['syscall'], detail: ['process' as const] };
    const sdk = sdkPipeline([createHistogramProducer(s.recorded, options)]);
    cleanup.push(() => sdk.shutdown());
    createOtelBridge(s.recorded, { ...options, meterProvider: sdk.provider });
    const mine = { ...GETPPID, 'process.pid': s.workload.pid };
    const value = (m: SumMetricData | undefined, match: Record<string, unknown>): number => {
      const ps = (m?.dataPoints ?? []).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
      expect(ps.length).toBeLessThanOrEqual(1);
      return ps[0]?.value ?? 0;
    };

    const first = await sdk.collect();
    expect(first.errors).toEqual([]);
    const m1 = byName(first.metrics);
    expect(s.snapshots).toHaveLength(1); // the callback and the producer shared one read
    expect((await s.workload.go()).code).toBe(0);
    const second = await sdk.collect();
    expect(second.errors).toEqual([]);
    const m2 = byName(second.metrics);
    expect(s.snapshots).toHaveLength(2);

    const perProcess = 'bpfscope.syscall.process.count';
    expect(value(m2.get(perProcess) as SumMetricData, mine) - value(m1.get(perProcess) as SumMetricData, mine)).toBe(N);
    // The kernel filter keeps only the workload's calls, so the total rises by N too.
    expect(value(m2.get('bpfscope.syscall.count') as SumMetricData, GETPPID) - value(m1.get('bpfscope.syscall.count') as SumMetricData, GETPPID)).toBe(N);

    const h = m2.get('bpfscope.syscall.duration') as ExponentialHistogramMetricData;
    const points = h.dataPoints.filter((p) => p.attributes['syscall.name'] === 'getppid');
    expect(points).toHaveLength(1);
    const kernel = kernelGetppid(s.snapshots[1]!);
    expect(kernel.count).toBe(N);
    const v = points[0]!.value;
    expect({ count: v.count, sum: v.sum, buckets: exportedBuckets({ scale: v.scale, zeroCount: v.zeroCount, offset: v.positive.offset, bucketCounts: v.positive.bucketCounts }) }).toEqual({
      count: N,
      sum: kernel.totalNs,
      buckets: kernelBuckets(kernel.latency),
    });
    // Cumulative from the programs' attach (the family's countersSince), not from the first collection.
    const since = Date.parse(s.snapshots[1]!.get('syscall')!.data.countersSince);
    const [sec, ns] = points[0]!.startTime;
    expect(sec * 1000 + ns / 1e6).toBeCloseTo(since, 3);
  });

  it('OTLP/HTTP JSON to a local receiver: the same counter arrives exactly, and the histogram with the kernel buckets', async () => {
    const s = await syscallSetup(N);
    cleanup.push(() => s.engine.close());
    const receiver = await startReceiver();
    cleanup.push(() => receiver.close());
    const options = { families: ['syscall'], detail: ['process' as const] };
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: receiver.url }),
      exportIntervalMillis: 3_600_000, // never reached: the test flushes
      metricProducers: [createHistogramProducer(s.recorded, options)],
    });
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    createOtelBridge(s.recorded, { ...options, meterProvider: provider });
    const mine = { ...GETPPID, 'process.pid': s.workload.pid };
    const count = (body: Awaited<ReturnType<typeof receiver.nth>>, name: string, match: Record<string, unknown>): number => {
      const ps = otlpPoints(otlpMetric(body, name), match);
      expect(ps.length).toBeLessThanOrEqual(1);
      return ps[0] === undefined ? 0 : otlpValue(ps[0]);
    };

    await reader.forceFlush();
    const b1 = await receiver.nth(1);
    expect((await s.workload.go()).code).toBe(0);
    await reader.forceFlush();
    const b2 = await receiver.nth(2);
    expect(receiver.received.map((r) => r.contentType)).toEqual(['application/json', 'application/json']);
    expect(s.snapshots).toHaveLength(2);

    const sum = otlpMetric(b2, 'bpfscope.syscall.process.count')?.sum;
    expect({ monotonic: sum?.isMonotonic, temporality: sum?.aggregationTemporality, unit: otlpMetric(b2, 'bpfscope.syscall.process.count')?.unit }).toEqual({ monotonic: true, temporality: 2, unit: '{syscall}' }); // OTLP: 2 = cumulative
    expect(count(b2, 'bpfscope.syscall.process.count', mine) - count(b1, 'bpfscope.syscall.process.count', mine)).toBe(N);
    expect(count(b2, 'bpfscope.syscall.count', GETPPID) - count(b1, 'bpfscope.syscall.count', GETPPID)).toBe(N);

    const hm = otlpMetric(b2, 'bpfscope.syscall.duration');
    expect({ unit: hm?.unit, temporality: hm?.exponentialHistogram?.aggregationTemporality }).toEqual({ unit: 'ns', temporality: 2 });
    const hp = otlpPoints(hm, GETPPID);
    expect(hp).toHaveLength(1);
    const e = otlpExponential(hp[0]!);
    const kernel = kernelGetppid(s.snapshots[1]!);
    expect({ count: e.count, sum: e.sum, buckets: exportedBuckets(e) }).toEqual({ count: N, sum: kernel.totalNs, buckets: kernelBuckets(kernel.latency) });
    expect(e.startTimeUnixNano / 1_000_000n).toBe(BigInt(Math.floor(Date.parse(s.snapshots[1]!.get('syscall')!.data.countersSince))));
  });
});
