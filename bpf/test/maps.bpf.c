// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture for map operations: a big hash that user space fills, and
 * sched_switch counters kept twice, per CPU and in one shared atomic slot, so
 * a test can check that the per-CPU values add up to the total. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfscope_stats.h"
#include "maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TEST_HASH_ENTRIES);
	__type(key, __u32);
	__type(value, struct test_value);
} test_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TEST_COUNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} test_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TEST_COUNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} test_total SEC(".maps");

/* [0]: the tgid whose switches TEST_COUNT_TARGET counts (0: none). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} test_config SEC(".maps");

BPFSCOPE_STATS_MAP(test_stats);

static __always_inline void count(__u32 slot)
{
	__u64 *mine = bpf_map_lookup_elem(&test_counts, &slot);
	__u64 *total = bpf_map_lookup_elem(&test_total, &slot);

	if (mine)
		*mine += 1;
	if (total)
		__sync_fetch_and_add(total, 1);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(test_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0;
	__u32 *target = bpf_map_lookup_elem(&test_config, &zero);

	bpfscope_stat_add(&test_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	count(TEST_COUNT_SWITCHES);
	if (target && *target != 0 && prev->tgid == *target)
		count(TEST_COUNT_TARGET);
	return 0;
}
