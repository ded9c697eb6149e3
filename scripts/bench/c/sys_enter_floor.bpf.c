// Reference programs: what a hook costs before any counting, on this kernel and CPU.
// For scripts/bench/syscall-overhead.mjs, floor_empty does nothing on sys_enter and
// floor_pid only asks who is calling (the one helper call that per-process counting cannot
// do without) and stores the answer in a per-CPU slot. For the ping-pong floor of
// scripts/bench/overhead.mjs, floor_empty and floor_sched_switch: empty programs on the two
// hooks the ping-pong runs through (every system call, every context switch).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} floor_last SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_empty, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_pid, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&floor_last, &zero);

	if (last)
		*last = bpf_get_current_pid_tgid();
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}
