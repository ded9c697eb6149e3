// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* CPU time accounting at scheduler resolution, and run-queue latency.
 * Only tp_btf hooks: they work where kprobe/fentry and tracefs do not. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_stats.h"
#include "bpfscope_hist.h"
#include "bpfscope_task.h"
#include "cpu.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_RUNNING 0

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_times);
} cpu_times SEC(".maps");

/* pid -> when it became runnable. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} cpu_runq_start SEC(".maps");

BPFSCOPE_HIST_MAP(cpu_runq_hist);
BPFSCOPE_STATS_MAP(cpu_stats);

static __always_inline struct cpu_times *this_cpu(void)
{
	__u32 zero = 0;

	bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	return bpf_map_lookup_elem(&cpu_times, &zero);
}

static __always_inline void runq_enqueue(__u32 pid)
{
	__u64 ts;

	if (pid == 0)
		return;
	ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&cpu_runq_start, &pid, &ts, BPF_ANY))
		bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_DROPS, 1);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(cpu_wakeup, struct task_struct *p)
{
	bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	runq_enqueue(p->pid);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(cpu_wakeup_new, struct task_struct *p)
{
	bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	runq_enqueue(p->pid);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(cpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct cpu_times *t = this_cpu();
	__u64 now = bpf_ktime_get_ns();
	__u32 next_pid = next->pid;
	__u64 *start;

	if (!t)
		return 0;
	if (t->last_switch_ns) {
		__u64 ran = now - t->last_switch_ns;

		if (t->curr_idle)
			t->idle_ns += ran;
		else
			t->busy_ns += ran;
	}
	t->last_switch_ns = now;
	t->curr_idle = next_pid == 0;
	t->switches++;

	/* A preempted task stays runnable: it waits in the run queue from now. */
	if (bpfscope_task_state(prev) == TASK_RUNNING)
		runq_enqueue(prev->pid);
	if (next_pid == 0)
		return 0;
	start = bpf_map_lookup_elem(&cpu_runq_start, &next_pid);
	if (start) {
		if (now > *start)
			bpfscope_hist_add(&cpu_runq_hist, now - *start);
		bpf_map_delete_elem(&cpu_runq_start, &next_pid);
	}
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(cpu_irq_entry, int irq, struct irqaction *action)
{
	struct cpu_times *t = this_cpu();

	if (t)
		t->irq_start_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(cpu_irq_exit, int irq, struct irqaction *action, int ret)
{
	struct cpu_times *t = this_cpu();
	__u64 d;

	if (!t || !t->irq_start_ns)
		return 0;
	d = bpf_ktime_get_ns() - t->irq_start_ns;
	t->irq_ns += d;
	if (t->curr_idle)
		t->idle_irq_ns += d;
	/* A hard IRQ inside a softirq: keep it out of the softirq's time. */
	if (t->softirq_start_ns)
		t->softirq_start_ns += d;
	t->irq_start_ns = 0;
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(cpu_sirq_entry, unsigned int vec)
{
	struct cpu_times *t = this_cpu();

	if (t)
		t->softirq_start_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(cpu_sirq_exit, unsigned int vec)
{
	struct cpu_times *t = this_cpu();
	__u64 now = bpf_ktime_get_ns();
	__u64 d;

	if (!t || !t->softirq_start_ns)
		return 0;
	d = now > t->softirq_start_ns ? now - t->softirq_start_ns : 0;
	t->softirq_ns += d;
	if (t->curr_idle)
		t->idle_irq_ns += d;
	t->softirq_start_ns = 0;
	return 0;
}
