// The exporter over a real engine with a fake family whose values the test sets: the exact
// exposition in both formats, one engine read per scrape, and what a reading left out (the
// detail cap, a failing mapper, a family without a mapper, a failed read) shown as metrics.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createEngine, log2HistogramFromSlots, type Engine, type FamilyMetricMapper, type MetricDescriptor } from '@bpfscope/core';
import { fakePlugin, type FakeReading } from '../../../test/fake-plugin.js';
import { prometheusExporter } from './prometheus-exporter.js';

interface Data { events: number; perPid: Array<[number, number]>; used: number; share: number; latency: number[]; sum: number | null }

const EVENTS: MetricDescriptor = { name: 'bpfscope.test.events', kind: 'counter', unit: '{event}', description: 'Events seen.', family: 'test' };
const PER_PID: MetricDescriptor = { name: 'bpfscope.test.process.events', kind: 'counter', unit: '{event}', description: 'Events per process.', family: 'test', detail: 'process' };
const USED: MetricDescriptor = { name: 'system.test.usage', kind: 'updown', unit: 'By', description: 'Bytes in use.', family: 'test' };
const SHARE: MetricDescriptor = { name: 'bpfscope.test.share', kind: 'gauge', unit: '1', description: 'Share busy.', family: 'test' };
const LATENCY: MetricDescriptor = { name: 'bpfscope.test.latency', kind: 'histogram', unit: 'ns', description: 'Latency.', family: 'test' };

const mapper: FamilyMetricMapper = {
  family: 'test',
  descriptors: [EVENTS, PER_PID, USED, SHARE, LATENCY],
  map(result, sink) {
    const d = (result.data as FakeReading<Data>).value;
    const src = { 'bpfscope.source': result.source };
    sink.number(EVENTS, 1_000, { ...src, 'event.kind': 'a"b\\c' }, d.events);
    if (sink.wants('process')) for (const [pid, n] of d.perPid) sink.number(PER_PID, 1_000, { ...src, 'process.pid': pid }, n);
    sink.number(USED, null, { ...src, 'system.memory.state': 'used' }, d.used);
    sink.number(SHARE, null, src, d.share);
    sink.histogram(LATENCY, 1_000, src, log2HistogramFromSlots(d.latency, 'ns'), d.sum);
  },
};
const broken: FamilyMetricMapper = { family: 'bad', descriptors: [], map: () => { throw new Error('cannot map'); } };

// Slots: 0 → 1 value (0 ns), 3 → 2 values in [4, 8), 5 → 4 values in [16, 32); sum 100 ns.
const DATA: Data = { events: 7, perPid: [[300, 5], [200, 2], [100, 1]], used: 4096, share: 0.25, latency: [1, 0, 0, 2, 0, 4], sum: 100 };

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

function setup(data: Data = DATA) {
  const test = fakePlugin<Data>('test', data);
  const bad = fakePlugin('bad', {});
  const plain = fakePlugin('plain', {});
  engine = createEngine({ plugins: [{ ...test.plugin, metricMappers: [mapper] }, { ...bad.plugin, metricMappers: [broken] }, plain.plugin], config: { cache: { enabled: false }, logLevel: 'silent' } });
  return { engine, test };
}

/** The exposition with the read's wall time (the one value the test cannot know) as X. */
const masked = (body: string): string => body.replace(/^(bpfscope_exporter_read_duration_seconds) [0-9.e-]+$/m, '$1 X');

