/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs shared between syscall.bpf.c and @bpfscope/plugin-syscall. The
 * TypeScript decoders take their layouts from this object's BTF. */
#ifndef BPFSCOPE_SYSCALL_H
#define BPFSCOPE_SYSCALL_H

#define SC_MAX_SYSCALLS 512 /* x86_64 numbers are below 512 */
#define SC_EXECVE_ID 59     /* x86_64 execve */

/* One loaded object serves up to SC_SLOTS engines of a process. Each engine takes a
 * slot: its own config, filter, counters, per-process rows and event settings. The
 * programs judge and count every call once per slot in use (sc_gen's SC_GEN_ACTIVE),
 * each slot by the same global BPF functions (syscall_slot.h). */
#define SC_SLOTS 4

/* Per slot and syscall id, per CPU. errors and total_ns stay 0 in counts-only mode. */
struct sc_stat {
	__u64 count;    /* entries into the syscall */
	__u64 errors;   /* returns in [-4095, -1] */
	__u64 total_ns; /* time from entry to return */
};

/* Latency histogram of one slot and syscall: slot i counts latencies in [2^(i-1), 2^i) ns. */
struct sc_hist {
	__u64 slots[64]; /* BPFSCOPE_HIST_SLOTS */
};

/* Key of the per-process table: one entry per (slot, process, syscall). */
struct sc_proc_key {
	__u32 tgid;
	__u32 id;
	__u32 slot;
};

/* Per slot, written by user space before the slot is marked in use; `events` and
 * `sample_every` change while it is. */
struct sc_config {
	__u32 follow_forks; /* 1: children of a process in the pid set join it */
	__u32 spawn_parent; /* non-zero: processes this tgid forks join the pid set at their next exec (it does not) */
	__u32 exclude_tgid; /* non-zero: this process is never counted (a collector leaving itself out) */
	__u32 events;       /* 1: a consumer is subscribed: send sampled per-call events (struct sc_event) */
	__u64 sample_every; /* events: one call in this many (>= 1) is sent */
};

/* The filters, per slot in two generations (halves). A filter index is
 * slot * SC_GENS + generation; the keys' `gen` field holds that index. User space
 * writes the whole filter of the slot's inactive generation (its sc_filter entry, its
 * keys in sc_pids, sc_comms, sc_ids and its part of sc_sys_on), then flips the slot's
 * sc_gen word: a program reads it once per call and judges the call by one generation
 * only, so it never sees a half-written filter. The old generation is cleared at the
 * next change, not at the flip (a call in flight may still be reading it). */
#define SC_GENS 2
#define SC_FILTERS (SC_SLOTS * SC_GENS)
#define SC_GEN_ACTIVE 2 /* sc_gen bit: the slot is in use; bit 0 is its generation */
#define SC_GEN_PROCS 4  /* sc_gen bit: per-process detail on (sc_proc, sc_cpu); off, a call costs the slot no per-process work */
#define SC_GEN_CHANGES_SHIFT 8 /* sc_gen bits 8-15: the slot's filter changes, mod 256 */
#define SC_MODE_OFF 0   /* the part does not filter */
#define SC_MODE_ALLOW 1 /* count only what the set holds */
#define SC_MODE_DENY 2  /* count all but what the set holds */
#define SC_MAX_PIDS 4096  /* per filter index */
#define SC_MAX_COMMS 64   /* per filter index */
#define SC_MAX_IDS 64     /* per filter index and kind */
#define SC_COMM_LEN 16

/* Kinds of sc_ids keys. */
#define SC_ID_CGROUP 0 /* cgroup v2 id of the calling task */
#define SC_ID_MNTNS 1  /* mount namespace inode number */
#define SC_ID_NETNS 2  /* network namespace inode number */
#define SC_ID_KINDS 3

