// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* CPU time accounting at scheduler resolution, and run-queue latency, from sched_switch
 * alone (no wake-up program: the scheduler's own queue stamp gives the wait) and the
 * interrupt hooks. Only tp_btf hooks: they work where kprobe/fentry and tracefs do not. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_stats.h"
#include "bpfscope_hist.h"
#include "cpu.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_times);
} cpu_times SEC(".maps");

BPFSCOPE_HIST_MAP(cpu_runq_hist);
BPFSCOPE_STATS_MAP(cpu_stats);

/* Written by user space at run time (the overhead governor's "counts only" level), no reload:
 * non-zero turns the run-queue latency part of cpu_switch off. A global in .bss, so the test
 * is one plain load from the map's value (no map lookup); the time counters are untouched. */
__u32 cpu_runq_shed = 0;

static __always_inline struct cpu_times *this_cpu(void)
{
	__u32 zero = 0;

	bpfscope_stat_add(&cpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	return bpf_map_lookup_elem(&cpu_times, &zero);
}

/* Run-queue latency without a program of its own: the scheduler stamps a task with its run
 * queue's clock when it queues it (woken, preempted, or moved to another CPU's queue:
 * sched_info.last_queued, kept for /proc/<pid>/schedstat and delay accounting) and takes the
 * stamp off right after sched_switch. At the switch-in the wait is the run queue's clock,
 * updated by __schedule() just before, less the stamp: the very difference the kernel adds
 * to the task's run_delay. A kernel without the stamp (CONFIG_SCHED_INFO) or without the
 * task's way to its run queue (se.cfs_rq, CONFIG_FAIR_GROUP_SCHED) says so in runq_off. */
static __always_inline void runq_wait(struct cpu_times *t, struct task_struct *next)
{
	__u64 queued, clock;

	if (!bpf_core_field_exists(next->sched_info.last_queued) || !bpf_core_field_exists(next->se.cfs_rq)) {
		t->runq_off = 1;
		return;
	}
	queued = next->sched_info.last_queued;
	if (!queued)
		return;
	clock = next->se.cfs_rq->rq->clock;
	bpfscope_hist_add(&cpu_runq_hist, clock > queued ? clock - queued : 0);
}

/* Busy and idle time change only when the CPU goes from the idle task to a task or back:
 * a switch from one task to another reads no clock (bpf_ktime_get_ns() is most of this
 * program's cost where the clock is paravirtual). */
SEC("tp_btf/sched_switch")
int BPF_PROG(cpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct cpu_times *t = this_cpu();
	__u32 next_idle = next->pid == 0;

	if (!t)
		return 0;
	t->switches++;
	if (!t->last_switch_ns || t->curr_idle != next_idle) {
		__u64 now = bpf_ktime_get_ns();

		if (t->last_switch_ns) {
			if (t->curr_idle)
				t->idle_ns += now - t->last_switch_ns;
			else
				t->busy_ns += now - t->last_switch_ns;
		}
		t->last_switch_ns = now;
		t->curr_idle = next_idle;
	}
	if (!next_idle && !cpu_runq_shed)
		runq_wait(t, next);
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
