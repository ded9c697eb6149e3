/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records shared between net.bpf.c and @bpfscope/plugin-net. Decoders take
 * their layouts from this object's BTF. */
#ifndef BPFSCOPE_NET_H
#define BPFSCOPE_NET_H

#define NET_COMM_LEN 16
#define NET_PROTO_TCP 6
#define NET_PROTO_UDP 17

/* Owner and counters of one TCP or UDP socket, in BPF_MAP_TYPE_SK_STORAGE
 * (net_sk). The owner is the task that was current where the socket took its
 * owner: connect() (CLOSE -> SYN_SENT), listen() (CLOSE -> LISTEN), the first
 * send or receive, or a later send or receive by another process (the socket
 * changed hands). An accepted socket starts with its listener's owner (the map
 * is BPF_F_CLONE) and its counters are reset when it is born (-> SYN_RECV). */
struct net_sk {
	__u32 pid;            /* tgid of the owner */
	__u32 origin;         /* enum net_origin: where the owner was taken */
	__u64 cgroup_id;      /* the owner's cgroup v2 id */
	__u64 start_ns;       /* CLOCK_MONOTONIC when the socket got its owner (accepted: when it was born) */
	__u64 last_ns;        /* CLOCK_MONOTONIC of the last send or receive that moved bytes */
	/* UDP only (TCP has its own counters in tcp_sock): payload bytes and datagrams. */
	__u64 bytes_sent;
	__u64 bytes_recv;
	__u64 dgrams_sent;
	__u64 dgrams_recv;
	/* TCP: the connection's counters when the socket got its storage from a send or
	 * receive (a connection older than the object); 0 for one seen from its start.
	 * Per-process and per-host totals count from here. */
	__u64 base_sent;
	__u64 base_recv;
	__u64 base_segs_out;
	__u64 base_segs_in;
	char comm[NET_COMM_LEN];
};

enum net_origin {
	NET_ORIGIN_CONNECT = 1,
	NET_ORIGIN_LISTEN = 2,
	NET_ORIGIN_ACCEPT = 3,
	NET_ORIGIN_IO = 4,
};

/* One socket from iter/tcp or iter/udp. Addresses: 4 bytes (AF_INET) or 16
 * (AF_INET6) in network order; ports in host order. */
struct net_conn {
	__u64 cookie;         /* socket cookie (0 for time-wait and request sockets) */
	__u32 protocol;       /* NET_PROTO_TCP or NET_PROTO_UDP */
	__u32 family;         /* AF_INET (2) or AF_INET6 (10) */
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 sport;
	__u32 dport;
	__u32 state;          /* TCP state (TCP_ESTABLISHED = 1 ...); UDP: 7 (CLOSE) or 1 when connected */
	__u32 uid;            /* socket's owner uid as the iterator reports it */
	__u32 netns;          /* network namespace inode number */
	__u32 owned;          /* 1 when net_sk holds an owner */
	__u32 pid;
	__u32 origin;
	__u64 cgroup_id;
	__u64 start_ns;
	__u64 last_ns;
	/* TCP full sockets: from tcp_sock. bytes_sent counts every payload byte once
	 * (tcp_sock.bytes_sent, which includes retransmissions, minus bytes_retrans). */
	__u64 bytes_sent;
	__u64 bytes_acked;
	__u64 bytes_received;
	__u64 segs_out;
	__u64 segs_in;
	__u64 retrans;        /* total_retrans: segments retransmitted */
	__u64 srtt_us;        /* smoothed RTT, us (srtt_us >> 3) */
	/* UDP: from net_sk. */
	__u64 dgrams_sent;
	__u64 dgrams_recv;
	__u32 tcp_full;       /* 1: the TCP counters above are read (not a time-wait or request socket) */
	__u32 pad;
	__u64 base_sent;      /* net_sk's base_* (TCP): counters before the object saw the socket */
	__u64 base_recv;
	__u64 base_segs_out;
	__u64 base_segs_in;
	__u64 inode;          /* the socket's inode (0 with no file: time-wait, request, orphaned) */
	__u64 send_queue;     /* as ss: TCP write_seq - snd_una (LISTEN: backlog limit), UDP wmem in use */
	__u64 recv_queue;     /* as ss: TCP rcv_nxt - copied_seq (LISTEN: accept queue), UDP rmem in use */
	char comm[NET_COMM_LEN];
};

