import { createProcfsReader, Snapshot, systemClock, toMetricPoints, type FamilyResult, type MetricPointOptions, type MetricPoints, type MetricSeries } from '@bpfscope/core';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netMetricMapper } from './metrics.js';
import { resolveNetOptions } from './options.js';
import { net } from './plugin.js';
import { NetProcfsReader } from './procfs/read-net.js';
import type { NetMetrics } from './records.js';

const root = fileURLToPath(new URL('../test/fixtures/debian12-vm/', import.meta.url));

/** The fallback's reading of the captured machine (test/fixtures/README.md). */
function fallbackReading(): NetMetrics {
  const r = new NetProcfsReader(createProcfsReader(`${root}proc`, `${root}sys`), systemClock, resolveNetOptions({}, ''));
  r.start();
  return r.read();
}

function view(data: NetMetrics, source: 'ebpf' | 'procfs', options?: MetricPointOptions): MetricPoints {
  const result: FamilyResult = { family: 'net', source, sourceName: `net-${source}`, fallback: null, data, timestamp: 20, durationMs: 1 };
  const v = toMetricPoints(new Snapshot(20, new Map([['net', result]]), []), [netMetricMapper], options);
  expect(v.mapErrors).toEqual([]);
  return v;
}

const series = (v: MetricPoints, name: string): MetricSeries | undefined => v.series.find((s) => s.descriptor.name === name);
const values = (v: MetricPoints, name: string) => (series(v, name)?.points ?? []).map((p) => ['value' in p ? p.value : NaN, p.attributes]);
const at = (v: MetricPoints, name: string, match: Record<string, string | number>) =>
  (series(v, name)?.points ?? []).filter((p) => Object.entries(match).every(([k, x]) => p.attributes[k] === x)).map((p) => ('value' in p ? p.value : NaN));

describe('netMetricMapper, fallback source (debian12-vm capture)', () => {
  const m = fallbackReading();

  it('interfaces: system.network.* per direction from sysfs, with no start time (counted since the interface came up)', () => {
    const v = view(m, 'procfs');
    const eth0 = { 'bpfscope.source': 'sysfs', 'network.interface.name': 'eth0' };
    expect(values(v, 'system.network.io').filter(([, a]) => a['network.interface.name'] === 'eth0')).toEqual([
      [82685764, { ...eth0, 'network.io.direction': 'receive' }],
      [353604, { ...eth0, 'network.io.direction': 'transmit' }],
    ]);
    expect(at(v, 'system.network.packet.count', { 'network.interface.name': 'lo' })).toEqual([75, 75]);
    expect(at(v, 'system.network.errors', { 'network.interface.name': 'eth0' })).toEqual([0, 0]);
    expect(at(v, 'system.network.packet.dropped', { 'network.interface.name': 'ifb1', 'network.io.direction': 'transmit' })).toEqual([0]);
    expect(series(v, 'system.network.io')!.points.length).toBe(8); // 4 interfaces × 2 directions
    const io = series(v, 'system.network.io')!;
    expect([io.descriptor.kind, io.descriptor.unit, io.startTimeMs]).toEqual(['counter', 'By', null]);
  });

  it('sockets by transport and state (OpenTelemetry state values), TCP counters from /proc/net/snmp; nothing the fallback cannot count', () => {
    const v = view(m, 'procfs');
    const p = { 'bpfscope.source': 'procfs' };
    expect(values(v, 'system.network.connection.count')).toEqual([
      [4, { ...p, 'network.transport': 'tcp', 'network.connection.state': 'listen' }],
      [6, { ...p, 'network.transport': 'tcp', 'network.connection.state': 'established' }],
      [1, { ...p, 'network.transport': 'tcp', 'network.connection.state': 'time_wait' }],
      [3, { ...p, 'network.transport': 'udp' }],
    ]);
    expect(series(v, 'system.network.connection.count')!.descriptor.kind).toBe('updown');
    expect(values(v, 'bpfscope.net.tcp.retransmits')).toEqual([[0, p]]);
    expect(values(v, 'bpfscope.net.tcp.resets_sent')).toEqual([[34, p]]);
    expect(values(v, 'bpfscope.net.tcp.established_resets')).toEqual([[0, p]]);
    // Since boot: no start time.
    expect(series(v, 'bpfscope.net.tcp.resets_sent')!.startTimeMs).toBeNull();
    for (const name of ['bpfscope.net.tcp.resets_received', 'bpfscope.net.skb.drops', 'bpfscope.net.kernel.invocations']) expect(series(v, name)).toBeUndefined();
  });

  it('detail only when asked: per process its open sockets (no bytes: the fallback counts none), per socket its queues', () => {
    expect(view(m, 'procfs').series.some((s) => s.descriptor.detail !== undefined)).toBe(false);
    const v = view(m, 'procfs', { detail: ['process', 'connection'] });
    expect(values(v, 'bpfscope.net.process.connections')).toEqual([[12, { 'bpfscope.source': 'procfs', 'process.pid': 10990, 'process.executable.name': 'node' }]]);
    expect(series(v, 'process.network.io')).toBeUndefined();
    expect(series(v, 'bpfscope.net.connection.io')).toBeUndefined();
    expect(series(v, 'bpfscope.net.connection.tcp.rtt')).toBeUndefined();
    const queue = series(v, 'bpfscope.net.connection.queue')!;
    expect(queue.points.length).toBe(28); // 14 sockets × send, receive
    expect(queue.points[0]!.attributes).toEqual({
      'bpfscope.source': 'procfs', 'network.transport': 'tcp', 'network.type': 'ipv4', 'network.local.address': '127.0.0.1', 'network.local.port': 35853,
      'network.peer.address': '0.0.0.0', 'network.peer.port': 0, 'network.connection.state': 'listen', 'process.pid': 10990, 'bpfscope.net.queue': 'send',
    });
    // The listener on 0.0.0.0:2024 has no known owner: no process.pid.
    expect(queue.points.some((p) => p.attributes['network.local.port'] === 2024 && !('process.pid' in p.attributes))).toBe(true);
  });
});

