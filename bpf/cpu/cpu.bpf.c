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

/* When the task became runnable (0: not waiting), in the task's own storage: a wake-up
 * and a switch-in each find it with one lookup on the task, where a hash keyed by pid
 * needed an update and a delete (a hash bucket lock each) per wait. Freed with the task,
 * so no table fills up. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} cpu_runq_ts SEC(".maps");

BPFSCOPE_HIST_MAP(cpu_runq_hist);
BPFSCOPE_STATS_MAP(cpu_stats);

static __always_inline struct cpu_times *this_cpu(void)
{
	__u32 zero = 0;

	bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	return bpf_map_lookup_elem(&cpu_times, &zero);
}

/* The task waits in a run queue from `now`. The storage is made at the task's first
 * wait; when the kernel cannot make or lock it (no memory, or another program holds the
 * task's storage lock), the wait is counted as a drop. */
static __always_inline void runq_enqueue(struct task_struct *p, __u64 now)
{
	__u64 *ts;

	if (p->pid == 0)
		return;
	ts = bpf_task_storage_get(&cpu_runq_ts, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = now;
	else
		bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_DROPS, 1);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(cpu_wakeup, struct task_struct *p)
{
	bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	runq_enqueue(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(cpu_wakeup_new, struct task_struct *p)
{
	bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	runq_enqueue(p, bpf_ktime_get_ns());
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
		runq_enqueue(prev, now);
	if (next_pid == 0)
		return 0;
	start = bpf_task_storage_get(&cpu_runq_ts, next, 0, 0);
	if (start && *start) {
		if (now > *start)
			bpfscope_hist_add(&cpu_runq_hist, now - *start);
		*start = 0;
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
