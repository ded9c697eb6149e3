import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { NetConnection, NetMetrics } from '@bpfscope/plugin-net';
import type { SiNetworkConnectionsData, SiNetworkStatsData } from './types.js';

/** Each interface's byte counters at its previous networkStats() call. @internal */
export type NetworkStatsState = Map<string, { rx: number; tx: number; timestamp: number; rxSec: number | null; txSec: number | null; ms: number }>;

/**
 * The interface of the first default route in /proc/net/route (what `ip route | grep default`
 * names first), or null when there is none.
 * @internal
 */
export function defaultInterface(procRoot: string): string | null {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/net/route`, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000') return f[0]!;
  }
  return null;
}

function operstate(sysRoot: string, iface: string): string {
  try {
    return readFileSync(`${sysRoot}/class/net/${iface}/operstate`, 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The interfaces networkStats() reports: the named ones (`eth0,lo` or `eth0|lo`), every one
 * with an address (`*`, systeminformation's list of interfaces: the kernel's address table
 * through getifaddrs, a netlink query, no process), or by default the default route's (else
 * the first interface other than `lo`).
 * @internal
 */
export function selectInterfaces(data: NetMetrics, ifaces: string | undefined, procRoot: string): string[] {
  const wanted = (ifaces ?? '').trim();
  if (wanted === '*') {
    const addressed = new Set(Object.keys(networkInterfaces()));
    return data.interfaces.map((i) => i.name).filter((n) => addressed.has(n));
  }
  if (wanted !== '') return wanted.split(/[,|]+/).map((s) => s.trim()).filter((s) => s !== '');
  const dflt = defaultInterface(procRoot) ?? data.interfaces.find((i) => i.name !== 'lo')?.name;
  return dflt ? [dflt] : [];
}

/** systeminformation's networkStats() from a net reading. @internal */
export function toNetworkStats(data: NetMetrics, names: readonly string[], timestamp: number, state: NetworkStatsState, sysRoot: string): SiNetworkStatsData[] {
  return names.map((name) => {
    const i = data.interfaces.find((x) => x.name === name);
    if (!i) {
      return { iface: name, operstate: 'unknown', rx_bytes: null, rx_dropped: null, rx_errors: null, tx_bytes: null, tx_dropped: null, tx_errors: null, rx_sec: null, tx_sec: null, ms: 0 };
    }
    let entry = state.get(name);
    if (!entry || entry.timestamp !== timestamp) {
      // A new reading: rates over the time since this interface's previous one (none the first time).
      const ms = entry ? timestamp - entry.timestamp : 0;
      const rate = (now: number, then: number): number => (now >= then ? (now - then) / (ms / 1000) : 0);
      entry = { rx: i.rxBytes, tx: i.txBytes, timestamp, ms, rxSec: entry ? rate(i.rxBytes, entry.rx) : null, txSec: entry ? rate(i.txBytes, entry.tx) : null };
      state.set(name, entry);
    }
    return {
      iface: name,
      operstate: operstate(sysRoot, name),
      rx_bytes: i.rxBytes,
      rx_dropped: i.rxDropped,
      rx_errors: i.rxErrors,
      tx_bytes: i.txBytes,
      tx_dropped: i.txDropped,
      tx_errors: i.txErrors,
      rx_sec: entry.rxSec,
      tx_sec: entry.txSec,
      ms: entry.ms,
    };
  });
}

/** The states `netstat -tunap | grep ...` keeps (systeminformation's list). */
const LISTED = new Set(['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING']);

function listed(c: NetConnection): boolean {
  // netstat prints no state for an unconnected UDP socket (the kernel's CLOSE), so
  // systeminformation's filter leaves those out; connected UDP shows ESTABLISHED.
  if (c.protocol === 'udp') return c.state === 'ESTABLISHED';
  return LISTED.has(c.state);
}

/** systeminformation's networkConnections() from a net reading (the sockets netstat -tunap lists). @internal */
export function toNetworkConnections(data: NetMetrics): SiNetworkConnectionsData[] {
  return data.connections.filter(listed).map((c) => ({
    protocol: c.family === 6 ? `${c.protocol}6` : c.protocol,
    localAddress: c.localAddress,
    localPort: String(c.localPort),
    peerAddress: c.remoteAddress,
    peerPort: c.remotePort === 0 ? '*' : String(c.remotePort),
    state: c.state,
    pid: c.pid,
    // netstat's program column is the command name; systeminformation keeps its first word.
    process: (c.comm ?? '').split(' ')[0]!.split(':')[0]!,
  }));
}
