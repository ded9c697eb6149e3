import { readStatsCounters, type BpfObject } from '@bpfscope/native';
import { inCidrs } from '../cidr.js';
import type { SideReading } from '../procfs/side-reads.js';
import { connectionFilterSet, connectionPasses } from '../read/select-connections.js';
import type { ResolvedNetOptions } from '../options.js';
import type { NetConnection, NetHost, NetMetrics, NetProcess } from '../records.js';
import type { ConnectionTable } from './decode-connections.js';
import { forgetProcesses, NET_TOT, type KernelState } from './kernel-maps.js';
import { deliveredEvents } from './net-events.js';

/** Interface counters and the kernel's SNMP counters, from sysfs and procfs (the fallback's reader). @internal */
export interface NetSideReads {
  read(): SideReading;
}

/** What one reading is built from. @internal */
export interface AssembleInput {
  obj: BpfObject;
  table: ConnectionTable;
  /** The maps, read after the table with no TCP close in between. */
  kernel: KernelState;
  options: ResolvedNetOptions;
  side: NetSideReads;
  dropNames: ReadonlyMap<number, string> | null;
  /** Whether the kernel filter is this source's (false: another engine's is in force). */
  kernelFilterHeld: boolean;
  since: string;
}

const bytesOf = (r: { bytesSent: number | null; bytesReceived: number | null }): number => (r.bytesSent ?? 0) + (r.bytesReceived ?? 0);

/**
 * One reading of the net family from the decoded table, the kernel's maps and the side reads.
 * @internal
 */