const FAMILY_METRICS = `# HELP bpfscope_family_up_ratio 1 when the family produced data at this reading, 0 when it failed (error.type names the error code). (bpfscope.family.up, unit 1)
# TYPE bpfscope_family_up_ratio gauge
bpfscope_family_up_ratio{bpfscope_family="bad",bpfscope_source="procfs"} 1
bpfscope_family_up_ratio{bpfscope_family="plain",bpfscope_source="procfs"} 1
bpfscope_family_up_ratio{bpfscope_family="test",bpfscope_source="procfs"} 1

# HELP bpfscope_test_events_total Events seen. (bpfscope.test.events, unit {event})
# TYPE bpfscope_test_events_total counter
bpfscope_test_events_total{bpfscope_source="procfs",event_kind="a\\"b\\\\c"} 7

# HELP bpfscope_test_process_events_total Events per process. (bpfscope.test.process.events, unit {event})
# TYPE bpfscope_test_process_events_total counter
bpfscope_test_process_events_total{bpfscope_source="procfs",process_pid="300"} 5
bpfscope_test_process_events_total{bpfscope_source="procfs",process_pid="200"} 2

# HELP bpfscope_system_test_usage_bytes Bytes in use. (system.test.usage, unit By)
# TYPE bpfscope_system_test_usage_bytes gauge
bpfscope_system_test_usage_bytes{bpfscope_source="procfs",system_memory_state="used"} 4096

# HELP bpfscope_test_share_ratio Share busy. (bpfscope.test.share, unit 1)
# TYPE bpfscope_test_share_ratio gauge
bpfscope_test_share_ratio{bpfscope_source="procfs"} 0.25

# HELP bpfscope_test_latency_seconds Latency. (bpfscope.test.latency, unit ns)
# TYPE bpfscope_test_latency_seconds histogram
bpfscope_test_latency_seconds_bucket{bpfscope_source="procfs",le="0"} 1
bpfscope_test_latency_seconds_bucket{bpfscope_source="procfs",le="0.000000001"} 1
bpfscope_test_latency_seconds_bucket{bpfscope_source="procfs",le="0.000000003"} 1
bpfscope_test_latency_seconds_bucket{bpfscope_source="procfs",le="0.000000007"} 3
bpfscope_test_latency_seconds_bucket{bpfscope_source="procfs",le="0.000000015"} 3
bpfscope_test_latency_seconds_bucket{bpfscope_source="procfs",le="0.000000031"} 7
bpfscope_test_latency_seconds_bucket{bpfscope_source="procfs",le="+Inf"} 7
bpfscope_test_latency_seconds_sum{bpfscope_source="procfs"} 1e-7
bpfscope_test_latency_seconds_count{bpfscope_source="procfs"} 7
`;

const OWN_METRICS = `
# HELP bpfscope_exporter_capped_points Points of a per-process, per-connection or per-file metric that the detail cap left out of this scrape.
# TYPE bpfscope_exporter_capped_points gauge
bpfscope_exporter_capped_points{metric="bpfscope_test_process_events_total"} 1

# HELP bpfscope_exporter_mapper_errors Errors of a family's metric mapping at this scrape (a mapper that threw: all its points left out; a metric another family also writes: its points of it left out).
# TYPE bpfscope_exporter_mapper_errors gauge
bpfscope_exporter_mapper_errors{family="bad"} 1

# HELP bpfscope_exporter_unmapped_families 1 for a family with data but no metric mapper (its plugin declares none): it is not exported.
# TYPE bpfscope_exporter_unmapped_families gauge
bpfscope_exporter_unmapped_families{family="plain"} 1

# HELP bpfscope_exporter_read_error 1 when this scrape could not read the engine (then no family metric has samples), else 0.
# TYPE bpfscope_exporter_read_error gauge
bpfscope_exporter_read_error 0

# HELP bpfscope_exporter_reads_total Engine readings made for scrapes since the exporter was created.
# TYPE bpfscope_exporter_reads_total counter
bpfscope_exporter_reads_total 1

# HELP bpfscope_exporter_read_errors_total Engine readings for scrapes that failed since the exporter was created.
# TYPE bpfscope_exporter_read_errors_total counter
bpfscope_exporter_read_errors_total 0

# HELP bpfscope_exporter_read_duration_seconds Wall time of this scrape's engine reading (collect() and the mapping to metric points).
# TYPE bpfscope_exporter_read_duration_seconds gauge
bpfscope_exporter_read_duration_seconds X
`;

