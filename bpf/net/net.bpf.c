// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Network figures at the least cost per packet. Nothing runs per packet:
 *  - the connection table comes from the socket iterators (iter/tcp, iter/udp),
 *    read on demand, with tcp_sock's own counters (bytes, segments, retransmits,
 *    RTT), exact and free on the hot path;
 *  - each socket's owner (pid, comm, cgroup, start) sits in sk storage, taken
 *    where the owning task is current (connect, listen, send, receive);
 *  - per-process and per-host figures: UDP from sock_send_length /
 *    sock_recv_length (one run per send or receive call, not per packet), TCP
 *    from each connection's tcp_sock counters when it closes (open connections
 *    are added from the table in user space);
 *  - TCP state changes, retransmits and resets as events (sampled per source),
 *    and kfree_skb drops by reason in a per-CPU array.
 * A filter (net_filter and its sets) applies to all of it and changes at run
 * time. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "bpfscope_ringbuf.h"
#include "bpfscope_sampling.h"
#include "net.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define MSG_PEEK 2

BPFSCOPE_STATS_MAP(net_stats);
BPFSCOPE_RINGBUF_MAP(net_events, 1 << 20);
BPFSCOPE_SAMPLING_MAPS(net_smp, NET_SRC_N);

/* net_evon[0]: open event streams of the process. With none, no event takes ring
 * space (the counters and the table do not need events). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} net_evon SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct net_sk);
} net_sk SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct net_proc);
} net_proc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct net_host_key);
	__type(value, struct net_host);
} net_host SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NET_TOT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} net_tot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NET_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} net_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct net_filter);
} net_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} net_fpid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} net_fcg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} net_fns SEC(".maps");

/* What identifies a socket for the filter, the table and the events. */
struct sk_id {
	__u32 family;
	__u32 sport;
	__u32 dport;
	__u32 netns;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* Direct loads through the BTF pointers the hooks and iterators get (CO-RE
 * relocated; a faulting load gives 0) instead of a bpf_probe_read_kernel() call
 * per field: this runs on every counted send and receive. */
static __always_inline void sk_ident(struct sock_common *skc, struct sk_id *id)
{
	id->family = skc->skc_family;
	id->sport = skc->skc_num;
	id->dport = bpf_ntohs(skc->skc_dport);
	id->netns = skc->skc_net.net->ns.inum;
	if (id->family == AF_INET6) {
		__builtin_memcpy(id->saddr, skc->skc_v6_rcv_saddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(id->daddr, skc->skc_v6_daddr.in6_u.u6_addr8, 16);
	} else {
		__builtin_memcpy(id->saddr, &skc->skc_rcv_saddr, 4);
		__builtin_memcpy(id->daddr, &skc->skc_daddr, 4);
	}
}

static __always_inline void tot_add(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&net_tot, &slot);

	if (v)
		*v += n;
}

static __always_inline __u32 in_port_range(const struct net_filter *f, __u32 port)
{
	return port >= f->port_lo && port <= f->port_hi;
}

/* 1 when the socket passes every active part of the filter. `pid` and `cg` are
 * its owner's (0 when it has none: a pid or cgroup part then rejects it). */
static __always_inline int filter_ok(__u32 proto, const struct sk_id *id, __u32 pid, __u64 cg)
{
	__u32 zero = 0;
	const struct net_filter *f = bpf_map_lookup_elem(&net_filter, &zero);
	__u32 parts = f ? f->parts : 0;
	int ok = 1;

	if (!parts)
		return 1;
	if ((parts & NET_F_PROTO) && !(f->protocols & (proto == NET_PROTO_TCP ? 1 : 2)))
		ok = 0;
	else if ((parts & NET_F_FAMILY) && !(f->families & (id->family == AF_INET ? 1 : 2)))
		ok = 0;
	else if ((parts & NET_F_PORT) && !in_port_range(f, id->sport) && !in_port_range(f, id->dport))
		ok = 0;
	else if ((parts & NET_F_PID) && !bpf_map_lookup_elem(&net_fpid, &pid))
		ok = 0;
	else if ((parts & NET_F_CGROUP) && !bpf_map_lookup_elem(&net_fcg, &cg))
		ok = 0;
	else if ((parts & NET_F_NETNS) && !bpf_map_lookup_elem(&net_fns, &id->netns))
		ok = 0;
	bpfscope_stat_add(&net_stats, ok ? BPFSCOPE_STAT_FILTER_HITS : BPFSCOPE_STAT_FILTER_MISS, 1);
	return ok;
}

/* Makes the current task the socket's owner. */
static __always_inline void take_owner(struct net_sk *s, __u32 tgid, __u32 origin, __u64 now)
{
	s->pid = tgid;
	s->origin = origin;
	s->cgroup_id = bpf_get_current_cgroup_id();
	s->start_ns = now;
	bpf_get_current_comm(s->comm, sizeof(s->comm));
}

/* The per-CPU entry of a process, made when missing (comm and cgroup from `s`). */
static __always_inline struct net_proc *proc_entry(__u32 tgid, const struct net_sk *s)
{
	struct net_proc *p = bpf_map_lookup_elem(&net_proc, &tgid);
	struct net_proc z = {};

	if (p)
		return p;
	z.cgroup_id = s->cgroup_id;
	__builtin_memcpy(z.comm, s->comm, sizeof(z.comm));
	if (bpf_map_update_elem(&net_proc, &tgid, &z, BPF_NOEXIST) && bpf_map_lookup_elem(&net_proc, &tgid) == NULL) {
		tot_add(NET_TOT_MAP_FULL, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&net_proc, &tgid);
}

static __always_inline struct net_host *host_entry(const struct sk_id *id)
{
	struct net_host_key k = { .family = id->family };
	struct net_host *h;
	struct net_host z = {};

	__builtin_memcpy(k.addr, id->daddr, sizeof(k.addr));
	h = bpf_map_lookup_elem(&net_host, &k);
	if (h)
		return h;
	if (bpf_map_update_elem(&net_host, &k, &z, BPF_NOEXIST) && bpf_map_lookup_elem(&net_host, &k) == NULL) {
		tot_add(NET_TOT_MAP_FULL, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&net_host, &k);
}

static __always_inline int has_remote(const struct sk_id *id)
{
	return id->dport != 0;
}

/* The TCP counters of a full socket (payload bytes counted once). */
static __always_inline void tcp_counters(struct tcp_sock *tp, __u64 *sent, __u64 *recv, __u64 *segs_out,
					 __u64 *segs_in, __u64 *retrans, __u64 *srtt)
{
	*sent = tp->bytes_sent - tp->bytes_retrans;
	/* bytes_received follows rcv_nxt, which a received FIN also moves (tcp_fin sets
	 * SOCK_DONE): one sequence number that carried no payload. */
	*recv = tp->bytes_received - ((tp->inet_conn.icsk_inet.sk.__sk_common.skc_flags >> SOCK_DONE) & 1);
	*segs_out = tp->segs_out;
	*segs_in = tp->segs_in;
	*retrans = tp->total_retrans;
	*srtt = tp->srtt_us >> 3;
}

/* Records the connection's counters so far as the base of its totals. */
static __always_inline void tcp_base(struct sock *sk, struct net_sk *s)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	__u64 rt, srtt;

	if (tp)
		tcp_counters(tp, &s->base_sent, &s->base_recv, &s->base_segs_out, &s->base_segs_in, &rt, &srtt);
}

static __always_inline void clear_base(struct net_sk *s)
{
	s->base_sent = s->base_recv = s->base_segs_out = s->base_segs_in = 0;
}

/* One send (dir 0) or receive (dir 1) of `len` bytes on `sk` by the current task. */
static __always_inline int on_io(struct sock *sk, __u64 len, int dir)
{
	__u16 family = sk->__sk_common.skc_family;
	__u16 proto = sk->sk_protocol;
	__u32 tgid;
	__u64 now;
	struct net_sk *s;
	struct net_proc *p;
	struct net_host *h;
	struct sk_id id = {};

	if ((family != AF_INET && family != AF_INET6) || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	now = bpf_ktime_get_ns();
	s = bpf_sk_storage_get(&net_sk, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	if (s->pid != tgid) {
		/* A TCP socket first seen here is older than the object: what it carried
		 * before is its base, left out of the process's and host's totals. */
		if (!s->pid && proto == IPPROTO_TCP)
			tcp_base(sk, s);
		take_owner(s, tgid, NET_ORIGIN_IO, now);
	}
	s->last_ns = now;
	if (proto == IPPROTO_TCP)
		return 0; /* TCP is counted by tcp_sock itself */
	sk_ident(&sk->__sk_common, &id);
	if (!filter_ok(NET_PROTO_UDP, &id, tgid, s->cgroup_id))
		return 0;
	if (dir == 0) {
		__sync_fetch_and_add(&s->bytes_sent, len);
		__sync_fetch_and_add(&s->dgrams_sent, 1);
	} else {
		__sync_fetch_and_add(&s->bytes_recv, len);
		__sync_fetch_and_add(&s->dgrams_recv, 1);
	}
	p = proc_entry(tgid, s);
	if (p) {
		if (dir == 0) {
			p->udp_bytes_sent += len;
			p->udp_sent++;
		} else {
			p->udp_bytes_recv += len;
			p->udp_recv++;
		}
	}
	if (!has_remote(&id)) {
		if (dir == 0)
			tot_add(NET_TOT_UDP_UNCONN, 1);
		return 0;
	}
	h = host_entry(&id);
	if (h) {
		if (dir == 0) {
			h->bytes_sent += len;
			h->packets_sent++;
		} else {
			h->bytes_recv += len;
			h->packets_recv++;
		}
	}
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(net_send, struct sock *sk, int ret, int flags)
{
	bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (ret <= 0 || !sk)
		return 0;
	return on_io(sk, ret, 0);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(net_recv, struct sock *sk, int ret, int flags)
{
	bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	/* A peek leaves the bytes queued: they count when they are read. */
	if (ret <= 0 || !sk || (flags & MSG_PEEK))
		return 0;
	return on_io(sk, ret, 1);
}

/* Not inlined, so that struct net_ev reaches the object's BTF. */
static __noinline void submit(struct net_ev *e)
{
	bpf_ringbuf_submit(e, 0);
}

/* Reserves and fills an event of `type` on `sk` (owner `s`, may be NULL), when the
 * sampling keeps it. */
static __always_inline struct net_ev *emit(__u32 type, struct sock *sk, const struct sk_id *id,
					   const struct net_sk *s)
{
	__u32 pid = s ? s->pid : 0;
	__u64 cg = s ? s->cgroup_id : 0;
	__u32 zero = 0;
	__u32 *on = bpf_map_lookup_elem(&net_evon, &zero);
	struct tcp_sock *tp;
	struct net_ev *e;
	__u64 weight;

	if (!on || !*on)
		return NULL;
	/* Class: the event type, both resets as one kind. */
	weight = BPFSCOPE_SAMPLE(net_smp, NET_SRC_EVENTS, 0, pid, cg, type == NET_EV_RST_RECV ? NET_EV_RST_SENT : type);
	if (!weight)
		return NULL;
	e = BPFSCOPE_RINGBUF_RESERVE(&net_events, struct net_ev, &net_stats);
	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->pid = pid;
	e->cgroup_id = cg;
	e->ts_ns = bpf_ktime_get_ns();
	e->cookie = bpf_get_socket_cookie(sk);
	e->family = id->family;
	e->sport = id->sport;
	e->dport = id->dport;
	e->netns = id->netns;
	__builtin_memcpy(e->saddr, id->saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, id->daddr, sizeof(e->daddr));
	e->weight = weight;
	if (s) {
		e->start_ns = s->start_ns;
		__builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
	}
	tp = bpf_skc_to_tcp_sock(sk);
	if (tp)
		tcp_counters(tp, &e->bytes_sent, &e->bytes_received, &e->segs_out, &e->segs_in, &e->retrans, &e->srtt_us);
	return e;
}

/* A closing connection's totals go to its owner's process and its remote host. */
static __always_inline void account_close(struct sock *sk, const struct sk_id *id, const struct net_sk *s)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	__u64 sent, recv, so, si, rt, srtt;
	struct net_proc *p;
	struct net_host *h;

	if (!tp || !s)
		return; /* not seen since the object loaded: nothing it carried is counted */
	tcp_counters(tp, &sent, &recv, &so, &si, &rt, &srtt);
	sent -= s->base_sent;
	recv -= s->base_recv;
	so -= s->base_segs_out;
	si -= s->base_segs_in;
	if (s->pid) {
		p = proc_entry(s->pid, s);
		if (p) {
			p->tcp_bytes_sent += sent;
			p->tcp_bytes_recv += recv;
			p->tcp_segs_out += so;
			p->tcp_segs_in += si;
		}
	}
	if (has_remote(id) && (so | si)) {
		h = host_entry(id);
		if (h) {
			h->bytes_sent += sent;
			h->bytes_recv += recv;
			h->packets_sent += so;
			h->packets_recv += si;
		}
	}
	tot_add(NET_TOT_CLOSES, 1);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(net_state, struct sock *sk, int oldstate, int newstate)
{
	struct net_sk *s;
	struct net_ev *e;
	struct sk_id id = {};
	__u32 type = NET_EV_STATE;
	__u64 now;

	bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_SYN_SENT || newstate == TCP_LISTEN) {
		/* connect() and listen(): the owner is current. */
		now = bpf_ktime_get_ns();
		s = bpf_sk_storage_get(&net_sk, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (s) {
			take_owner(s, bpf_get_current_pid_tgid() >> 32,
				   newstate == TCP_LISTEN ? NET_ORIGIN_LISTEN : NET_ORIGIN_CONNECT, now);
			clear_base(s);
		}
	} else {
		s = bpf_sk_storage_get(&net_sk, sk, 0, 0);
		/* A new child of a listener, with its listener's storage (BPF_F_CLONE):
		 * same owner, its own start. Current is not the owner here (softirq). */
		if (s && newstate == TCP_SYN_RECV) {
			s->origin = NET_ORIGIN_ACCEPT;
			s->start_ns = bpf_ktime_get_ns();
			s->last_ns = 0;
			clear_base(s);
		}
	}
	sk_ident(&sk->__sk_common, &id);
	/* Entering CLOSE the socket gives its port back (inet_num = 0) before the
	 * tracepoint; inet_sport still holds it. */
	if (!id.sport)
		id.sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	if (!filter_ok(NET_PROTO_TCP, &id, s ? s->pid : 0, s ? s->cgroup_id : 0))
		return 0;
	if (newstate == TCP_CLOSE) {
		account_close(sk, &id, s);
		type = NET_EV_CLOSE;
	} else if (newstate == TCP_ESTABLISHED && oldstate == TCP_SYN_SENT) {
		type = NET_EV_CONNECT;
	} else if (newstate == TCP_ESTABLISHED && oldstate == TCP_SYN_RECV) {
		type = NET_EV_ACCEPT;
	}
	e = emit(type, sk, &id, s);
	if (!e)
		return 0;
	e->old_state = oldstate;
	e->new_state = newstate;
	submit(e);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(net_retrans, struct sock *sk, struct sk_buff *skb, int err)
{
	struct net_sk *s;
	struct net_proc *p;
	struct net_ev *e;
	struct sk_id id = {};

	bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (!sk)
		return 0;
	s = bpf_sk_storage_get(&net_sk, sk, 0, 0);
	sk_ident(&sk->__sk_common, &id);
	if (!filter_ok(NET_PROTO_TCP, &id, s ? s->pid : 0, s ? s->cgroup_id : 0))
		return 0;
	tot_add(NET_TOT_RETRANS, 1);
	if (s && s->pid) {
		p = proc_entry(s->pid, s);
		if (p)
			p->retrans++;
	}
	e = emit(NET_EV_RETRANS, sk, &id, s);
	if (!e)
		return 0;
	e->old_state = e->new_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	submit(e);
	return 0;
}

/* A reset on `sk` (NULL: a reset for a packet no socket took; counted only while
 * no filter is active, as no part of one can judge it). Only a full socket has
 * storage (an owner): a time-wait or request socket is judged without one. */
static __always_inline int on_reset(struct sock *sk, __u32 slot, __u32 type)
{
	struct net_sk *s = NULL;
	struct net_ev *e;
	struct sk_id id = {};
	__u32 zero = 0, state;
	struct net_filter *f;

	if (!sk) {
		f = bpf_map_lookup_elem(&net_filter, &zero);
		if (!f || !f->parts)
			tot_add(slot, 1);
		return 0;
	}
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state != TCP_TIME_WAIT && state != TCP_NEW_SYN_RECV)
		s = bpf_sk_storage_get(&net_sk, sk, 0, 0);
	sk_ident(&sk->__sk_common, &id);
	if (!filter_ok(NET_PROTO_TCP, &id, s ? s->pid : 0, s ? s->cgroup_id : 0))
		return 0;
	tot_add(slot, 1);
	e = emit(type, sk, &id, s);
	if (!e)
		return 0;
	e->old_state = e->new_state = state;
	submit(e);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(net_rst_send, struct sock *sk, struct sk_buff *skb)
{
	bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	return on_reset(sk, NET_TOT_RST_SENT, NET_EV_RST_SENT);
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(net_rst_recv, struct sock *sk)
{
	bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	return on_reset(sk, NET_TOT_RST_RECV, NET_EV_RST_RECV);
}

/* Drops by reason. Under a netns part of the filter, a drop counts when its
 * device's or socket's netns is in the set (neither known: not counted). */
SEC("tp_btf/kfree_skb")
int BPF_PROG(net_drop, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	__u32 slot = reason < NET_DROP_SLOTS ? reason : NET_DROP_SLOTS - 1;
	__u32 zero = 0;
	struct net_filter *f;
	__u64 *v;

	bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	f = bpf_map_lookup_elem(&net_filter, &zero);
	if (f && (f->parts & NET_F_NETNS)) {
		struct net_device *dev = BPF_CORE_READ(skb, dev);
		__u32 ns = dev ? BPF_CORE_READ(dev, nd_net.net, ns.inum) : BPF_CORE_READ(skb, sk, __sk_common.skc_net.net, ns.inum);

		if (!ns || !bpf_map_lookup_elem(&net_fns, &ns))
			return 0;
	}
	v = bpf_map_lookup_elem(&net_drops, &slot);
	if (v)
		*v += 1;
	return 0;
}

/* Not inlined, so that struct net_conn reaches the object's BTF. */
static __noinline int conn_write(struct seq_file *seq, struct net_conn *r)
{
	return bpf_seq_write(seq, r, sizeof(*r));
}

static __always_inline void conn_fill(struct net_conn *r, const struct sk_id *id, const struct net_sk *s, struct sock *sk)
{
	if (sk)
		r->inode = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	r->family = id->family;
	r->sport = id->sport;
	r->dport = id->dport;
	r->netns = id->netns;
	__builtin_memcpy(r->saddr, id->saddr, sizeof(r->saddr));
	__builtin_memcpy(r->daddr, id->daddr, sizeof(r->daddr));
	if (s && s->pid) {
		r->owned = 1;
		r->pid = s->pid;
		r->origin = s->origin;
		r->cgroup_id = s->cgroup_id;
		r->start_ns = s->start_ns;
		r->last_ns = s->last_ns;
		r->base_sent = s->base_sent;
		r->base_recv = s->base_recv;
		r->base_segs_out = s->base_segs_out;
		r->base_segs_in = s->base_segs_in;
		__builtin_memcpy(r->comm, s->comm, sizeof(r->comm));
	}
}

SEC("iter/tcp")
int net_iter_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct net_conn r = {};
	struct sk_id id = {};
	struct net_sk *s = NULL;
	struct tcp_sock *tp;

	if (!skc) {
		bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
		return 0;
	}
	sk_ident(skc, &id);
	r.protocol = NET_PROTO_TCP;
	r.state = BPF_CORE_READ(skc, skc_state);
	r.uid = ctx->uid;
	tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		s = bpf_sk_storage_get(&net_sk, tp, 0, 0);
		r.cookie = bpf_get_socket_cookie(tp);
		r.tcp_full = 1;
		tcp_counters(tp, &r.bytes_sent, &r.bytes_received, &r.segs_out, &r.segs_in, &r.retrans, &r.srtt_us);
		r.bytes_acked = BPF_CORE_READ(tp, bytes_acked);
		if (r.state == TCP_LISTEN) {
			r.send_queue = BPF_CORE_READ(tp, inet_conn.icsk_inet.sk.sk_max_ack_backlog);
			r.recv_queue = BPF_CORE_READ(tp, inet_conn.icsk_inet.sk.sk_ack_backlog);
		} else {
			__s32 rq = BPF_CORE_READ(tp, rcv_nxt) - BPF_CORE_READ(tp, copied_seq);

			r.send_queue = (__u32)(BPF_CORE_READ(tp, write_seq) - BPF_CORE_READ(tp, snd_una));
			r.recv_queue = rq > 0 ? rq : 0;
		}
	}
	if (!filter_ok(NET_PROTO_TCP, &id, s ? s->pid : 0, s ? s->cgroup_id : 0))
		return 0;
	conn_fill(&r, &id, s, (struct sock *)tp);
	conn_write(ctx->meta->seq, &r);
	return 0;
}

SEC("iter/udp")
int net_iter_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;
	struct net_conn r = {};
	struct sk_id id = {};
	struct net_sk *s;
	struct sock *sk;

	if (!udp) {
		bpfscope_stat_add(&net_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
		return 0;
	}
	sk = (struct sock *)udp;
	sk_ident(&sk->__sk_common, &id);
	s = bpf_sk_storage_get(&net_sk, sk, 0, 0);
	if (!filter_ok(NET_PROTO_UDP, &id, s ? s->pid : 0, s ? s->cgroup_id : 0))
		return 0;
	r.protocol = NET_PROTO_UDP;
	r.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	r.uid = ctx->uid;
	r.cookie = bpf_get_socket_cookie(sk);
	r.send_queue = BPF_CORE_READ(sk, sk_wmem_alloc.refs.counter) - 1;
	r.recv_queue = BPF_CORE_READ(sk, sk_backlog.rmem_alloc.counter);
	if (s) {
		r.bytes_sent = s->bytes_sent;
		r.bytes_received = s->bytes_recv;
		r.dgrams_sent = s->dgrams_sent;
		r.dgrams_recv = s->dgrams_recv;
	}
	conn_fill(&r, &id, s, sk);
	conn_write(ctx->meta->seq, &r);
	return 0;
}
