import { inCidrs } from '../cidr.js';
import type { ResolvedNetOptions } from '../options.js';
import type { NetConnection } from '../records.js';

/**
 * Whether a connection passes the plugin's filters (protocol, ports, local and remote
 * CIDR blocks, PIDs, cgroups, and the byte threshold where bytes are measured). A socket
 * with no known owner fails a PID or cgroup filter: it cannot be shown to belong.
 * @internal
 */
export function connectionPasses(c: NetConnection, o: ResolvedNetOptions): boolean {
  if (o.protocols !== null && !o.protocols.has(c.protocol)) return false;
  if (o.ports !== null && !o.ports.some((r) => (c.localPort >= r.from && c.localPort <= r.to) || (c.remotePort >= r.from && c.remotePort <= r.to))) return false;
  if (o.localAddresses !== null && !inCidrs(o.localAddresses, c.localAddress)) return false;
  if (o.remoteAddresses !== null && !inCidrs(o.remoteAddresses, c.remoteAddress)) return false;
  if (o.pids !== null && !c.pids.some((p) => o.pids!.has(p))) return false;
  if (o.cgroupIds !== null && (c.cgroupId === null || !o.cgroupIds.has(BigInt(c.cgroupId)))) return false;
  if (o.minBytes > 0 && c.bytesSent !== null && c.bytesReceived !== null && c.bytesSent + c.bytesReceived < o.minBytes) return false;
  return true;
}

/**
 * Whether any of the filters {@link connectionPasses} applies is set (none: every connection passes).
 * @internal
 */
export function connectionFilterSet(o: ResolvedNetOptions): boolean {
  return o.protocols !== null || o.ports !== null || o.localAddresses !== null || o.remoteAddresses !== null || o.pids !== null || o.cgroupIds !== null || o.minBytes > 0;
}
