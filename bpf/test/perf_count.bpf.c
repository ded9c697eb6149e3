// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture for perf_event sampling: counts samples per CPU and, in one
 * shared atomic slot, in total, so a test can check that the per-CPU values
 * add up; a second slot counts the samples that interrupted one process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfscope_stats.h"
#include "perf_count.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PERFC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} perfc_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PERFC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} perfc_total SEC(".maps");

/* [0]: the tgid whose samples PERFC_TARGET counts (0: none). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} perfc_config SEC(".maps");

BPFSCOPE_STATS_MAP(perfc_stats);

static __always_inline void perfc_count(__u32 slot)
{
	__u64 *mine = bpf_map_lookup_elem(&perfc_counts, &slot);
	__u64 *total = bpf_map_lookup_elem(&perfc_total, &slot);

	if (mine)
		*mine += 1;
	if (total)
		__sync_fetch_and_add(total, 1);
}

SEC("perf_event")
int perfc_sample(struct bpf_perf_event_data *ctx)
{
	__u32 zero = 0;
	__u32 *target = bpf_map_lookup_elem(&perfc_config, &zero);

	bpfscope_stat_add(&perfc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	perfc_count(PERFC_ALL);
	if (target && *target != 0 && (bpf_get_current_pid_tgid() >> 32) == *target)
		perfc_count(PERFC_TARGET);
	return 0;
}
