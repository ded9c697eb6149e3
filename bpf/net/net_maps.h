/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The net object's maps: stats, events and sampling, socket storage, per-process and
 * per-host counts, totals, drops and the filter. Included by net.bpf.c only. */
#ifndef BPFSCOPE_NET_MAPS_H
#define BPFSCOPE_NET_MAPS_H

#define AF_INET 2
#define AF_INET6 10
#define MSG_PEEK 2

BPFSCOPE_STATS_MAP(net_stats);
BPFSCOPE_RINGBUF_MAP(net_events, 1 << 20);
BPFSCOPE_SAMPLING_MAPS(net_smp, NET_SRC_N);

/* Written by user space at run time (the overhead governor's level 1), no reload: non-zero
 * sheds the per-process and per-host accounting (net_proc, net_host: a hash lookup, and an
 * insert for a new key, per send or receive call, per TCP close and per retransmit). The
 * socket storage (owners, UDP socket counters) and the totals go on, so the connection table
 * stays exact. A global in .bss: one plain load, no map lookup. */
__u32 net_detail_off = 0;

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

#endif
