/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records shared between mem.bpf.c and @bpfscope/plugin-mem. Decoders take
 * their layouts from this object's BTF. */
#ifndef BPFSCOPE_MEM_H
#define BPFSCOPE_MEM_H

#define MEM_COMM_LEN 16

/* Page faults of one process, from the task iterator (leader: whole group). */
struct mem_faults {
	__u32 tgid;
	__u32 tid;
	__u64 min_flt;        /* this thread's minor faults */
	__u64 maj_flt;        /* this thread's major faults */
	__u64 dead_min_flt;   /* leader only: faults of threads that exited */
	__u64 dead_maj_flt;
	char comm[MEM_COMM_LEN];
};

/* An OOM kill: the victim the OOM killer marked (tracepoint oom:mark_victim). */
struct mem_oom_ev {
	__u32 pid;            /* victim tgid */
	__u32 uid;
	__s32 oom_score_adj;
	__u32 pad;
	__u64 ts_ns;          /* CLOCK_MONOTONIC */
	__u64 cgroup_id;      /* cgroup v2 id of the victim */
	__u64 memcg_id;       /* id of the victim's memory cgroup, on whichever
	                       * hierarchy (v1 or v2) holds the memory controller */
	__u64 total_vm_pages;
	__u64 anon_rss_pages;
	__u64 file_rss_pages;
	__u64 shmem_rss_pages;
	__u64 weight;         /* OOM kills this one stands for (its sampling weight; 1 unsampled) */
	char comm[MEM_COMM_LEN];
};

/* The changes to the cgroup hierarchies (map mem_cgroup_changes, one entry). */
struct mem_cgroup_changes {
	__u64 count;          /* cgroups made, removed, renamed; hierarchies set up, destroyed, remounted */
	__u64 last_ns;        /* CLOCK_MONOTONIC of the last one (0: none yet) */
};

#endif