/* Per-process totals (net_proc, per-CPU hash keyed by tgid): UDP from every
 * send and receive, TCP from each connection's tcp_sock counters when it
 * closes (connections still open are added from the table by user space). */
struct net_proc {
	__u64 udp_bytes_sent;
	__u64 udp_bytes_recv;
	__u64 udp_sent;       /* datagrams */
	__u64 udp_recv;
	__u64 tcp_bytes_sent;
	__u64 tcp_bytes_recv;
	__u64 tcp_segs_out;
	__u64 tcp_segs_in;
	__u64 retrans;        /* segments retransmitted (tcp_retransmit_skb) */
	__u64 cgroup_id;      /* written on the CPU that created the entry (0 on the others) */
	char comm[NET_COMM_LEN];
};

/* Key of net_host: a remote address, network order, zero-padded. */
struct net_host_key {
	__u32 family;
	__u8 addr[16];
};

/* Per remote host (net_host, per-CPU hash): connected UDP sockets' traffic and
 * closed TCP connections' totals (open ones are added from the table). */
struct net_host {
	__u64 bytes_sent;
	__u64 bytes_recv;
	__u64 packets_sent;   /* UDP datagrams + TCP segments */
	__u64 packets_recv;
};

/* Slots of net_tot (per-CPU array). */
enum net_total {
	NET_TOT_RETRANS = 0,
	NET_TOT_RST_SENT = 1,
	NET_TOT_RST_RECV = 2,
	NET_TOT_UDP_UNCONN = 3, /* UDP sends on sockets with no remote address (not in net_host) */
	NET_TOT_MAP_FULL = 4,   /* net_proc / net_host entries that could not be made */
	NET_TOT_CLOSES = 5,     /* TCP closes, counted after their totals went to net_proc and
	                         * net_host: a reader that sees the same count before and after
	                         * reading the table and the maps counted no connection twice */
	NET_TOT_MAX = 6,
};

/* Slots of kfree_skb drops by reason (enum skb_drop_reason); user space takes the
 * names from the kernel's BTF. Reasons at or past this are counted in the last slot. */
#define NET_DROP_SLOTS 256

enum net_ev_type {
	NET_EV_STATE = 1,     /* a TCP state change not listed below */
	NET_EV_CONNECT = 2,   /* SYN_SENT -> ESTABLISHED */
	NET_EV_ACCEPT = 3,    /* SYN_RECV -> ESTABLISHED */
	NET_EV_CLOSE = 4,     /* -> CLOSE, with the connection's totals */
	NET_EV_RETRANS = 5,
	NET_EV_RST_SENT = 6,
	NET_EV_RST_RECV = 7,
};

/* The one event source of the sampling maps (net_smp): every TCP event, its class
 * the event type (enum net_ev_type), so a priority by kind keeps e.g. closes whole. */
#define NET_SRC_EVENTS 0
#define NET_SRC_N 1

/* TCP events through the ring buffer. */
struct net_ev {
	__u32 type;           /* enum net_ev_type */
	__u32 pid;            /* the socket's owner (net_sk), 0 when it has none */
	__u32 old_state;
	__u32 new_state;
	__u64 ts_ns;          /* CLOCK_MONOTONIC */
	__u64 cookie;
	__u64 cgroup_id;
	__u32 family;
	__u32 sport;
	__u32 dport;
	__u32 netns;
	__u8 saddr[16];
	__u8 daddr[16];
	__u64 start_ns;
	/* The connection's counters at the event (as in struct net_conn). */
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 segs_out;
	__u64 segs_in;
	__u64 retrans;
	__u64 srtt_us;
	__u64 weight;         /* events of this source this one stands for (1 unsampled) */
	char comm[NET_COMM_LEN];
};

/* Kernel filter (net_filter[0]), changed at run time. A part not in `parts`
 * lets everything through. Judged on every counted send/receive, every table
 * row and every event. */
#define NET_F_PROTO 1      /* protocols: bit 0 TCP, bit 1 UDP */
#define NET_F_PORT 2       /* local or remote port in [port_lo, port_hi] */
#define NET_F_PID 4        /* owner tgid in net_fpid */
#define NET_F_CGROUP 8     /* owner cgroup in net_fcg */
#define NET_F_NETNS 16     /* socket's netns in net_fns */
#define NET_F_FAMILY 32    /* families: bit 0 IPv4, bit 1 IPv6 */

struct net_filter {
	__u32 parts;
	__u32 protocols;
	__u32 port_lo;
	__u32 port_hi;
	__u32 families;
	__u32 pad;
};

#endif
