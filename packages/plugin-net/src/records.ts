import type { BpfscopeError, SourceKind } from '@bpfscope/core';
import type { NetEvent } from './records-events.js';

/** Transport protocol of a connection. */
export type NetProtocol = 'tcp' | 'udp';

/** IP version of an address: 4 or 6. */
export type AddressFamily = 4 | 6;

/**
 * A socket's state, by the kernel's names (include/net/tcp_states.h). TCP sockets go
 * through all of them; a UDP socket is `ESTABLISHED` once connected and `CLOSE` otherwise
 * (what `ss` prints as `UNCONN`). `UNKNOWN` is a state number this version does not name
 * (see {@link NetConnection.stateCode}).
 */
export type ConnectionState =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW_SYN_RECV'
  | 'BOUND_INACTIVE'
  | 'UNKNOWN';

/**
 * Counters of one network interface since it came up, with rates over the last interval.
 * A field is null when the source could not read it (the reason is in
 * {@link NetMetrics.unavailable}, keyed `interfaces.<field>`).
 */
export interface NetInterface {
  /** Interface name, e.g. `lo`, `eth0`. */
  name: string;
  /** The network namespace it belongs to (inode of `/proc/<pid>/ns/net`), or null when not known. */
  netNamespace: number | null;
  /** Bytes received (as the driver counts them: for Ethernet, the frame without FCS). */
  rxBytes: number;
  /** Bytes sent. */
  txBytes: number;
  /** Packets received. */
  rxPackets: number;
  /** Packets sent. */
  txPackets: number;
  /** Received packets dropped before the protocol layers took them (no buffer, filtered, ...). */
  rxDropped: number;
  /** Packets dropped on the way out. */
  txDropped: number;
  /** Receive errors (bad CRC, frame, FIFO overrun, ...). */
  rxErrors: number;
  /** Transmit errors. */
  txErrors: number;
  /** rxBytes per second over the last interval; null on the first reading, or when the counter went backwards (interface reset). */
  rxBytesPerSec: number | null;
  /** txBytes per second over the last interval; null as for rxBytesPerSec. */
  txBytesPerSec: number | null;
  /** Where the counters were read: `sysfs` (/sys/class/net/&lt;name&gt;/statistics) or `procfs` (/proc/net/dev). */
  source: SourceKind;
}

/**
 * Traffic with one remote address (IPv4 or IPv6). Byte and packet counts need the eBPF
 * source; the fallback gives only the open connections (reasons in
 * {@link NetMetrics.unavailable}, keyed `hosts.<field>`).
 */
export interface NetHost {
  /** The remote address, IPv4 dotted or IPv6 in its short form (RFC 5952), as `ss` prints it. */
  address: string;
  /** Its IP version. */
  family: AddressFamily;
  /** Bytes sent to it since the source started; null when the source cannot count per host. */
  bytesSent: number | null;
  /** Bytes received from it since the source started; null as bytesSent. */
  bytesReceived: number | null;
  /** Packets (TCP segments, UDP datagrams) sent to it; null as bytesSent. */
  packetsSent: number | null;
  /** Packets received from it; null as bytesSent. */
  packetsReceived: number | null;
  /** Connections to it open at this reading (TCP not LISTEN, connected UDP). */
  connections: number;
}