describe('netMetricMapper, eBPF-shaped reading', () => {
  // The capture's reading with the parts the eBPF source adds filled in by hand (values made up for the mapping only).
  const since = '2026-12-07T03:00:00.000Z';
  const base = fallbackReading();
  const established = base.connections.find((c) => c.localPort === 53914)!;
  const data: NetMetrics = {
    ...base,
    countersSince: since,
    fieldSources: { interfaces: 'sysfs', 'connections.owner': 'procfs' },
    totals: { ...base.totals!, retransmits: 5, resetsSent: 2, resetsReceived: 1, drops: 9, dropsByReason: { NO_SOCKET: 7, TCP_CSUM: 2 } },
    kernel: { invocations: 100, events: 10, drops: 3, delivered: 7, mapFull: 0 },
    processes: [{ ...base.processes[0]!, bytesSent: 640, bytesReceived: 128, packetsSent: 10, packetsReceived: 2, retransmits: 5 }],
    connections: [{ ...established, bytesSent: 64, bytesReceived: 32, packetsSent: 1, packetsReceived: 1, retransmits: 0, rttUs: 45 }],
  };

  it('TCP counters and drops by reason count from countersSince; kernel counters have no start time', () => {
    const v = view(data, 'ebpf');
    const e = { 'bpfscope.source': 'ebpf' };
    expect(values(v, 'bpfscope.net.tcp.retransmits')).toEqual([[5, e]]);
    expect(values(v, 'bpfscope.net.tcp.resets_received')).toEqual([[1, e]]);
    // Tcp EstabResets is read from /proc/net/snmp in eBPF mode too.
    expect(values(v, 'bpfscope.net.tcp.established_resets')).toEqual([[0, { 'bpfscope.source': 'procfs' }]]);
    expect(values(v, 'bpfscope.net.skb.drops')).toEqual([[7, { ...e, 'bpfscope.net.drop_reason': 'NO_SOCKET' }], [2, { ...e, 'bpfscope.net.drop_reason': 'TCP_CSUM' }]]);
    expect(series(v, 'bpfscope.net.skb.drops')!.startTimeMs).toBe(Date.parse(since));
    expect(values(v, 'bpfscope.net.kernel.event_drops')).toEqual([[3, e]]);
    expect(series(v, 'bpfscope.net.kernel.event_drops')!.startTimeMs).toBeNull();
    expect(at(v, 'system.network.io', { 'network.interface.name': 'lo', 'bpfscope.source': 'sysfs' })).toEqual([6442, 6442]);
  });

  it('process and connection detail: bytes and packets per direction, retransmits, RTT in µs', () => {
    const v = view(data, 'ebpf', { detail: ['process', 'connection'] });
    const node = { 'bpfscope.source': 'ebpf', 'process.pid': 10990, 'process.executable.name': 'node' };
    expect(values(v, 'process.network.io')).toEqual([[128, { ...node, 'network.io.direction': 'receive' }], [640, { ...node, 'network.io.direction': 'transmit' }]]);
    expect(series(v, 'process.network.io')!.startTimeMs).toBe(Date.parse(since));
    expect(values(v, 'bpfscope.net.process.packets').map(([n]) => n)).toEqual([2, 10]);
    expect(values(v, 'bpfscope.net.process.tcp.retransmits')).toEqual([[5, node]]);
    expect(at(v, 'bpfscope.net.connection.io', { 'network.local.port': 53914 })).toEqual([32, 64]);
    expect(at(v, 'bpfscope.net.connection.tcp.rtt', { 'network.peer.port': 35853, 'network.connection.state': 'established' })).toEqual([45]);
    expect(series(v, 'bpfscope.net.connection.tcp.rtt')!.descriptor).toMatchObject({ kind: 'gauge', unit: 'us', detail: 'connection' });
    expect(at(v, 'bpfscope.net.connection.tcp.retransmits', { 'process.pid': 10990 })).toEqual([0]);
  });

  it('connection detail capped with the rest counted', () => {
    const all = series(view(base, 'procfs', { detail: ['connection'] }), 'bpfscope.net.connection.queue')!.points;
    const v = view({ ...base, connections: base.connections }, 'procfs', { detail: ['connection'], maxDetailEntities: 5 });
    // Two points (send and receive queue) for each of the first five connections.
    const kept = series(v, 'bpfscope.net.connection.queue')!.points;
    expect(kept).toEqual(all.slice(0, 10));
    expect(new Set(kept.map((p) => `${p.attributes['network.local.port']}-${p.attributes['network.peer.port']}-${p.attributes['network.peer.address']}`)).size).toBe(5);
    expect(v.capped['bpfscope.net.connection.queue']).toBe(all.length - 10);
  });
});

describe('the net plugin', () => {
  it('declares the mapper, whose descriptors are unique and of its family', () => {
    expect(net().metricMappers).toEqual([netMetricMapper]);
    const names = netMetricMapper.descriptors.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(netMetricMapper.descriptors.every((d) => d.family === 'net')).toBe(true);
  });
});
