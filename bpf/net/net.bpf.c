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
 * time. Maps: net_maps.h; socket readers and entries: net_sock.h; events:
 * net_events.h; the iterators: net_iter.h. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "bpfscope_ringbuf.h"
#include "bpfscope_sampling.h"
#include "net.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#include "net_maps.h"
#include "net_sock.h"
#include "net_events.h"

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
	if (net_detail_off) {
		if (dir == 0 && !has_remote(&id))
			tot_add(NET_TOT_UDP_UNCONN, 1);
		return 0;
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

/* A closing connection's totals go to its owner's process and its remote host. */
static __always_inline void account_close(struct sock *sk, const struct sk_id *id, const struct net_sk *s)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	__u64 sent, recv, so, si, rt, srtt;
	struct net_proc *p;
	struct net_host *h;

	if (!tp || !s)
		return; /* not seen since the object loaded: nothing it carried is counted */
	if (net_detail_off) {
		tot_add(NET_TOT_CLOSES, 1);
		return;
	}
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
	if (s && s->pid && !net_detail_off) {
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

#include "net_resets.h"
#include "net_iter.h"