export function assembleNetMetrics(input: AssembleInput): NetMetrics {
  const { obj, table, options: o } = input;
  const side = input.side.read();
  const { processes: kprocs, hosts: khosts, totals: tot, drops } = input.kernel;
  const passed = connectionFilterSet(o) ? table.connections.filter((c) => connectionPasses(c, o)) : table.connections;

  // Processes: the kernel's (UDP, closed TCP, retransmits) and the open connections'.
  const procs = new Map<number, NetProcess>();
  const proc = (pid: number, comm: string, cgroupId: number | null): NetProcess => {
    let p = procs.get(pid);
    if (p === undefined) procs.set(pid, (p = { pid, comm, cgroupId, bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, openConnections: 0, retransmits: 0 }));
    return p;
  };
  for (const k of kprocs) {
    const p = proc(k.pid, k.comm, k.cgroupId);
    p.bytesSent! += k.udpBytesSent + k.tcpBytesSent;
    p.bytesReceived! += k.udpBytesRecv + k.tcpBytesRecv;
    p.packetsSent! += k.udpSent + k.tcpSegsOut;
    p.packetsReceived! += k.udpRecv + k.tcpSegsIn;
    p.retransmits! += k.retrans;
  }
  const owners = new Map<number, NetConnection>();
  for (const c of table.connections) if (c.pid !== null && !owners.has(c.pid)) owners.set(c.pid, c);
  for (const [pid, live] of table.byPid) {
    const c = owners.get(pid);
    const p = proc(pid, c?.comm ?? '', c?.cgroupId ?? null);
    p.bytesSent! += live.bytesSent;
    p.bytesReceived! += live.bytesReceived;
    p.packetsSent! += live.packetsSent;
    p.packetsReceived! += live.packetsReceived;
    p.openConnections += live.connections;
  }
  const processes = [...procs.values()]
    .filter((p) => (o.pids === null || o.pids.has(p.pid)) && (o.cgroupIds === null || (p.cgroupId !== null && o.cgroupIds.has(BigInt(p.cgroupId)))))
    .filter((p) => bytesOf(p) >= o.minBytes && p.openConnections >= o.minConnections)
    .sort((a, b) => bytesOf(b) - bytesOf(a) || a.pid - b.pid)
    .slice(0, o.topK);

  // Hosts: the kernel's (connected UDP, closed TCP) and the open connections'.
  const hosts = new Map<string, NetHost>();
  const host = (family: 4 | 6, address: string): NetHost => {
    const key = `${family}/${address}`;
    let h = hosts.get(key);
    if (h === undefined) hosts.set(key, (h = { address, family, bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, connections: 0 }));
    return h;
  };
  for (const k of khosts) {
    const h = host(k.family, k.address);
    h.bytesSent! += k.bytesSent;
    h.bytesReceived! += k.bytesReceived;
    h.packetsSent! += k.packetsSent;
    h.packetsReceived! += k.packetsReceived;
  }
  for (const live of table.byHost.values()) {
    const h = host(live.family, live.address);
    h.bytesSent! += live.bytesSent;
    h.bytesReceived! += live.bytesReceived;
    h.packetsSent! += live.packetsSent;
    h.packetsReceived! += live.packetsReceived;
    h.connections += live.connections;
  }
  const hostList = [...hosts.values()]
    .filter((h) => (o.remoteAddresses === null || inCidrs(o.remoteAddresses, h.address)) && bytesOf(h) >= o.minBytes && h.connections >= o.minConnections)
    .sort((a, b) => bytesOf(b) - bytesOf(a) || (a.address < b.address ? -1 : 1))
    .slice(0, o.topK);

  // Entries of processes that are gone leave the map once it is three quarters full (the
  // reading above listed them).
  const procMap = obj.map('net_proc');
  if (kprocs.length > (procMap.maxEntries * 3) / 4) forgetProcesses(obj, kprocs.filter((k) => !table.byPid.has(k.pid) && !processAlive(k.pid)).map((k) => k.pid));

  let dropTotal = 0;
  const dropsByReason: Record<string, number> = {};
  drops.forEach((n, reason) => {
    if (n === 0) return;
    dropTotal += n;
    const name = input.dropNames?.get(reason) ?? String(reason);
    dropsByReason[name] = (dropsByReason[name] ?? 0) + n;
  });
  const stats = readStatsCounters(obj.map('net_stats'));
  const counters = side.counters ?? {};
  const unavailable: NetMetrics['unavailable'] = {
    ...side.unavailable,
    'connections.bytes': 'TIME_WAIT and request sockets keep no counters (their bytes are null); UDP counts start when the source first saw the socket',
    'hosts.bytes': 'bytes received on unconnected UDP sockets have no remote address at the socket: they count for the process, not for a host',
  };
  const fieldSources: NetMetrics['fieldSources'] = { ...side.fieldSources };
  // Sockets older than the source that did nothing since: their holders from /proc/<pid>/fd when it started.
  if (table.ownersFromProcfs > 0) fieldSources['connections.owner'] = 'procfs';
  if (input.dropNames === null) unavailable['totals.drops'] = 'the kernel BTF (/sys/kernel/btf/vmlinux) has no enum skb_drop_reason: drops are keyed by number';
  if (!input.kernelFilterHeld) unavailable.processes = 'another engine of this process holds the kernel filter: per-process and per-host counts follow its filter';
  return {
    countersSince: input.since,
    intervalMs: null,
    netNamespaces: [...new Set(table.connections.map((c) => c.netNamespace!))],
    interfaces: side.interfaces,
    hosts: hostList,
    connections: passed.slice(0, o.maxConnections),
    connectionCount: passed.length,
    processes,
    totals: {
      tcpByState: table.tcpByState,
      udpSockets: table.udpSockets,
      retransmits: tot[NET_TOT.retrans]!,
      resetsSent: tot[NET_TOT.rstSent]!,
      resetsReceived: tot[NET_TOT.rstRecv]!,
      establishedResets: counters['Tcp.EstabResets'] ?? null,
      drops: dropTotal,
      dropsByReason,
      counters,
    },
    kernel: { invocations: stats.invocations, events: stats.events, drops: stats.drops, delivered: deliveredEvents(input.options.objectPath), mapFull: tot[NET_TOT.mapFull]! },
    skippedLines: side.skippedLines,
    fieldSources,
    unavailable,
    errors: side.errors,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
