import { SOURCE_ATTRIBUTE, type FamilyMetricMapper, type MetricAttributes, type MetricDescriptor, type MetricSink, type SourceKind, metricDescriptorFor } from '@bpfscope/core';
import type { ConnectionState, NetConnection, NetField, NetInterface, NetMetrics, NetProcess, NetTotals } from './records.js';

const FAMILY = 'net';

const descriptor = metricDescriptorFor(FAMILY);

const IO = descriptor('system.network.io', 'counter', 'By', 'Bytes received and sent by an interface since it came up.');
const PACKETS = descriptor('system.network.packet.count', 'counter', '{packet}', 'Packets received and sent by an interface since it came up.');
const ERRORS = descriptor('system.network.errors', 'counter', '{error}', 'Receive and transmit errors of an interface since it came up.');
const DROPPED = descriptor('system.network.packet.dropped', 'counter', '{packet}', 'Packets an interface dropped on the way in or out, since it came up.');
const CONNECTIONS = descriptor('system.network.connection.count', 'updown', '{connection}', 'Open TCP sockets by state and open UDP sockets, before filters.');
const RETRANSMITS = descriptor('bpfscope.net.tcp.retransmits', 'counter', '{segment}', 'TCP segments retransmitted (eBPF: since the source started; procfs: Tcp RetransSegs since boot).');
const RESETS_SENT = descriptor('bpfscope.net.tcp.resets_sent', 'counter', '{segment}', 'TCP resets sent (eBPF: since the source started; procfs: Tcp OutRsts since boot).');
const RESETS_RECEIVED = descriptor('bpfscope.net.tcp.resets_received', 'counter', '{segment}', 'TCP resets received since the source started (eBPF).');
const ESTABLISHED_RESETS = descriptor('bpfscope.net.tcp.established_resets', 'counter', '{connection}', 'Connections reset from ESTABLISHED or CLOSE_WAIT since boot (Tcp EstabResets).');
const SKB_DROPS = descriptor('bpfscope.net.skb.drops', 'counter', '{packet}', 'Packets the kernel freed as dropped (skb:kfree_skb) since the source started, by drop reason (eBPF).');
const KERNEL_INVOCATIONS = descriptor('bpfscope.net.kernel.invocations', 'counter', '{invocation}', 'Runs of the kernel programs since their object was loaded.');
const KERNEL_EVENT_DROPS = descriptor('bpfscope.net.kernel.event_drops', 'counter', '{event}', 'Events lost because the ring buffer was full.');
const KERNEL_MAP_FULL = descriptor('bpfscope.net.kernel.map_full', 'counter', '{entry}', 'Entries left out because a kernel map was full.');
const PROCESS_IO = descriptor('process.network.io', 'counter', 'By', 'Payload bytes a process sent and received since the source started (eBPF).', 'process');
const PROCESS_PACKETS = descriptor('bpfscope.net.process.packets', 'counter', '{packet}', 'Packets a process sent and received since the source started (eBPF).', 'process');
const PROCESS_CONNECTIONS = descriptor('bpfscope.net.process.connections', 'updown', '{connection}', 'TCP and UDP sockets a process holds, listening ones included.', 'process');
const PROCESS_RETRANSMITS = descriptor('bpfscope.net.process.tcp.retransmits', 'counter', '{segment}', 'TCP retransmits on a process\'s connections since the source started (eBPF).', 'process');
const CONN_IO = descriptor('bpfscope.net.connection.io', 'counter', 'By', 'Payload bytes sent and received on a socket (eBPF).', 'connection');
const CONN_PACKETS = descriptor('bpfscope.net.connection.packets', 'counter', '{packet}', 'Packets sent and received on a socket (eBPF).', 'connection');
const CONN_RETRANSMITS = descriptor('bpfscope.net.connection.tcp.retransmits', 'counter', '{segment}', 'Segments a TCP connection retransmitted over its life (eBPF).', 'connection');
const CONN_RTT = descriptor('bpfscope.net.connection.tcp.rtt', 'gauge', 'us', 'Smoothed round-trip time of a TCP connection (eBPF).', 'connection');
const CONN_QUEUE = descriptor('bpfscope.net.connection.queue', 'gauge', 'By', 'Bytes waiting in a socket\'s send queue (unacknowledged or unsent) and receive queue (not read yet).', 'connection');

