import { describe, expect, it } from 'vitest';
import type { MetricDescriptor } from '@bpfscope/core';
import { prometheusShape, toLabels, unitWord } from './prom-names.js';

const d = (name: string, kind: MetricDescriptor['kind'], unit: string): Pick<MetricDescriptor, 'name' | 'kind' | 'unit'> => ({ name, kind, unit });

describe('Prometheus names from OpenTelemetry names', () => {
  it.each([
    [d('system.cpu.time', 'counter', 's'), 'bpfscope_system_cpu_time_seconds_total', 0],
    [d('system.memory.usage', 'updown', 'By'), 'bpfscope_system_memory_usage_bytes', 0],
    [d('system.cpu.utilization', 'gauge', '1'), 'bpfscope_system_cpu_utilization_ratio', 0],
    [d('bpfscope.syscall.count', 'counter', '{syscall}'), 'bpfscope_syscall_count_total', 0],
    [d('bpfscope.cpu.runqueue.latency', 'histogram', 'ns'), 'bpfscope_cpu_runqueue_latency_seconds', 9],
    [d('bpfscope.net.connection.tcp.rtt', 'gauge', 'us'), 'bpfscope_net_connection_tcp_rtt_seconds', 6],
    [d('bpfscope.test.wait', 'counter', 'ms'), 'bpfscope_test_wait_seconds_total', 3],
    [d('bpfscope.test.size', 'histogram', 'By'), 'bpfscope_test_size_bytes', 0],
    [d('bpfscope.test.rate', 'gauge', 'By/s'), 'bpfscope_test_rate_bytes_per_second', 0],
    [d('bpfscope.test.events', 'gauge', '{event}/s'), 'bpfscope_test_events_per_second', 0],
    [d('bpfscope.test.cache', 'updown', 'KiBy'), 'bpfscope_test_cache_kibibytes', 0],
    [d('bpfscope.test.odd', 'gauge', 'furlong'), 'bpfscope_test_odd_furlong', 0],
    // The unit word is not added twice, nor _total.
    [d('bpfscope.test.bytes.read', 'counter', 'By'), 'bpfscope_test_bytes_read_total', 0],
    [d('bpfscope.test.events.total', 'counter', '{event}'), 'bpfscope_test_events_total', 0],
    // A gauge that would end as a histogram's series do.
    [d('system.network.connection.count', 'updown', '{connection}'), 'bpfscope_system_network_connection_count_value', 0],
    [d('system.network.packet.count', 'counter', '{packet}'), 'bpfscope_system_network_packet_count_total', 0],
    // Characters outside [a-zA-Z0-9_:] become one _.
    [d('weird..name-with/chars', 'gauge', ''), 'bpfscope_weird_name_with_chars', 0],
  ])('%j → %s', (descriptor, name, shift) => {
    expect(prometheusShape(descriptor, 'bpfscope_')).toEqual({ name, shift });
  });

  it('adds the prefix unless the name starts with it', () => {
    expect(prometheusShape(d('system.memory.usage', 'updown', 'By'), 'app_').name).toBe('app_system_memory_usage_bytes');
    expect(prometheusShape(d('bpfscope.cpu.busy.time', 'counter', 's'), 'app_').name).toBe('app_bpfscope_cpu_busy_time_seconds_total');
    expect(prometheusShape(d('bpfscope.cpu.busy.time', 'counter', 's'), '').name).toBe('bpfscope_cpu_busy_time_seconds_total');
  });

  it('unit words: abbreviations spelled out, counts in braces dropped, "1" as ratio, per-units singular', () => {
    expect(['s', 'ms', 'us', 'ns', 'By', 'MiBy', '1', '%', '{packet}', '', 'By/s', '1/s', 'Cel'].map(unitWord)).toEqual([
      'seconds', 'milliseconds', 'microseconds', 'nanoseconds', 'bytes', 'mebibytes', 'ratio', 'percent', '', '', 'bytes_per_second', 'per_second', 'celsius',
    ]);
  });
});

describe('labels from attributes', () => {
  it('dots as underscores, values as strings', () => {
    expect(toLabels({ 'bpfscope.source': 'ebpf', 'process.pid': 42, 'cpu.logical_number': 0, ok: true })).toEqual({ bpfscope_source: 'ebpf', process_pid: '42', cpu_logical_number: '0', ok: 'true' });
  });

  it('keys that become one label join their values with ; in the order of the original keys', () => {
    expect(toLabels({ a_b: 'second', 'a.b': 'first', c: 'x' })).toEqual({ a_b: 'first;second', c: 'x' });
  });

  it('a leading digit gets an underscore; a run of underscores (even a leading __, which Prometheus reserves) is one', () => {
    expect(toLabels({ '1st': 'a', '__meta': 'b', 'x..y': 'c' })).toEqual({ _1st: 'a', _meta: 'b', x_y: 'c' });
  });
});
