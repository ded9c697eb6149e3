// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture: counts the switches to a task other than the idle task (pid 0),
 * i.e. every time some task starts to run, so a test can compare the cpu
 * family's run-queue latency samples (one per such switch) with it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* [0]: switches to a task that is not the idle task. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} si_count SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(si_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0;
	__u64 *n;

	if (next->pid == 0)
		return 0;
	n = bpf_map_lookup_elem(&si_count, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
