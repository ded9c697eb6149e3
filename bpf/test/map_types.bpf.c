// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture for map types, typed layouts and load-time constants: one map
 * of each common type, and a sched_switch program that, for one target
 * process, counts its switches per CPU, records kernel stacks and writes a
 * record of known values (from the const volatile settings below). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_stats.h"
#include "map_types.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Load-time settings (.rodata), written by user space before load. */
const volatile __u32 target_tgid = 0;
const volatile bool probe_enabled = false;
const volatile __u16 probe_small = 0;
const volatile __u64 probe_magic = 0;
const volatile __s32 probe_signed = 0;
const volatile char probe_tag[8] = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} mt_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct mt_value);
} mt_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} mt_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} mt_pcpu_array SEC(".maps");

/* tgid -> its switches, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} mt_pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MT_STACK_DEPTH * sizeof(__u64));
} mt_stacks SEC(".maps");

/* tgid -> record of known values. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct mt_record);
} mt_records SEC(".maps");

BPFSCOPE_STATS_MAP(mt_stats);

SEC("tp_btf/sched_switch")
int BPF_PROG(mt_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tgid = prev->tgid;
	__u32 zero = 0;
	struct mt_record *rec;
	__u64 none = 0, *n;

	bpfscope_stat_add(&mt_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (!probe_enabled || tgid != target_tgid)
		return 0;

	n = bpf_map_lookup_elem(&mt_pcpu_array, &zero);
	if (n)
		*n += 1;
	/* Create at zero, then count: when two CPUs create the entry at once,
	 * one insert fails and both still count. */
	n = bpf_map_lookup_elem(&mt_pcpu_hash, &tgid);
	if (!n) {
		bpf_map_update_elem(&mt_pcpu_hash, &tgid, &none, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&mt_pcpu_hash, &tgid);
	}
	if (n)
		*n += 1;

	rec = bpf_map_lookup_elem(&mt_records, &tgid);
	if (!rec) {
		struct mt_record init = {};

		init.kind = MT_RECORD_KIND;
		init.small = probe_small;
		init.tgid = tgid;
		init.magic = probe_magic;
		/* One volatile read per byte: a memcpy that casts the volatile
		 * away would let clang use the zero initializer instead. */
		for (int i = 0; i < sizeof(init.tag); i++)
			init.tag[i] = probe_tag[i];
		init.neg = probe_signed;
		bpf_probe_read_kernel(init.comm, sizeof(init.comm), &prev->group_leader->comm);
		init.stack_id = -1;
		bpf_map_update_elem(&mt_records, &tgid, &init, BPF_NOEXIST);
		rec = bpf_map_lookup_elem(&mt_records, &tgid);
		if (!rec)
			return 0;
	}
	__sync_fetch_and_add(&rec->switches, 1);
	rec->stack_id = bpf_get_stackid(ctx, &mt_stacks, 0);
	return 0;
}
