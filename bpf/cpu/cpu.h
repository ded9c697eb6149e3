/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs shared between cpu.bpf.c and @bpfscope/plugin-cpu. The TypeScript
 * decoder takes its offsets from this object's BTF, not from this file. */
#ifndef BPFSCOPE_CPU_H
#define BPFSCOPE_CPU_H

/* One per CPU (the only entry of a per-CPU array). Times in ns of CLOCK_MONOTONIC. */
struct cpu_times {
	__u64 busy_ns;          /* a task other than the idle task ran */
	__u64 idle_ns;          /* the idle task ran (includes what /proc/stat calls iowait) */
	__u64 irq_ns;           /* in device hard-IRQ handlers */
	__u64 softirq_ns;       /* in softirq handlers, less nested hard IRQs */
	__u64 idle_irq_ns;      /* part of idle_ns spent in hard IRQs and softirqs */
	__u64 switches;         /* context switches */
	__u64 last_switch_ns;   /* when the CPU last went from idle to a task or back (its time since
	                         * is in neither busy_ns nor idle_ns yet); 0 before the first switch */
	__u64 irq_start_ns;     /* start of the hard IRQ in progress, else 0 */
	__u64 softirq_start_ns; /* start of the softirq in progress, else 0 */
	__u32 curr_idle;        /* 1 while the idle task runs */
	__u32 runq_off;         /* 1: this kernel keeps no run-queue stamp: run-queue latency unmeasured */
};

#endif