/** OpenTelemetry's `network.connection.state` values, for the kernel's state names; a state it has no value for keeps the kernel's name in lower case. */
const STATE: Partial<Record<ConnectionState, string>> = {
  ESTABLISHED: 'established', SYN_SENT: 'syn_sent', SYN_RECV: 'syn_received', FIN_WAIT1: 'fin_wait_1', FIN_WAIT2: 'fin_wait_2',
  TIME_WAIT: 'time_wait', CLOSE: 'close', CLOSE_WAIT: 'close_wait', LAST_ACK: 'last_ack', LISTEN: 'listen', CLOSING: 'closing',
};
const stateValue = (s: ConnectionState): string => STATE[s] ?? s.toLowerCase();

type Ctx = { sink: MetricSink; data: NetMetrics; source: SourceKind; since: number | null };

/** The part's own source where the family names one, else the family's. */
const from = (c: Ctx, field: NetField): Record<string, string> => ({ [SOURCE_ATTRIBUTE]: c.data.fieldSources[field] ?? c.source });

/** Write a pair of sent/received values with `network.io.direction`; a null value gives no point. */
function pair(c: Ctx, d: MetricDescriptor, start: number | null, base: MetricAttributes, receive: number | null, transmit: number | null): void {
  if (receive !== null) c.sink.number(d, start, { ...base, 'network.io.direction': 'receive' }, receive);
  if (transmit !== null) c.sink.number(d, start, { ...base, 'network.io.direction': 'transmit' }, transmit);
}

function mapInterface(c: Ctx, i: NetInterface): void {
  const a: Record<string, string | number> = { [SOURCE_ATTRIBUTE]: i.source, 'network.interface.name': i.name };
  if (i.netNamespace !== null) a['bpfscope.net.namespace'] = i.netNamespace;
  // Counted since the interface came up, a time the data does not carry.
  pair(c, IO, null, a, i.rxBytes, i.txBytes);
  pair(c, PACKETS, null, a, i.rxPackets, i.txPackets);
  pair(c, ERRORS, null, a, i.rxErrors, i.txErrors);
  pair(c, DROPPED, null, a, i.rxDropped, i.txDropped);
}

function mapTotals(c: Ctx, t: NetTotals): void {
  const src = from(c, 'totals');
  for (const [state, n] of Object.entries(t.tcpByState) as Array<[ConnectionState, number]>) {
    c.sink.number(CONNECTIONS, null, { ...src, 'network.transport': 'tcp', 'network.connection.state': stateValue(state) }, n);
  }
  c.sink.number(CONNECTIONS, null, { ...src, 'network.transport': 'udp' }, t.udpSockets);
  // eBPF counts these since the source started; procfs's /proc/net/snmp since boot, a time the data does not carry.
  const ebpf = c.source === 'ebpf';
  const start = ebpf ? c.since : null;
  const snmp = { [SOURCE_ATTRIBUTE]: 'procfs' };
  if (t.retransmits !== null) c.sink.number(RETRANSMITS, start, ebpf ? src : snmp, t.retransmits);
  if (t.resetsSent !== null) c.sink.number(RESETS_SENT, start, ebpf ? src : snmp, t.resetsSent);
  if (t.resetsReceived !== null) c.sink.number(RESETS_RECEIVED, start, src, t.resetsReceived);
  // Read from /proc/net/snmp by both sources.
  if (t.establishedResets !== null) c.sink.number(ESTABLISHED_RESETS, null, snmp, t.establishedResets);
  if (t.dropsByReason !== null) {
    for (const [reason, n] of Object.entries(t.dropsByReason)) c.sink.number(SKB_DROPS, start, { ...from(c, 'totals.drops'), 'bpfscope.net.drop_reason': reason }, n);
  }
}

