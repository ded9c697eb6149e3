import type { ConnectionState, NetConnection, NetHost, NetProcess } from '../records.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * Open connections per remote address, most first (ties by address): TCP sockets that are
 * not LISTEN and connected UDP sockets. Bytes and packets are null: the caller fills them
 * where a source counts them.
 * @internal
 */
export function hostsByConnections(connections: readonly NetConnection[]): NetHost[] {
  const by = new Map<string, NetHost>();
  for (const c of connections) {
    if (c.state === 'LISTEN' || WILDCARDS.has(c.remoteAddress)) continue;
    let h = by.get(c.remoteAddress);
    if (h === undefined) {
      h = { address: c.remoteAddress, family: c.family, bytesSent: null, bytesReceived: null, packetsSent: null, packetsReceived: null, connections: 0 };
      by.set(c.remoteAddress, h);
    }
    h.connections++;
  }
  return [...by.values()].sort((a, b) => b.connections - a.connections || a.address.localeCompare(b.address));
}

/**
 * Sockets held per process, most first (ties by PID): a socket shared by several processes
 * counts for each.
 * @param connections - the connections
 * @param comms - command names by PID
 * @param cgroups - cgroup IDs by PID
 * @internal
 */
export function processesByConnections(connections: readonly NetConnection[], comms: ReadonlyMap<number, string>, cgroups: ReadonlyMap<number, number | null>): NetProcess[] {
  const by = new Map<number, NetProcess>();
  for (const c of connections) {
    for (const pid of c.pids) {
      let p = by.get(pid);
      if (p === undefined) {
        p = { pid, comm: comms.get(pid) ?? '', cgroupId: cgroups.get(pid) ?? null, bytesSent: null, bytesReceived: null, packetsSent: null, packetsReceived: null, openConnections: 0, retransmits: null };
        by.set(pid, p);
      }
      p.openConnections++;
    }
  }
  return [...by.values()].sort((a, b) => b.openConnections - a.openConnections || a.pid - b.pid);
}

/** TCP sockets by state and the number of UDP sockets. @internal */
export function socketCounts(connections: readonly NetConnection[]): { tcpByState: Partial<Record<ConnectionState, number>>; udpSockets: number } {
  const tcpByState: Partial<Record<ConnectionState, number>> = {};
  let udpSockets = 0;
  for (const c of connections) {
    if (c.protocol === 'udp') udpSockets++;
    else tcpByState[c.state] = (tcpByState[c.state] ?? 0) + 1;
  }
  return { tcpByState, udpSockets };
}
