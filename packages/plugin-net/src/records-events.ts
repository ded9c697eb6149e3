import type { AddressFamily, ConnectionState, NetConnection, NetProtocol } from './records.js';

/** What every {@link NetEvent} carries: when, who, and the connection's endpoints. */
export interface NetEventBase {
  /** When it happened, ms since the Unix epoch (the kernel's monotonic clock mapped to wall time). */
  time: number;
  /** The socket's owner (as {@link NetConnection.pid} with eBPF: the process that connected, listened, or last sent or received on it); 0 when it has none (a time-wait socket, a socket older than the source and idle since). */
  pid: number;
  /** That process's command name ('' with pid 0). */
  comm: string;
  /** That process's cgroup v2 ID, or null when not known. */
  cgroupId: number | null;
  /** `tcp` or `udp`. */
  protocol: NetProtocol;
  /** IP version. */
  family: AddressFamily;
  /** Local address. */
  localAddress: string;
  /** Local port. */
  localPort: number;
  /** Remote address. */
  remoteAddress: string;
  /** Remote port. */
  remotePort: number;
  /**
   * How many events of its kind this one stands for: its kernel sampling weight (1 when
   * nothing sampled it). `stream.weightOf(e)` multiplies it by the user-space sampler's.
   */
  weight?: number;
}

/** This host opened a TCP connection (SYN_SENT → ESTABLISHED). */
export interface NetConnectEvent extends NetEventBase {
  /** Discriminant. */
  type: 'connect';
}

/** A listening socket accepted a connection (SYN_RECV → ESTABLISHED). */
export interface NetAcceptEvent extends NetEventBase {
  /** Discriminant. */
  type: 'accept';
}

/** A connection closed, with what it carried over its life. */
export interface NetCloseEvent extends NetEventBase {
  /** Discriminant. */
  type: 'close';
  /** Payload bytes sent over its life, each once (TCP `bytes_sent` less `bytes_retrans`). */
  bytesSent: number;
  /** Payload bytes received over its life. */
  bytesReceived: number;
  /** Segments or datagrams sent. */
  packetsSent: number;
  /** Segments or datagrams received. */
  packetsReceived: number;
  /** Segments retransmitted (TCP; 0 for UDP). */
  retransmits: number;
  /** Smoothed round-trip time at close, µs (TCP); null for UDP. */
  rttUs: number | null;
  /** How long it was open, ms; null when its start was not seen. */
  durationMs: number | null;
}

/** A TCP socket changed state. */
export interface NetStateEvent extends NetEventBase {
  /** Discriminant. */
  type: 'state';
  /** The state it left. */
  oldState: ConnectionState;
  /** The state it entered. */
  newState: ConnectionState;
}

/** A TCP segment was retransmitted. */
export interface NetRetransmitEvent extends NetEventBase {
  /** Discriminant. */
  type: 'retransmit';
  /** The socket's state when it happened. */
  state: ConnectionState;
}

/** A TCP reset was sent or received. */
export interface NetResetEvent extends NetEventBase {
  /** Discriminant. */
  type: 'reset';
  /** `sent` (`tcp_send_reset`) or `received` (`tcp_receive_reset`). */
  direction: 'sent' | 'received';
  /** The socket's state when it happened. */
  state: ConnectionState;
}

/** An event of the net family, from `engine.events('net')` (eBPF source). */
export type NetEvent = NetConnectEvent | NetAcceptEvent | NetCloseEvent | NetStateEvent | NetRetransmitEvent | NetResetEvent;

/** The kinds of {@link NetEvent}. */
export type NetEventType = NetEvent['type'];
