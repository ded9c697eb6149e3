/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records that iter_task.bpf.c writes with bpf_seq_write, one per task or map.
 * User space decodes them with layouts read from the object's BTF. */
#ifndef BPFSCOPE_TEST_ITER_TASK_H
#define BPFSCOPE_TEST_ITER_TASK_H

/* One task (thread) of the system. */
struct iter_task_rec {
	__u32 pid;        /* thread id (task->pid) */
	__u32 tgid;       /* process id */
	__u32 ppid;       /* real_parent->tgid, as /proc/<pid>/stat reports it */
	__u32 state;      /* task->__state */
	__u64 utime;      /* ns of user CPU time */
	__u64 stime;      /* ns of system CPU time */
	__u64 start_time; /* ns since boot (CLOCK_MONOTONIC) */
	char comm[16];
};

/* One BPF map of the system. */
struct iter_map_rec {
	__u32 id;
	__u32 map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	char name[16];
};

#endif
