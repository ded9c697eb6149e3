/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* CO-RE readers of task and mm fields whose layout changed across kernels,
 * shared by the families that read them. Include after vmlinux.h and
 * bpf/bpf_core_read.h. */
#ifndef BPFSCOPE_TASK_H
#define BPFSCOPE_TASK_H

/* Before 5.14 task_struct's state field was `state`, not `__state`. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* mm->rss_stat is a percpu_counter array since 6.2, an atomic_long_t array before. */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

/* MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES */
enum bpfscope_mm_counter {
	BPFSCOPE_MM_FILE = 0,
	BPFSCOPE_MM_ANON = 1,
	BPFSCOPE_MM_SWAP = 2,
	BPFSCOPE_MM_SHMEM = 3,
};

/* The task's scheduler state bits (TASK_RUNNING = 0). */
static __always_inline long bpfscope_task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* One mm counter in pages (the approximate value procfs shows too); 0 without an mm. */
static __always_inline __u64 bpfscope_mm_counter(struct mm_struct *mm, int i)
{
	__s64 n;

	if (!mm || i < 0 || i > 3)
		return 0;
	if (bpf_core_field_exists(mm->rss_stat[0].count))
		n = BPF_CORE_READ(mm, rss_stat[i].count);
	else
		n = BPF_CORE_READ((struct mm_struct___pre62 *)mm, rss_stat.count[i].counter);
	return n > 0 ? n : 0;
}

/* Resident pages: file + anon + shmem (swap entries are not resident). */
static __always_inline __u64 bpfscope_rss_pages(struct mm_struct *mm)
{
	return bpfscope_mm_counter(mm, BPFSCOPE_MM_FILE) + bpfscope_mm_counter(mm, BPFSCOPE_MM_ANON) +
	       bpfscope_mm_counter(mm, BPFSCOPE_MM_SHMEM);
}

#endif