function mapProcess(c: Ctx, p: NetProcess): void {
  const who = { 'process.pid': p.pid, 'process.executable.name': p.comm };
  pair(c, PROCESS_IO, c.since, { ...from(c, 'processes.bytes'), ...who }, p.bytesReceived, p.bytesSent);
  pair(c, PROCESS_PACKETS, c.since, { ...from(c, 'processes.packets'), ...who }, p.packetsReceived, p.packetsSent);
  c.sink.number(PROCESS_CONNECTIONS, null, { ...from(c, 'processes'), ...who }, p.openConnections);
  if (p.retransmits !== null) c.sink.number(PROCESS_RETRANSMITS, c.since, { ...from(c, 'processes.retransmits'), ...who }, p.retransmits);
}

function mapConnection(c: Ctx, k: NetConnection): void {
  const who: Record<string, string | number> = {
    'network.transport': k.protocol, 'network.type': k.family === 4 ? 'ipv4' : 'ipv6',
    'network.local.address': k.localAddress, 'network.local.port': k.localPort,
    'network.peer.address': k.remoteAddress, 'network.peer.port': k.remotePort,
    'network.connection.state': stateValue(k.state),
  };
  if (k.pid !== null) who['process.pid'] = k.pid;
  // A socket counts from its own start (TCP) or from when the source first saw it (UDP): no one start for the series.
  pair(c, CONN_IO, null, { ...from(c, 'connections.bytes'), ...who }, k.bytesReceived, k.bytesSent);
  pair(c, CONN_PACKETS, null, { ...from(c, 'connections.packets'), ...who }, k.packetsReceived, k.packetsSent);
  if (k.retransmits !== null) c.sink.number(CONN_RETRANSMITS, null, { ...from(c, 'connections.retransmits'), ...who }, k.retransmits);
  if (k.rttUs !== null) c.sink.number(CONN_RTT, null, { ...from(c, 'connections.rttUs'), ...who }, k.rttUs);
  const q = { ...from(c, 'connections'), ...who };
  c.sink.number(CONN_QUEUE, null, { ...q, 'bpfscope.net.queue': 'send' }, k.sendQueueBytes);
  c.sink.number(CONN_QUEUE, null, { ...q, 'bpfscope.net.queue': 'receive' }, k.receiveQueueBytes);
}

/**
 * The net family's metric points: per-interface bytes, packets, errors and drops
 * (`system.network.*`), open sockets by transport and state, TCP retransmits and resets and
 * the kernel's drops by reason (`bpfscope.net.*`); as opt-in detail, per-process traffic
 * (`process`) and per-socket traffic, retransmits, RTT and queues (`connection`), in the
 * family's ranking order. Each point's source is its part's (interfaces from sysfs or
 * procfs, SNMP counters from procfs). The table is in docs/metrics.md.
 */
export const netMetricMapper: FamilyMetricMapper<'net'> = Object.freeze<FamilyMetricMapper<'net'>>({
  family: FAMILY,
  descriptors: Object.freeze([
    IO, PACKETS, ERRORS, DROPPED, CONNECTIONS, RETRANSMITS, RESETS_SENT, RESETS_RECEIVED, ESTABLISHED_RESETS, SKB_DROPS,
    KERNEL_INVOCATIONS, KERNEL_EVENT_DROPS, KERNEL_MAP_FULL,
    PROCESS_IO, PROCESS_PACKETS, PROCESS_CONNECTIONS, PROCESS_RETRANSMITS,
    CONN_IO, CONN_PACKETS, CONN_RETRANSMITS, CONN_RTT, CONN_QUEUE,
  ]),
  map(result, sink) {
    const data = result.data;
    const t = Date.parse(data.countersSince);
    const c: Ctx = { sink, data, source: result.source, since: Number.isFinite(t) ? t : null };
    for (const i of data.interfaces) mapInterface(c, i);
    if (data.totals !== null) mapTotals(c, data.totals);
    if (data.kernel !== null) {
      // Object-wide counters from the object's load, a time the data does not carry.
      const src = from(c, 'kernel');
      sink.number(KERNEL_INVOCATIONS, null, src, data.kernel.invocations);
      sink.number(KERNEL_EVENT_DROPS, null, src, data.kernel.drops);
      sink.number(KERNEL_MAP_FULL, null, src, data.kernel.mapFull);
    }
    if (sink.wants('process')) for (const p of data.processes) mapProcess(c, p);
    if (sink.wants('connection')) for (const k of data.connections) mapConnection(c, k);
  },
});
