/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TCP events into the ring buffer, decided by the sampling first. Included by net.bpf.c only. */
#ifndef BPFSCOPE_NET_EVENTS_H
#define BPFSCOPE_NET_EVENTS_H

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

#endif
