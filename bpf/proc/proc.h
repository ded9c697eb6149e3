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
	__u32 mnt_ns;         /* mount namespace inode number (nsproxy->mnt_ns->ns.inum); 0 for an exiting task */
	__u32 net_ns;         /* network namespace inode number (nsproxy->net_ns->ns.inum); 0 for an exiting task */
	__u32 filter_pass;    /* the filter slots (bits) the task's process passed; 0 while no slot is active */
	__u32 pad;
	char comm[PROC_COMM_LEN];
};

/* Kernel filters of the task iterator (engine.setFilter on the proc family). The
 * object is shared by the engines of one process, so each engine that pushes a
 * filter down gets a slot, one bit of the masks below; a task is written when its
 * process passes any active slot, or when some reader wants every task (`open`),
 * and its record says which slots it passed (filter_pass), so each engine keeps
 * only its own. A process is judged by its thread-group leader (its tgid, comm,
 * cgroup, namespaces and kind), so the threads of a process pass or fail together.
 * User space writes a slot's set entries before it marks the slot active, and
 * clears them after a newer slot took over, so a run sees whole filters only. */
#define PROC_FILTER_SLOTS 32
#define PF_KTHREAD_FLAG 0x00200000

/* proc_filter[0]: which slots use which part. A part a slot does not use lets
 * everything through for that slot. */
struct proc_filter {
	__u32 active;      /* slots in use */
	__u32 open;        /* non-zero: a reader with no kernel filter wants every task */
	__u32 pid_allow;   /* slots with an allow list of tgids (proc_fpid) */
	__u32 pid_deny;    /* slots with a deny list of tgids */
	__u32 comm_allow;  /* slots with an allow list of leader comms (proc_fcomm) */
	__u32 comm_deny;
	__u32 cg_allow;    /* slots with an allow list of cgroup v2 ids (proc_fcgrp) */
	__u32 cg_deny;
	__u32 mnt_allow;   /* slots with an allow list of mount namespaces (proc_fns) */
	__u32 net_allow;   /* slots with an allow list of network namespaces (proc_fns) */
	__u32 user_ok;     /* slots that keep user processes (every slot without a kind part) */
	__u32 kernel_ok;   /* slots that keep kernel threads (PF_KTHREAD) */
};

/* Value of the set maps: for each slot (bit), whether the key is in its allow
 * list and whether it is in its deny list. */
struct proc_fset {
	__u32 allow;
	__u32 deny;
};

#define PROC_NS_MNT 1
#define PROC_NS_NET 2

/* Key of proc_fns. */
struct proc_ns_key {
	__u32 type;        /* PROC_NS_MNT or PROC_NS_NET */
	__u32 inum;
};

struct proc_comm_key {
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
	__u64 weight;            /* events of this source this one stands for (its sampling weight; 1 unsampled) */
	char comm[PROC_COMM_LEN];
};

#endif
