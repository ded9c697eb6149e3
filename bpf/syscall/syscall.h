/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs shared between syscall.bpf.c and @bpfscope/plugin-syscall. The
 * TypeScript decoders take their layouts from this object's BTF. */
#ifndef BPFSCOPE_SYSCALL_H
#define BPFSCOPE_SYSCALL_H

#define SC_MAX_SYSCALLS 512 /* x86_64 numbers are below 512 */

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

/* Run-time settings, written by user space without a reload. */
struct sc_config {
	__u32 pid_filter;     /* 1: count only processes in sc_pids */
	__u32 sys_filter;     /* 1: count only syscalls set in sc_sys_on */
	__u32 follow_forks;   /* 1: children of a process in sc_pids join it */
	__u32 per_process;    /* 1: keep the per-process table sc_proc */
	__u32 latency;        /* 1: record entry times for sc_exit (latency mode) */
	__u32 spawn_parent;   /* non-zero: processes this tgid forks join sc_pids (it does not) */
};

/* Entry time of the syscall a thread is in (latency mode). */
struct sc_start {
	__u64 ts;
	__u32 id;
	__u32 pad;
};

#endif
