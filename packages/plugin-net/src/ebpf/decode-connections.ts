import { decodeCString } from '@bpfscope/native';
import { formatAddress } from '../procfs/kernel-address.js';
import { stateName } from '../procfs/tcp-states.js';
import type { ConnectionState, NetConnection } from '../records.js';
import { u64, type NetLayouts } from './net-layouts.js';

const AF_INET6 = 10;
const PROTO_TCP = 6;
const TCP_LISTEN = 10;

/** What open TCP connections of one process or host carried since the object first saw them. @internal */
export interface LiveTotals {
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  /** Its open sockets (processes: every owned one, listening included; hosts: connected, not LISTEN). */
  connections: number;
}

/** One decoded table (iter/tcp + iter/udp). @internal */
export interface ConnectionTable {
  connections: NetConnection[];
  /** By owner pid: open TCP connections' traffic since first seen, and open sockets. */
  byPid: Map<number, LiveTotals>;
  /** By `family/address` of the remote end. */
  byHost: Map<string, LiveTotals & { address: string; family: 4 | 6 }>;
  tcpByState: Partial<Record<ConnectionState, number>>;
  udpSockets: number;
  /** Sockets whose owner came from the scan of earlier owners. */
  ownersFromProcfs: number;
}

/** Holders of sockets older than the source, by inode (a /proc/<pid>/fd scan when it started). @internal */
export interface EarlierOwners {
  byInode: ReadonlyMap<number, readonly number[]>;
  comms: ReadonlyMap<number, string>;
}

/** Maps the kernel's monotonic ns to ms since the epoch. @internal */
export type ToEpochMs = (ns: number) => number;

/**
 * Address texts by their bytes, kept from reading to reading: a table of thousands of
 * sockets holds a few distinct addresses, and formatting each again is most of a decode.
 * @internal
 */
export class AddressTexts {
  readonly #v4 = new Map<number, string>();
  readonly #v6 = new Map<string, string>();

