import type { NetField } from '../records.js';

const EBPF = 'the eBPF source counts them';

/** Why the procfs/sysfs fallback leaves these fields null. @internal */
export const FALLBACK_UNAVAILABLE: Readonly<Partial<Record<NetField, string>>> = Object.freeze({
  'connections.bytes':
    `/proc/net/tcp, tcp6, udp and udp6 carry no byte counts per socket, only what is queued now (sendQueueBytes, receiveQueueBytes); ${EBPF} (tcp_sock counters through the socket iterator, sock_send_length/sock_recv_length)`,
  'connections.packets': `/proc/net socket tables carry no packet counts per socket; ${EBPF}`,
  'connections.retransmits':
    `the retrnsmt column of /proc/net/tcp is the number of back-to-back retransmission timeouts in progress now, not the segments the connection retransmitted; ${EBPF} (tcp_sock.total_retrans)`,
  'connections.rttUs': `/proc/net/tcp carries no round-trip time; the eBPF source reads it (tcp_sock.srtt_us)`,
  'connections.startTime': `procfs does not record when a socket was connected; the eBPF source sees it (inet_sock_set_state)`,
  'connections.lastActivity': `procfs does not record when a socket last sent or received; the eBPF source sees it`,
  'hosts.bytes': `procfs counts no traffic per remote address (only the open connections to it); ${EBPF}`,
  'hosts.packets': `procfs counts no packets per remote address; ${EBPF}`,
  'processes.bytes': `procfs counts no network bytes per process (/proc/<pid>/io mixes network with all other I/O); ${EBPF}`,
  'processes.packets': `procfs counts no network packets per process; ${EBPF}`,
  'processes.retransmits': `procfs counts retransmits only system-wide (totals.retransmits); ${EBPF}`,
  'totals.resetsReceived': `/proc/net/snmp counts resets sent (OutRsts) and connections reset (EstabResets), not resets received; ${EBPF} (tcp_receive_reset)`,
  'totals.drops': `procfs has drop counters by protocol (in totals.counters: Ip.InDiscards, Udp.RcvbufErrors, TcpExt.ListenDrops, ...) but no count of every packet the kernel freed as dropped, nor its reason; ${EBPF} (skb:kfree_skb)`,
  'interfaces.dropsByReason': `interfaces count drops without a reason; the eBPF source counts drops by reason (skb:kfree_skb)`,
  kernel: 'kernel-side counters exist only with the eBPF source',
});