struct sc_filter {
	__u32 pid_mode;    /* SC_MODE_*, over sc_pids' SC_PID_FOLLOWED (processes: tgid) */
	__u32 comm_mode;   /* SC_MODE_*, over sc_comms (the calling thread's comm) */
	__u32 cgroup_mode; /* SC_MODE_*, over sc_ids SC_ID_CGROUP */
	__u32 sys_filter;  /* 1: count only syscalls set in this index's part of sc_sys_on */
	__u32 mntns_mode;  /* SC_MODE_*, over sc_ids SC_ID_MNTNS */
	__u32 netns_mode;  /* SC_MODE_*, over sc_ids SC_ID_NETNS */
	__u32 tree_mode;   /* 1: count only processes with SC_PID_TREE (descendantsOf) */
	__u32 pad;
};

struct sc_pid_key {
	__u32 gen; /* filter index */
	__u32 tgid;
};

struct sc_comm_key {
	__u32 gen; /* filter index */
	char comm[SC_COMM_LEN];
};

struct sc_id_key {
	__u64 id;
	__u32 gen;  /* filter index */
	__u32 kind; /* SC_ID_* */
};

/* Bits of sc_pids values. */
#define SC_PID_FOLLOWED 1 /* in the pid set */
#define SC_PID_AT_EXEC 2  /* forked by spawn_parent: in the pid set from its next exec on */
#define SC_PID_TREE 4     /* a root of descendantsOf or one of its descendants */

/* Counts-only mode, per slot and CPU: SC_RUNS runs, each of consecutive or interleaved
 * calls of one syscall by one process on this CPU, not yet added to sc_proc (sc_cpu, key
 * slot * SC_RUNS + i). A call whose (tgid, id) has a run adds one to it; any other call
 * replaces the run the slot's first entry's `evict` points at (round robin), adding that
 * run to sc_proc first. So a few processes taking turns on a CPU with a few syscalls each
 * (a pipe ping-pong: two processes, read and write) touch the hash only at their first
 * calls. User space adds every run to what it reads from sc_proc. */
#define SC_RUNS 8
struct sc_cpu {
	__u64 pending; /* calls of id by tgid on this CPU not yet added to sc_proc */
	__u32 tgid;    /* process of the run; 0: no run yet (pid 0 makes no syscalls) */
	__u32 id;      /* syscall of the pending calls */
	__u32 seq;     /* odd while the run is being replaced; +2 per replacement */
	__u32 evict;   /* in the slot's first entry: the run the next new one replaces, mod SC_RUNS */
};

/* The syscall a thread is in (latency mode): entry time and the slots that took it. */
struct sc_start {
	__u64 ts;
	__u32 id;
	__u32 slots;              /* bit s: slot s's filter let the call through */
	__u8 changes[SC_SLOTS];   /* per slot: its filter changes then (sc_gen bits 8-15) */
	__u32 pad;
};

/* Per slot: the sampling of per-call events. `seen` counts the calls that passed the
 * slot's filter while events were on; of these, `sent` went into the ring, `dropped`
 * found it full and the rest were sampled away (seen - sent - dropped). */
struct sc_sampling {
	__u64 seen;
	__u64 sent;
	__u64 dropped;
};

/* Per slot, per CPU: the slot's own filter counts (sc_stats sums every slot). */
struct sc_slot_stat {
	__u64 hits;
	__u64 misses;
};

/* One sampled call, in the sc_events ring buffer. */
struct sc_event {
	__u64 ts;          /* bpf_ktime_get_ns() at entry */
	__u64 duration_ns; /* entry to return (has_ret), else 0 */
	__s64 ret;         /* the return value (has_ret), else 0 */
	__u64 weight;      /* calls this event stands for: the slot's sample_every */
	__u32 pid;         /* tgid */
	__u32 tid;
	__u32 id;
	__u32 slot;
	__u32 has_ret; /* 1: latency mode, the call returned (ret, duration_ns are set) */
	char comm[SC_COMM_LEN];
};

#endif