describe('prometheusExporter', () => {
  it('text format 0.0.4: every metric with its Prometheus name, labels, le buckets, and what the reading left out', async () => {
    const { engine, test } = setup();
    const exporter = prometheusExporter(engine, { detail: ['process'], maxDetailEntities: 2 });
    expect(test.reads()).toBe(0); // nothing read before a scrape
    expect(masked(await exporter.registry.metrics())).toBe(`${FAMILY_METRICS}${OWN_METRICS}`);
    expect(test.reads()).toBe(1); // one read for all the metrics
  });

  it('OpenMetrics: counter families named without _total, samples with it, # EOF at the end', async () => {
    const { engine } = setup();
    const exporter = prometheusExporter(engine, { detail: ['process'], maxDetailEntities: 2 });
    const { contentType, body } = await exporter.scrape('application/openmetrics-text; version=1.0.0');
    expect(contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    // Same samples; the families of counters lose _total in HELP and TYPE; blank lines go.
    const expected = `${FAMILY_METRICS}${OWN_METRICS}`
      .replace(/^# (HELP|TYPE) (\S+)_total /gm, '# $1 $2 ')
      .replace(/\n\n/g, '\n');
    expect(masked(body)).toBe(`${expected}# EOF\n`);
  });

  it('promtool check metrics accepts the text exposition', async () => {
    const { engine } = setup();
    const body = await prometheusExporter(engine, { detail: ['process'] }).registry.metrics();
    expect(execFileSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' })).toBe('');
  });

  it('families limits the export; detail metrics not asked for are not registered', async () => {
    const { engine } = setup();
    const exporter = prometheusExporter(engine, { families: ['test'] });
    const body = await exporter.registry.metrics();
    expect(body.match(/^bpfscope_family_up_ratio.*$/gm)).toEqual(['bpfscope_family_up_ratio{bpfscope_family="test",bpfscope_source="procfs"} 1']);
    expect(body).not.toContain('process_events');
    expect([...exporter.names]).toEqual([
      ['bpfscope.family.up', 'bpfscope_family_up_ratio'],
      ['bpfscope.test.events', 'bpfscope_test_events_total'],
      ['system.test.usage', 'bpfscope_system_test_usage_bytes'],
      ['bpfscope.test.share', 'bpfscope_test_share_ratio'],
      ['bpfscope.test.latency', 'bpfscope_test_latency_seconds'],
    ]);
  });

  it('each scrape reads again and shows the new values; a failed read shows as read_error 1 with no family samples', async () => {
    const { engine, test } = setup();
    const exporter = prometheusExporter(engine);
    await exporter.registry.metrics();
    test.set({ ...DATA, events: 9 });
    const second = await exporter.registry.metrics();
    expect(second).toMatch(/^bpfscope_test_events_total\{bpfscope_source="procfs",event_kind="a\\"b\\\\c"\} 9$/m);
    expect(test.reads()).toBe(2);
    await engine.close();
    const failed = await exporter.registry.metrics();
    expect(failed.match(/^bpfscope_exporter_read.*$/gm)?.slice(0, 3)).toEqual(['bpfscope_exporter_read_error 1', 'bpfscope_exporter_reads_total 3', 'bpfscope_exporter_read_errors_total 1']);
    expect(failed.match(/^bpfscope_(test|system|family)\w*[{ ].*$/gm)).toBeNull();
  });

  it('bad options are ConfigErrors naming the option', () => {
    const { engine } = setup();
    const bad = (o: Parameters<typeof prometheusExporter>[1]): unknown => {
      try {
        prometheusExporter(engine, o);
        return null;
      } catch (e) {
        return e instanceof ConfigError ? e.path : e;
      }
    };
    expect([bad({ prefix: '9x' }), bad({ families: ['nope'] }), bad({ detail: ['thread' as never] }), bad({ maxDetailEntities: 0 })]).toEqual(['prefix', 'families', 'metrics.detail', 'metrics.maxDetailEntities']);
  });

  it('two metrics that map to one Prometheus family name are refused', () => {
    const clash: FamilyMetricMapper = { family: 'test', descriptors: [EVENTS, { ...EVENTS, name: 'bpfscope.test_events', kind: 'gauge' }], map: () => {} };
    const test = fakePlugin('test', {});
    engine = createEngine({ plugins: [{ ...test.plugin, metricMappers: [clash] }], config: { logLevel: 'silent' } });
    expect(() => prometheusExporter(engine!)).toThrow(/"bpfscope\.test_events", expected a name that does not map to bpfscope_test_events, as bpfscope\.test\.events does/);
  });
});
