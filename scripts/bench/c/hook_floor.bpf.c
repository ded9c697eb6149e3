// The floor of the ping-pong's slowdown in scripts/bench/overhead.mjs: empty programs on
// the two hooks the ping-pong runs through (every system call, every context switch),
// the hooks the four families' programs sit on there (sc_enter, cpu_switch). Whatever a
// program on these hooks does, the traced work pays at least this.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}