  /** The text of the 4 or 16 bytes at `at`. */
  get(bytes: Uint8Array, view: DataView, at: number, v6: boolean): string {
    if (!v6) {
      const key = view.getUint32(at, true);
      let t = this.#v4.get(key);
      if (t === undefined) {
        if (this.#v4.size >= 65536) this.#v4.clear();
        this.#v4.set(key, (t = formatAddress(bytes.subarray(at, at + 4))));
      }
      return t;
    }
    const key = `${view.getUint32(at, true)},${view.getUint32(at + 4, true)},${view.getUint32(at + 8, true)},${view.getUint32(at + 12, true)}`;
    let t = this.#v6.get(key);
    if (t === undefined) {
      if (this.#v6.size >= 65536) this.#v6.clear();
      this.#v6.set(key, (t = formatAddress(bytes.subarray(at, at + 16))));
    }
    return t;
  }
}

const empty = (): LiveTotals => ({ bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, connections: 0 });

/**
 * Decode the records of `net_iter_tcp` and `net_iter_udp` (struct net_conn) into connections,
 * with the open connections' totals by owner and by remote host (each connection's counters
 * less its base: what it carried before the object saw it).
 * @param chunks - the two iterators' outputs
 * @internal
 */
export function decodeConnections(chunks: readonly Uint8Array[], layouts: NetLayouts, toEpochMs: ToEpochMs, addresses: AddressTexts = new AddressTexts(), earlier: EarlierOwners | null = null): ConnectionTable {
  const o = layouts.conn;
  const out: ConnectionTable = { connections: [], byPid: new Map(), byHost: new Map(), tcpByState: {}, udpSockets: 0, ownersFromProcfs: 0 };
  for (const bytes of chunks) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at + o.size <= bytes.length; at += o.size) {
      const tcp = v.getUint32(at + o.protocol, true) === PROTO_TCP;
      const v6 = v.getUint32(at + o.family, true) === AF_INET6;
      const stateCode = v.getUint32(at + o.state, true);
      const state = stateName(stateCode);
      const owned = v.getUint32(at + o.owned, true) !== 0;
      const full = !tcp || v.getUint32(at + o.tcp_full, true) !== 0;
      const inode = u64(v, at + o.inode);
      // A socket the kernel saw no owner take is older than the source (and idle since): its
      // holders from the scan made when the source started, if it was there.
      const holders = owned || inode === 0 ? undefined : earlier?.byInode.get(inode);
      const pid = owned ? v.getUint32(at + o.pid, true) : holders?.[0] ?? null;
      if (holders !== undefined) out.ownersFromProcfs++;
      const startNs = u64(v, at + o.start_ns);
      const lastNs = u64(v, at + o.last_ns);
      const c: NetConnection = {
        protocol: tcp ? 'tcp' : 'udp',
        family: v6 ? 6 : 4,
        localAddress: addresses.get(bytes, v, at + o.saddr, v6),
        localPort: v.getUint32(at + o.sport, true),
        remoteAddress: addresses.get(bytes, v, at + o.daddr, v6),
        remotePort: v.getUint32(at + o.dport, true),
        state,
        stateCode,
        pid,
        comm: owned ? decodeCString(bytes, at + o.comm, 16) : pid === null ? null : earlier?.comms.get(pid) ?? null,
        pids: holders !== undefined ? [...holders] : pid === null ? [] : [pid],
        inode,
        uid: v.getUint32(at + o.uid, true),
        cgroupId: owned ? u64(v, at + o.cgroup_id) : null,
        netNamespace: v.getUint32(at + o.netns, true),
        bytesSent: full ? u64(v, at + o.bytes_sent) : null,
        bytesReceived: full ? u64(v, at + o.bytes_received) : null,
        packetsSent: full ? u64(v, at + (tcp ? o.segs_out : o.dgrams_sent)) : null,
        packetsReceived: full ? u64(v, at + (tcp ? o.segs_in : o.dgrams_recv)) : null,
        retransmits: tcp && full ? u64(v, at + o.retrans) : null,
        rttUs: tcp && full ? u64(v, at + o.srtt_us) : null,
        startTime: owned && startNs !== 0 ? toEpochMs(startNs) : null,
        lastActivity: lastNs !== 0 ? toEpochMs(lastNs) : null,
        sendQueueBytes: u64(v, at + o.send_queue),
        receiveQueueBytes: u64(v, at + o.recv_queue),
      };
      out.connections.push(c);
      if (tcp) out.tcpByState[state] = (out.tcpByState[state] ?? 0) + 1;
      else out.udpSockets++;
      // UDP traffic is in the kernel's per-process and per-host maps already; TCP's of open
      // connections is here, less the base.
      const live = tcp && full && owned;
      const sent = live ? c.bytesSent! - u64(v, at + o.base_sent) : 0;
      const recv = live ? c.bytesReceived! - u64(v, at + o.base_recv) : 0;
      const so = live ? c.packetsSent! - u64(v, at + o.base_segs_out) : 0;
      const si = live ? c.packetsReceived! - u64(v, at + o.base_segs_in) : 0;
      if (pid !== null) add(out.byPid, pid, () => empty(), sent, recv, so, si, 1);
      if (c.remotePort !== 0 && stateCode !== TCP_LISTEN) {
        const key = `${c.family}/${c.remoteAddress}`;
        add(out.byHost, key, () => ({ ...empty(), address: c.remoteAddress, family: c.family }), sent, recv, so, si, 1);
      }
    }
  }
  return out;
}

function add<K, T extends LiveTotals>(map: Map<K, T>, key: K, make: () => T, sent: number, recv: number, so: number, si: number, n: number): void {
  let t = map.get(key);
  if (t === undefined) map.set(key, (t = make()));
  t.bytesSent += sent;
  t.bytesReceived += recv;
  t.packetsSent += so;
  t.packetsReceived += si;
  t.connections += n;
}
