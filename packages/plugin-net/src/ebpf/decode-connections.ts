import { decodeCString } from '@bpfscope/native';
import { formatAddress } from '../procfs/kernel-address.js';
import { stateName } from '../procfs/tcp-states.js';
import type { ConnectionState, NetConnection } from '../records.js';
import { u64, type NetLayouts } from './net-layouts.js';
import type { RowReuse } from './row-reuse.js';

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
  /** By the remote end's address text (IPv6 texts have colons, IPv4 ones none). */
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
 * @param reuse - connections of earlier readings to hand out again for rows that did not change
 * @internal
 */
export function decodeConnections(chunks: readonly Uint8Array[], layouts: NetLayouts, toEpochMs: ToEpochMs, addresses: AddressTexts = new AddressTexts(), earlier: EarlierOwners | null = null, reuse: RowReuse | null = null): ConnectionTable {
  const o = layouts.conn;
  const out: ConnectionTable = { connections: [], byPid: new Map(), byHost: new Map(), tcpByState: {}, udpSockets: 0, ownersFromProcfs: 0 };
  reuse?.begin();
  for (const bytes of chunks) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Rows compared word by word with the ones earlier connections came from.
    const words = reuse !== null && bytes.byteOffset % 4 === 0 && o.size % 4 === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : null;
    for (let at = 0; at + o.size <= bytes.length; at += o.size) {
      const owned = v.getUint32(at + o.owned, true) !== 0;
      const cookie = words === null ? 0 : u64(v, at + o.cookie);
      let c = words !== null ? reuse!.get(cookie, words, at, o.size) : undefined;
      if (c === undefined) {
        const tcp = v.getUint32(at + o.protocol, true) === PROTO_TCP;
        const inode = u64(v, at + o.inode);
        // A socket the kernel saw no owner take is older than the source (and idle since): its
        // holders from the scan made when the source started, if it was there.
        const holders = owned || inode === 0 ? undefined : earlier?.byInode.get(inode);
        const head: RowHead = {
          tcp,
          v6: v.getUint32(at + o.family, true) === AF_INET6,
          stateCode: v.getUint32(at + o.state, true),
          owned,
          full: !tcp || v.getUint32(at + o.tcp_full, true) !== 0,
          inode,
          pid: owned ? v.getUint32(at + o.pid, true) : holders?.[0] ?? null,
          holders,
        };
        c = decodeRow(bytes, v, at, o, head, toEpochMs, addresses, earlier);
        if (words !== null) reuse!.keep(cookie, words, at, o.size, c);
      }
      const { pid, stateCode } = c;
      const tcp = c.protocol === 'tcp';
      // The scan's holder lists are never empty: an unowned socket with a pid got it from there.
      if (!owned && pid !== null) out.ownersFromProcfs++;
      out.connections.push(c);
      if (tcp) out.tcpByState[c.state] = (out.tcpByState[c.state] ?? 0) + 1;
      else out.udpSockets++;
      // UDP traffic is in the kernel's per-process and per-host maps already; TCP's of open
      // connections is here, less the base (a TCP row has bytes when it is a full socket).
      const live = tcp && owned && c.bytesSent !== null;
      const sent = live ? c.bytesSent! - u64(v, at + o.base_sent) : 0;
      const recv = live ? c.bytesReceived! - u64(v, at + o.base_recv) : 0;
      const so = live ? c.packetsSent! - u64(v, at + o.base_segs_out) : 0;
      const si = live ? c.packetsReceived! - u64(v, at + o.base_segs_in) : 0;
      if (pid !== null) {
        let t = out.byPid.get(pid);
        if (t === undefined) out.byPid.set(pid, (t = empty()));
        add(t, sent, recv, so, si);
      }
      if (c.remotePort !== 0 && stateCode !== TCP_LISTEN) {
        // Keyed by the address text alone: an IPv6 text always has a colon, an IPv4 one never.
        let t = out.byHost.get(c.remoteAddress);
        if (t === undefined) out.byHost.set(c.remoteAddress, (t = { ...empty(), address: c.remoteAddress, family: c.family }));
        add(t, sent, recv, so, si);
      }
    }
  }
  return out;
}

/** What the table loop already read of a row. */
interface RowHead {
  tcp: boolean;
  v6: boolean;
  stateCode: number;
  owned: boolean;
  full: boolean;
  inode: number;
  pid: number | null;
  holders: readonly number[] | undefined;
}

function decodeRow(bytes: Uint8Array, v: DataView, at: number, o: NetLayouts['conn'], h: RowHead, toEpochMs: ToEpochMs, addresses: AddressTexts, earlier: EarlierOwners | null): NetConnection {
  const { tcp, v6, stateCode, owned, full, inode, pid, holders } = h;
  const startNs = u64(v, at + o.start_ns);
  const lastNs = u64(v, at + o.last_ns);
  return {
        protocol: tcp ? 'tcp' : 'udp',
        family: v6 ? 6 : 4,
        localAddress: addresses.get(bytes, v, at + o.saddr, v6),
        localPort: v.getUint32(at + o.sport, true),
        remoteAddress: addresses.get(bytes, v, at + o.daddr, v6),
        remotePort: v.getUint32(at + o.dport, true),
        state: stateName(stateCode),
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
}

function add(t: LiveTotals, sent: number, recv: number, so: number, si: number): void {
  t.bytesSent += sent;
  t.bytesReceived += recv;
  t.packetsSent += so;
  t.packetsReceived += si;
  t.connections++;
}
