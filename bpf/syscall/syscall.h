/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs shared between syscall.bpf.c and @bpfscope/plugin-syscall. The
 * TypeScript decoders take their layouts from this object's BTF. */
#ifndef BPFSCOPE_SYSCALL_H
#define BPFSCOPE_SYSCALL_H

#define SC_MAX_SYSCALLS 512 /* x86_64 numbers are below 512 */
#define SC_EXECVE_ID 59     /* x86_64 execve */

/* Per syscall id, per CPU. errors and total_ns stay 0 in counts-only mode. */
struct sc_stat {
	__u64 count;    /* entries into the syscall */
	__u64 errors;   /* returns in [-4095, -1] */
	__u64 total_ns; /* time from entry to return */
};

/* Key of the per-process table: one entry per (process, syscall). */
struct sc_proc_key {
	__u32 tgid;
	__u32 id;
};

/* Settings written once by user space before the programs attach. */
struct sc_config {
	__u32 follow_forks;   /* 1: children of a process in sc_pids join it */
	__u32 per_process;    /* 1: keep the per-process table sc_proc */
	__u32 latency;        /* 1: record entry times for sc_exit (latency mode) */
	__u32 spawn_parent;   /* non-zero: processes this tgid forks join sc_pids at their next exec (it does not) */
	__u32 exclude_tgid;   /* non-zero: this process is never counted (a collector leaving itself out) */
};

/* The filters, in two generations (halves). User space writes the whole filter of the
 * inactive generation (its sc_filter entry, its keys in sc_pids, sc_comms, sc_cgroups
 * and its half of sc_sys_on), then flips sc_gen, one u32: a program reads sc_gen once
 * per call and judges the call by one generation only, so it never sees a half-written
 * filter. The old generation is cleared at the next change, not at the flip (a call in
 * flight may still be reading it). */
#define SC_GENS 2
#define SC_MODE_OFF 0   /* the part does not filter */
#define SC_MODE_ALLOW 1 /* count only what the set holds */
#define SC_MODE_DENY 2  /* count all but what the set holds */
#define SC_MAX_COMMS 64   /* per generation */
#define SC_MAX_CGROUPS 64 /* per generation */
#define SC_COMM_LEN 16

struct sc_filter {
	__u32 pid_mode;    /* SC_MODE_*, over sc_pids (processes: tgid) */
	__u32 comm_mode;   /* SC_MODE_*, over sc_comms (the calling thread's comm) */
	__u32 cgroup_mode; /* SC_MODE_*, over sc_cgroups (cgroup v2 id of the calling task) */
	__u32 sys_filter;  /* 1: count only syscalls set in this generation's half of sc_sys_on */
};

struct sc_pid_key {
	__u32 gen;
	__u32 tgid;
};

struct sc_comm_key {
	__u32 gen;
	char comm[SC_COMM_LEN];
};

struct sc_cgroup_key {
	__u64 id;
	__u32 gen;
	__u32 pad;
};

/* Values of sc_pids. */
#define SC_PID_FOLLOWED 1 /* counted */
#define SC_PID_AT_EXEC 2  /* forked by spawn_parent: counted from its next exec on */

/* Counts-only mode, one per CPU: a run of consecutive calls of one syscall by one
 * process on this CPU, not yet added to sc_proc. sys_enter knows the task by its
 * pt_regs pointer (the top of its kernel stack, its own while it lives), so a call by
 * the task the slot names needs no helper call to learn its tgid; sys_enter flushes
 * the run when the syscall or the task changes, sched_switch flushes it and clears
 * the slot. User space adds every CPU's run to what it reads from sc_proc. */
#define SC_NO_ID 0xffffffffu /* sc_cpu.id when the slot holds no run */
struct sc_cpu {
	__u64 regs;    /* pt_regs of the task the slot names; 0: none (learn it again) */
	__u64 pending; /* calls of id by tgid on this CPU not yet added to sc_proc */
	__u32 tgid;    /* process of that task */
	__u32 id;      /* syscall of the pending calls, or SC_NO_ID */
	__u32 seq;     /* odd while the run is being replaced; +2 per replacement */
	__u32 pad;
};

/* Entry time of the syscall a thread is in (latency mode). */
struct sc_start {
	__u64 ts;
	__u32 id;
	__u32 pad;
};

#endif
