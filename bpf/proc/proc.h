/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records shared between proc.bpf.c and @bpfscope/plugin-proc. Decoders take
 * their layouts from this object's BTF. */
#ifndef BPFSCOPE_PROC_H
#define BPFSCOPE_PROC_H

#define PROC_COMM_LEN 16

/* One per thread from the task iterator; user space sums a process's threads.
 * Times in ns. Process-wide fields (ppid, uid, nr_threads, mm sizes, signal_*)
 * are filled on the thread-group leader only (is_leader = 1). */
struct proc_task {
	__u32 tid;
	__u32 tgid;
	__u32 ppid;           /* real parent's tgid */
	__u32 uid;            /* real uid (cred) */
	__u32 euid;
	__s32 prio;           /* kernel priority (0-139) */
	__s32 static_prio;    /* 120 + nice for normal tasks */
	__u32 state;          /* __state bits */
	__u32 flags;          /* PF_* flags (PF_KTHREAD = 0x00200000) */
	__u32 nr_threads;
	__u32 is_leader;
	__u32 exit_state;
	__u64 utime_ns;       /* tick-sampled user time */
	__u64 stime_ns;       /* tick-sampled system time */
	__u64 runtime_ns;     /* se.sum_exec_runtime: exact CPU time */
	__u64 start_boottime_ns; /* since boot, including suspend */
	__u64 min_flt;
	__u64 maj_flt;
	__u64 rchar;
	__u64 wchar;
	__u64 syscr;
	__u64 syscw;
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 cancelled_write_bytes;
	__u64 rss_pages;      /* file + anon + shmem resident pages, exact (per-CPU parts summed, as VmRSS) */
	__u64 vm_pages;       /* total_vm */
	__u64 cgroup_id;      /* cgroup v2 id (kernfs node id) */
	__u64 nvcsw;          /* this task's voluntary context switches */
	__u64 nivcsw;         /* this task's involuntary context switches */
	/* Totals of threads that already exited (leader only). */
	__u64 signal_utime_ns;
	__u64 signal_stime_ns;
	__u64 signal_runtime_ns;
	__u64 signal_min_flt;
	__u64 signal_maj_flt;
	__u64 signal_read_bytes;
	__u64 signal_write_bytes;
	__u64 signal_rchar;
	__u64 signal_wchar;
	__u64 signal_syscr;
	__u64 signal_syscw;
	__u64 signal_cancelled_write_bytes;
	char comm[PROC_COMM_LEN];
};

enum proc_ev_type {
	PROC_EV_FORK = 1,
	PROC_EV_EXEC = 2,
	PROC_EV_EXIT = 3,
};

/* Process lifecycle events through the ring buffer. */
struct proc_ev {
	__u32 type;           /* enum proc_ev_type */
	__u32 pid;            /* tgid of the process */
	__u32 tid;
	__u32 ppid;           /* parent tgid (fork: the child's real parent) */
	__s32 exit_code;      /* exit: as wait() reports it */
	__u32 pad;
	__u64 ts_ns;          /* CLOCK_MONOTONIC */
	__u64 cgroup_id;
	/* Exit only (sent when the last thread of the group exits): the whole
	 * process's totals at its end (all its threads). */
	__u64 runtime_ns;
	__u64 utime_ns;
	__u64 stime_ns;
	__u64 min_flt;
	__u64 maj_flt;
	__u64 rchar;
	__u64 wchar;
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 hiwater_rss_pages; /* peak resident set over the process's life, as getrusage's ru_maxrss (pages) */
	char comm[PROC_COMM_LEN];
};

#endif
