/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Reading a socket (its identity, its TCP counters), judging it by the filter, and
 * the per-process and per-host entries it counts into. Included by net.bpf.c only. */
#ifndef BPFSCOPE_NET_SOCK_H
#define BPFSCOPE_NET_SOCK_H

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

#endif
