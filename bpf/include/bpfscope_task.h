/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* CO-RE readers of task fields whose layout changed across kernels, shared by
 * the families that read them (mm counters: bpfscope_mm.h). Include after vmlinux.h and
 * bpf/bpf_core_read.h. */
#ifndef BPFSCOPE_TASK_H
#define BPFSCOPE_TASK_H

/* Before 5.14 task_struct's state field was `state`, not `__state`. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* The task's scheduler state bits (TASK_RUNNING = 0). */
static __always_inline long bpfscope_task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

#endif
