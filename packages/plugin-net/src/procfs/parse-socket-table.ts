import { parseFailure, type EventProcessingFailed } from '@bpfscope/core';
import type { AddressFamily, NetProtocol } from '../records.js';
import { formatAddress, kernelAddressBytes } from './kernel-address.js';

/** One line of /proc/net/tcp, tcp6, udp or udp6. @internal */
export interface KernelSocket {
  protocol: NetProtocol;
  family: AddressFamily;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** The kernel's state number (st). */
  stateCode: number;
  /** tx_queue: bytes not yet acknowledged (TCP) or queued to send (UDP). */
  txQueue: number;
  /** rx_queue: bytes received and not yet read (TCP: for a listener, the accept backlog). */
  rxQueue: number;
  uid: number;
  /** 0 for sockets without one (TIME_WAIT, request sockets). */
  inode: number;
}

/** What {@link parseSocketTable} gives: the sockets, and the lines it skipped. @internal */
export interface SocketTable {
  sockets: KernelSocket[];
  /** Lines that could not be parsed (counted, never fatal). */
  skipped: number;
  /** Why the first skipped line was skipped. */
  firstSkip: EventProcessingFailed | null;
}

const HEX4 = /^[0-9A-Fa-f]{8}:[0-9A-Fa-f]{4}$/;
const HEX6 = /^[0-9A-Fa-f]{32}:[0-9A-Fa-f]{4}$/;
const QUEUES = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})$/;
const DECIMAL = /^\d+$/;

/**
 * Parse a socket table of /proc/net. A line that does not have the kernel's form (too few
 * fields, an address or number that is not hex or decimal where it must be) is skipped and
 * counted; a file without the header line is an error.
 * @param path - the file's path, for errors (e.g. `/proc/net/tcp6`)
 * @param text - its content
 * @param protocol - `tcp` (tcp, tcp6) or `udp` (udp, udp6)
 * @param family - 4 (tcp, udp) or 6 (tcp6, udp6)
 * @returns the sockets and the skipped lines
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the header line is missing (an empty or foreign file)
 * @internal
 */
export function parseSocketTable(path: string, text: string, protocol: NetProtocol, family: AddressFamily): SocketTable {
  const lines = text.split('\n');
  const header = lines[0] ?? '';
  if (!/^\s*sl\s+local_address\s/.test(header)) throw parseFailure(path, 1, header, 'no socket-table header (sl local_address ...)');
  const out: SocketTable = { sockets: [], skipped: 0, firstSkip: null };
  const addr = family === 4 ? HEX4 : HEX6;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const f = line.trim().split(/\s+/);
    const why = checkLine(f, addr);
    if (why !== null) {
      out.skipped++;
      out.firstSkip ??= parseFailure(path, i + 1, line, why);
      continue;
    }
    const [local, remote] = [f[1]!, f[2]!];
    const q = QUEUES.exec(f[4]!)!;
    out.sockets.push({
      protocol,
      family,
      localAddress: formatAddress(kernelAddressBytes(local.slice(0, -5))),
      localPort: Number.parseInt(local.slice(-4), 16),
      remoteAddress: formatAddress(kernelAddressBytes(remote.slice(0, -5))),
      remotePort: Number.parseInt(remote.slice(-4), 16),
      stateCode: Number.parseInt(f[3]!, 16),
      txQueue: Number.parseInt(q[1]!, 16),
      rxQueue: Number.parseInt(q[2]!, 16),
      uid: Number(f[7]),
      inode: Number(f[9]),
    });
  }
  return out;
}

function checkLine(f: readonly string[], addr: RegExp): string | null {
  if (f.length < 10) return `${f.length} fields, expected at least 10 (truncated line?)`;
  if (!/^\d+:$/.test(f[0]!)) return `slot "${f[0]}" is not a number followed by a colon`;
  if (!addr.test(f[1]!) || !addr.test(f[2]!)) return 'an address is not hex ADDRESS:PORT of the expected length';
  if (!/^[0-9A-Fa-f]{2}$/.test(f[3]!)) return `state "${f[3]}" is not two hex digits`;
  if (!QUEUES.test(f[4]!)) return `queues "${f[4]}" are not hex TX:RX`;
  if (!DECIMAL.test(f[7]!) || !DECIMAL.test(f[9]!)) return 'uid or inode is not a decimal number';
  return null;
}
