/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The connection table: iter/tcp and iter/udp, one struct net_conn per socket. Included by net.bpf.c only. */
#ifndef BPFSCOPE_NET_ITER_H
#define BPFSCOPE_NET_ITER_H

/* Not inlined, so that struct net_conn reaches the object's BTF. */
static __noinline int conn_write(struct seq_file *seq, struct net_conn *r)
{
	return bpf_seq_write(seq, r, sizeof(*r));
}

static __always_inline void conn_fill(struct net_conn *r, const struct sk_id *id, const struct net_sk *s, struct sock *sk)
{
	/* The socket's inode sits next to its struct socket (struct socket_alloc, the kernel's
	 * SOCK_INODE, as sock_i_ino reads it): one pointer less to chase per row than through
	 * its file. Other fields are direct loads (the verifier's fault-safe PROBE_MEM): a
	 * bpf_probe_read_kernel call per field cost more than the rest of a row. */
	struct socket *so = sk ? sk->sk_socket : NULL;

	if (so) {
		struct socket_alloc *sa = (void *)so - bpf_core_field_offset(struct socket_alloc, socket);

		bpf_core_read(&r->inode, sizeof(r->inode), &sa->vfs_inode.i_ino);
	}
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
	r.state = skc->skc_state;
	r.uid = ctx->uid;
	tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		s = bpf_sk_storage_get(&net_sk, tp, 0, 0);
		r.cookie = bpf_get_socket_cookie(tp);
		r.tcp_full = 1;
		tcp_counters(tp, &r.bytes_sent, &r.bytes_received, &r.segs_out, &r.segs_in, &r.retrans, &r.srtt_us);
		r.bytes_acked = tp->bytes_acked;
		if (r.state == TCP_LISTEN) {
			r.send_queue = tp->inet_conn.icsk_inet.sk.sk_max_ack_backlog;
			r.recv_queue = tp->inet_conn.icsk_inet.sk.sk_ack_backlog;
		} else {
			__s32 rq = tp->rcv_nxt - tp->copied_seq;

			r.send_queue = (__u32)(tp->write_seq - tp->snd_una);
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
	r.state = sk->__sk_common.skc_state;
	r.uid = ctx->uid;
	r.cookie = bpf_get_socket_cookie(sk);
	r.send_queue = sk->sk_wmem_alloc.refs.counter - 1;
	r.recv_queue = sk->sk_backlog.rmem_alloc.counter;
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

#endif
