// Reads the output of `ss -tuanp` / `ss -tanp` (iproute2) into comparable rows, so tests can
// check the connection table against the tool users trust.
import { execFileSync } from 'node:child_process';
import type { ConnectionState, NetConnection } from '../src/records.js';

/** One socket as ss shows it. */
export interface SsRow {
  protocol: 'tcp' | 'udp';
  state: ConnectionState;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** The pids of `users:(("comm",pid=N,fd=M),...)`, ascending. */
  pids: number[];
  comms: string[];
}

const STATES: Record<string, ConnectionState> = {
  ESTAB: 'ESTABLISHED', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT', UNCONN: 'CLOSE', 'CLOSE-WAIT': 'CLOSE_WAIT', 'LAST-ACK': 'LAST_ACK', LISTEN: 'LISTEN', CLOSING: 'CLOSING',
};

function endpoint(s: string): [string, number] {
  const at = s.lastIndexOf(':');
  const host = s.slice(0, at).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const port = s.slice(at + 1);
  return [host, port === '*' ? 0 : Number(port)];
}

/**
 * Parse ss output with a Netid column (`-tu`) or without one (`-t` alone: every row is tcp).
 * @param text - ss's stdout (header optional)
 * @param protocol - the protocol of every row when there is no Netid column
 */
export function parseSs(text: string, protocol?: 'tcp' | 'udp'): SsRow[] {
  const rows: SsRow[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^(Netid|State)\s/.test(line)) continue;
    const f = line.trim().split(/\s+/);
    const proto = protocol ?? (f.shift() as 'tcp' | 'udp');
    const [state, , , local, peer, ...rest] = f as [string, string, string, string, string, ...string[]];
    const users = rest.join(' ');
    const [localAddress, localPort] = endpoint(local);
    const [remoteAddress, remotePort] = endpoint(peer);
    const owners = [...users.matchAll(/\("([^"]*)",pid=(\d+),fd=\d+\)/g)];
    rows.push({
      protocol: proto, state: STATES[state] ?? 'UNKNOWN', localAddress, localPort, remoteAddress, remotePort,
      pids: [...new Set(owners.map((m) => Number(m[2])))].sort((a, b) => a - b),
      comms: owners.map((m) => m[1]!),
    });
  }
  return rows;
}

/** The key both lists are matched by: protocol and both endpoints' ports (and the addresses ss does not abbreviate to `*`). */
export function ssKey(r: Pick<SsRow, 'protocol' | 'localPort' | 'remotePort'>): string {
  return `${r.protocol} ${r.localPort} ${r.remotePort}`;
}

/** A connection in ss's terms, for comparison with an {@link SsRow}. */
export function asSsRow(c: NetConnection): SsRow {
  return { protocol: c.protocol, state: c.state, localAddress: c.localAddress, localPort: c.localPort, remoteAddress: c.remoteAddress, remotePort: c.remotePort, pids: c.pids, comms: c.pids.map(() => c.comm ?? '') };
}

/**
 * The kernel's own count of segments a TCP socket retransmitted (tcp_info's
 * total_retrans, which `ss -ti` prints as `retrans:<now>/<total>` once either is non-zero),
 * for the socket from `localPort` to `remotePort`; 0 when ss prints no `retrans:` field.
 * @throws Error when ss lists no such socket
 */
export function kernelRetransmits(localPort: number, remotePort: number): number {
  const out = execFileSync('ss', ['-tinH', `( sport = :${localPort} and dport = :${remotePort} )`], { encoding: 'utf8' });
  if (out.trim() === '') throw new Error(`ss lists no TCP socket from port ${localPort} to ${remotePort}`);
  const m = /\bretrans:\d+\/(\d+)/.exec(out);
  return m ? Number(m[1]) : 0;
}