/** One TCP or UDP socket: its endpoints, state, owner and (eBPF) its traffic. */
export interface NetConnection {
  /** `tcp` or `udp`. */
  protocol: NetProtocol;
  /** IP version of the socket (a v6 socket carrying v4 traffic shows v4-mapped addresses, `::ffff:a.b.c.d`). */
  family: AddressFamily;
  /** Local address (`0.0.0.0` / `::` for a wildcard bind). */
  localAddress: string;
  /** Local port. */
  localPort: number;
  /** Remote address (`0.0.0.0` / `::` when not connected). */
  remoteAddress: string;
  /** Remote port (0 when not connected). */
  remotePort: number;
  /** The state by the kernel's name. */
  state: ConnectionState;
  /** The kernel's state number (1 ESTABLISHED ... 10 LISTEN ...). */
  stateCode: number;
  /**
   * The owning process. Fallback: the lowest PID among those holding a descriptor of the socket.
   * eBPF: the socket's owner in the kernel: the process that called `connect()` or `listen()`
   * (an accepted socket starts with its listener's), or the last other process that sent or
   * received on it. Null when none is known (a socket in TIME_WAIT has none; fallback: the
   * process hides its descriptors; eBPF: a socket older than the source takes its holders from a /proc/<pid>/fd scan made when
   * the source started; one made later that has not connected, listened, sent or received yet has none).
   */
  pid: number | null;
  /** The owning process's command name; null as pid. */
  comm: string | null;
  /** Every process holding a descriptor of the socket (after fork, several), ascending. */
  pids: number[];
  /** The socket's inode number (0 for a socket without one, e.g. TIME_WAIT). */
  inode: number;
  /** The socket's owner user ID. */
  uid: number;
  /** The owning process's cgroup v2 ID; null when not known (the reason in `unavailable['connections.cgroupId']`). */
  cgroupId: number | null;
  /** The network namespace the socket lives in (inode of `/proc/<pid>/ns/net`), or null when not known. */
  netNamespace: number | null;
  /** Payload bytes sent on the socket; null when the source cannot count per connection (reason in `unavailable['connections.bytes']`). */
  bytesSent: number | null;
  /** Payload bytes received; null as bytesSent. */
  bytesReceived: number | null;
  /** Packets (TCP segments, UDP datagrams) sent; null as bytesSent. */
  packetsSent: number | null;
  /** Packets received; null as bytesSent. */
  packetsReceived: number | null;
  /** Segments retransmitted over the connection's life (TCP); null for UDP or when unavailable. */
  retransmits: number | null;
  /** Smoothed round-trip time, µs (TCP); null for UDP or when unavailable. */
  rttUs: number | null;
  /** When the connection was made, ms since the epoch; null when the source did not see it start. */
  startTime: number | null;
  /** When it last sent or received, ms since the epoch; null when unavailable. */
  lastActivity: number | null;
  /** Bytes the peer has not acknowledged yet (TCP) or that wait to be sent (UDP), from the kernel's queue. */
  sendQueueBytes: number;
  /** Bytes received and not yet read by the process. */
  receiveQueueBytes: number;
}

/** Network use of one process. */
export interface NetProcess {
  /** Process ID. */
  pid: number;
  /** Command name. */
  comm: string;
  /** Its cgroup v2 ID; null when not known. */
  cgroupId: number | null;
  /** Payload bytes it sent since the source started; null when the source cannot count per process (reason in `unavailable['processes.bytes']`). */
  bytesSent: number | null;
  /** Payload bytes it received; null as bytesSent. */
  bytesReceived: number | null;
  /** Packets it sent; null as bytesSent. */
  packetsSent: number | null;
  /** Packets it received; null as bytesSent. */
  packetsReceived: number | null;
  /** TCP and UDP sockets it holds at this reading, listening ones included. */
  openConnections: number;
  /** TCP retransmits on its connections since the source started; null when unavailable. */
  retransmits: number | null;
}

