// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture for uprobes: counts the calls of a user-space function per
 * process (tgid) and sums its first argument at entry and its return value at
 * return, so a test that makes a known number of calls with known arguments
 * can compare exactly. A full map is counted as a drop, never lost silently. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfscope_stats.h"
#include "uprobe_count.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UPC_MAX_PROCESSES);
	__type(key, __u32);
	__type(value, struct upc_value);
} upc_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UPC_MAX_PROCESSES);
	__type(key, __u32);
	__type(value, struct upc_value);
} upc_rets SEC(".maps");

BPFSCOPE_STATS_MAP(upc_stats);

static __always_inline void upc_add(void *map, __s64 value)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct upc_value *v = bpf_map_lookup_elem(map, &tgid);

	bpfscope_stat_add(&upc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (!v) {
		struct upc_value zero = {};

		/* EEXIST when another CPU inserted it first: fine, look it up again. */
		bpf_map_update_elem(map, &tgid, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(map, &tgid);
		if (!v) {
			bpfscope_stat_add(&upc_stats, BPFSCOPE_STAT_DROPS, 1);
			return;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->sum, (__u64)value);
}

SEC("uprobe")
int BPF_KPROBE(upc_entry, int arg)
{
	upc_add(&upc_calls, arg);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(upc_return, int ret)
{
	upc_add(&upc_rets, ret);
	return 0;
}
