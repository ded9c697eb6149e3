// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Resets (sent, received) and drops by reason: counted in the totals, resets also as
 * events. Included by net.bpf.c after its maps, filter and event helpers. */
#ifndef BPFSCOPE_NET_RESETS_H
#define BPFSCOPE_NET_RESETS_H

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

#endif
