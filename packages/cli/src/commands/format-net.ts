import type { FamilyResult } from '@bpfscope/core';
import type { NetConnection, NetMetrics } from '@bpfscope/plugin-net';
import { num, table } from './table.js';
import { formatBytes } from '../units.js';

const indent = (s: string): string => s.split('\n').map((l) => `  ${l}`).join('\n');
const count = (v: number | null): string => (v === null ? '-' : String(v));
const endpoint = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
const rate = (v: number | null): string => (v === null ? '-' : `${formatBytes(v)}/s`);

// Connections shown: established first (they carry the traffic), then the rest in the source's order.
const SHOWN = 15;
const TOP = 5;

/** Human form of the net family: interfaces, connections, hosts, processes and totals. @internal */
export function formatNet(r: FamilyResult<NetMetrics>): string {
  const d = r.data;
  const lines: string[] = [];
  const ifRows = d.interfaces.map((i) => [
    i.name, formatBytes(i.rxBytes), formatBytes(i.txBytes), String(i.rxPackets), String(i.txPackets), String(i.rxDropped), String(i.txDropped), String(i.rxErrors), String(i.txErrors), rate(i.rxBytesPerSec), rate(i.txBytesPerSec),
  ]);
  if (ifRows.length === 0) lines.push(`  interfaces: none read${d.unavailable.interfaces !== undefined ? ' (unavailable)' : d.errors.interfaces !== undefined ? ' (error)' : ''}`);
  else {
    lines.push(`  interfaces (${d.fieldSources.interfaces ?? r.source})${d.intervalMs !== null ? `, rates over ${Math.round(d.intervalMs)} ms` : ''}`);
    lines.push(indent(table(['iface', 'rx', 'tx', 'rx pkts', 'tx pkts', 'rx drop', 'tx drop', 'rx err', 'tx err', 'rx rate', 'tx rate'], ifRows)));
  }
  const shown = [...d.connections].sort((a, b) => Number(b.state === 'ESTABLISHED') - Number(a.state === 'ESTABLISHED')).slice(0, SHOWN);
  lines.push(`  connections: ${d.connectionCount} matched, ${shown.length} shown`);
  if (shown.length > 0) lines.push(indent(table(['proto', 'state', 'local', 'remote', 'pid', 'comm', 'sent', 'received', 'retrans', 'rtt ms'], shown.map(connectionRow), new Set([0, 1, 2, 3, 5]))));
  const hosts = d.hosts.slice(0, TOP).map((h) => `${h.address} ${h.connections} conn${h.bytesSent !== null ? ` ${formatBytes(h.bytesSent)} out ${formatBytes(h.bytesReceived)} in` : ''}`);
  if (hosts.length > 0) lines.push(`  top hosts: ${hosts.join('; ')}`);
  const procs = d.processes.slice(0, TOP).map((p) => `${p.comm}[${p.pid}] ${p.openConnections} conn${p.bytesSent !== null ? ` ${formatBytes(p.bytesSent)} out ${formatBytes(p.bytesReceived)} in` : ''}`);
  if (procs.length > 0) lines.push(`  top processes: ${procs.join('; ')}`);
  const t = d.totals;
  if (t) {
    const states = Object.entries(t.tcpByState).map(([s, n]) => `${s} ${n}`).join(', ');
    lines.push(`  tcp sockets: ${states || 'none'}; udp sockets: ${t.udpSockets}`);
    lines.push(`  retransmits ${count(t.retransmits)}, resets sent ${count(t.resetsSent)}, received ${count(t.resetsReceived)}, drops ${count(t.drops)}`);
  }
  for (const [file, n] of Object.entries(d.skippedLines)) lines.push(`  skipped ${n} malformed line(s) of ${file}`);
  for (const [k, e] of Object.entries(d.errors)) lines.push(`  error: ${k}: ${e.code}: ${e.message}`);
  const missing = Object.keys(d.unavailable);
  if (missing.length > 0) lines.push(`  unavailable from ${r.source}: ${missing.join(', ')} (the reasons are in --json, data.unavailable)`);
  return lines.join('\n');
}

function connectionRow(c: NetConnection): string[] {
  return [
    `${c.protocol}${c.family === 6 ? '6' : ''}`, c.state, endpoint(c.localAddress, c.localPort), endpoint(c.remoteAddress, c.remotePort),
    c.pid === null ? '-' : String(c.pid), c.comm ?? '-', c.bytesSent === null ? '-' : formatBytes(c.bytesSent), c.bytesReceived === null ? '-' : formatBytes(c.bytesReceived),
    count(c.retransmits), c.rttUs === null ? '-' : num(c.rttUs / 1000, 2),
  ];
}