/** Kernel-wide totals of the reading's network namespace(s). */
export interface NetTotals {
  /** Open TCP sockets by state (counted in the connection table, before filters). */
  tcpByState: Partial<Record<ConnectionState, number>>;
  /** Open UDP sockets (counted in the connection table, before filters). */
  udpSockets: number;
  /** TCP segments retransmitted since boot (/proc/net/snmp `Tcp: RetransSegs`, or the eBPF count since start). */
  retransmits: number | null;
  /** TCP resets sent since boot (`Tcp: OutRsts`), or since start (eBPF). */
  resetsSent: number | null;
  /** TCP resets received (eBPF `tcp_receive_reset`); null where no counter of exactly that exists (procfs). */
  resetsReceived: number | null;
  /** Connections reset from ESTABLISHED or CLOSE_WAIT since boot (`Tcp: EstabResets`: either side's reset). */
  establishedResets: number | null;
  /** Packets the kernel freed as dropped (`skb:kfree_skb`) since the source started; null without eBPF. */
  drops: number | null;
  /** {@link NetTotals.drops} by the kernel's drop reason (`NOT_SPECIFIED`, `NO_SOCKET`, `TCP_CSUM`, ...); null without eBPF. */
  dropsByReason: Record<string, number> | null;
  /** Every counter of /proc/net/snmp and /proc/net/netstat since boot, as `Group.Name` (e.g. `TcpExt.ListenDrops`, `Udp.RcvbufErrors`). */
  counters: Record<string, number>;
}

/** Counters the eBPF programs and the ring-buffer consumer keep about themselves. */
export interface NetKernelStats {
  /** Program runs. */
  invocations: number;
  /** Events put in the ring buffer. */
  events: number;
  /** Events lost because the ring buffer was full (counted, never silent). */
  drops: number;
  /** Events handed to JavaScript. */
  delivered: number;
  /** Entries left out because a kernel map was full. */
  mapFull: number;
}

/** Parts (and per-record fields) of {@link NetMetrics} that can be unavailable, fail, or come from another source. */
export type NetField =
  | 'interfaces'
  | 'interfaces.dropsByReason'
  | 'hosts'
  | 'hosts.bytes'
  | 'hosts.packets'
  | 'connections'
  | 'connections.bytes'
  | 'connections.packets'
  | 'connections.retransmits'
  | 'connections.rttUs'
  | 'connections.startTime'
  | 'connections.lastActivity'
  | 'connections.cgroupId'
  | 'connections.owner'
  | 'processes'
  | 'processes.bytes'
  | 'processes.packets'
  | 'processes.retransmits'
  | 'totals'
  | 'totals.resetsReceived'
  | 'totals.drops'
  | 'kernel';

/** The `net` family's data. */
export interface NetMetrics {
  /** ISO time the source started: counts "since start" and rates count from here. */
  countersSince: string;
  /** Time since the previous reading, ms; null on the first. */
  intervalMs: number | null;
  /** The network namespaces read (inode numbers); the reader's own when no filter names others. */
  netNamespaces: number[];
  /** Interfaces, by name. */
  interfaces: NetInterface[];
  /** Remote addresses, most bytes first (eBPF) or most connections first (fallback). */
  hosts: NetHost[];
  /** Sockets that pass the filters, at most `maxConnections`. */
  connections: NetConnection[];
  /** Sockets that passed the filters, before the cap. */
  connectionCount: number;
  /** Processes with sockets or traffic, most bytes first (eBPF) or most connections first (fallback). */
  processes: NetProcess[];
  /** Kernel-wide totals; null when neither the connection table nor the counters could be read. */
  totals: NetTotals | null;
  /** Kernel-side counters (eBPF); null in fallback mode. */
  kernel: NetKernelStats | null;
  /** Lines of kernel files that could not be parsed and were skipped, by file (e.g. `net/tcp`). */
  skippedLines: Record<string, number>;
  /** Parts that did not come from the family's source, with where they came from. */
  fieldSources: Partial<Record<NetField, SourceKind>>;
  /** Parts or fields this source cannot measure here, with the reason. */
  unavailable: Partial<Record<NetField, string>>;
  /** Parts whose input was malformed or unreadable this time, with the taxonomy error; the part is then empty or null. */
  errors: Partial<Record<NetField, BpfscopeError>>;
}

declare module '@bpfscope/core' {
  interface MetricFamilies {
    net: NetMetrics;
  }
  interface FamilyEvents {
    net: NetEvent;
  }
}
