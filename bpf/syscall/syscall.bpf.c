// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Syscall counts, errors and latency per syscall and per process, and sampled per-call
 * events, from the raw syscall tracepoints (tp_btf: no tracefs, no kprobes).
 *
 * One loaded object serves up to SC_SLOTS engines of a process (syscall.h): each call
 * is judged and counted once per slot in use, by that slot's filter into that slot's
 * counters. Counts-only mode attaches sc_enter alone (and the rare sc_fork, sc_exec), which
 * keeps a few runs of calls per slot and CPU, each of one syscall by one process, instead
 * of updating the per-process hash at every call (struct sc_cpu); user space adds the runs
 * to what it reads. Latency mode (the load-time constant sc_latency) attaches sc_exit too (errors
 * need the return value, so they come with latency).
 * Per-process detail (sc_proc, and sc_cpu's runs) is kept only for a slot whose sc_gen
 * word has SC_GEN_PROCS: off by default, it costs an engine that leaves it off one bit test.
 * Filters (pids allow/deny, descendants of given processes followed at fork, comms,
 * cgroup ids, mount and network namespaces, syscall ids) live in maps that user space
 * changes at run time, in two generations flipped by one word per slot. A process
 * forked by spawn_parent is counted from its exec (sc_exec). Syscall ids the tables do
 * not hold (>= SC_MAX_SYSCALLS, x32) are counted as drops, never ignored silently.
 * While a consumer is subscribed (sc_config.events), one call in sample_every that a
 * slot lets through goes into the sc_events ring buffer. Loops over the slots are
 * unrolled, so each slot's code sees its slot number as a constant; what is branchy or
 * rare in it is in global functions, verified once per program (syscall_slot.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_stats.h"
#include "bpfscope_hist.h"
#include "bpfscope_ringbuf.h"
#include "bpfscope_sampling.h"
#include "syscall.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Fixed at load: latency mode (sc_exit attached, calls counted at their return). */
const volatile __u32 sc_latency = 0;

/* Index slot * SC_MAX_SYSCALLS + id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_SLOTS * SC_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct sc_stat);
} sc_counts SEC(".maps");

/* Latency histograms: key slot * SC_MAX_SYSCALLS + id, value the log2 slots of the
 * latency in ns. One array for all CPUs (atomic adds): per CPU it would take SC_SLOTS MB
 * of kernel memory per CPU. User space reads the histograms of the ids it needs, one
 * lookup each. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_SLOTS * SC_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct sc_hist);
} sc_lat_hist SEC(".maps");

/* Per-process detail is opt-in: allocated as rows appear (a preallocated table takes its
 * max_entries times the CPUs in kernel memory, and about 60 ms of every load here). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct sc_proc_key);
	__type(value, struct sc_stat);
} sc_proc SEC(".maps");

/* Entry time per thread: task-local storage, cheaper than a hash keyed by tid
 * and freed with the task. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sc_start);
} sc_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_SLOTS * SC_RUNS);
	__type(key, __u32);
	__type(value, struct sc_cpu);
} sc_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_SLOTS);
	__type(key, __u32);
	__type(value, struct sc_sampling);
} sc_sampling SEC(".maps");

BPFSCOPE_RINGBUF_MAP(sc_events, 1 << 20);

/* Per slot (its engine's event source): the run-time sampling decision of its events
 * (bpfscope_sampling.h), after sample_every: priority by process, cgroup or syscall id,
 * tail on the call's duration (latency mode), uniform, token bucket. */
BPFSCOPE_SAMPLING_MAPS(sc_smp, SC_SLOTS);

BPFSCOPE_STATS_MAP(sc_stats);

/* Keeps struct sc_event in the object's BTF, where user space reads its layout. */
const struct sc_event sc_event_btf_anchor __attribute__((unused)) = {};

#include "syscall_filter.h"
#include "syscall_count.h"
#include "syscall_slot.h"

SEC("tp_btf/sys_enter")
int BPF_PROG(sc_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ts = 0, every;
	__u32 tgid = pid_tgid >> 32, sid = (__u32)id, slots = 0, procs = 0, s, w;
	__u8 changes[SC_SLOTS] = {};
	bool at_exit = sc_latency && !never_returns(sid);
	struct sc_start *st;
	struct sc_view v;

	bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (id < 0 || id >= SC_MAX_SYSCALLS) {
		/* No slot in the tables: a drop for each slot that counts this process. */
#pragma unroll
		for (s = 0; s < SC_SLOTS; s++)
			if ((w = sc_gen_word(s)) & SC_GEN_ACTIVE)
				sc_enter_unknown(s, w, tgid);
		return 0;
	}
#pragma unroll
	for (s = 0; s < SC_SLOTS; s++) {
		w = sc_gen_word(s);
		if (!sc_view(s, w, &v) || !judge(&v, w, tgid, sid))
			continue;
		slots |= 1u << s;
		procs |= (w & SC_GEN_PROCS) << s;
		changes[s] = w >> SC_GEN_CHANGES_SHIFT;
		/* In latency mode sc_exit counts the call, with its result and time. */
		if (at_exit)
			continue;
		if (sc_latency)
			count_call(s, tgid, sid, w & SC_GEN_PROCS);
		else
			count_pending(s, tgid, sid, w & SC_GEN_PROCS);
		if (v.cfg->events) {
			if (!ts)
				ts = bpf_ktime_get_ns();
			if ((every = sample_every(s, v.cfg)))
				sc_enter_event(s, every, pid_tgid, sid, ts);
		}
	}
	if (!slots || !at_exit)
		return 0;
	st = bpf_task_storage_get(&sc_start, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		/* No storage: count the call without its result rather than lose it. */
#pragma unroll
		for (s = 0; s < SC_SLOTS; s++)
			if (slots & (1u << s))
				count_call(s, tgid, sid, procs & (SC_GEN_PROCS << s));
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	st->ts = bpf_ktime_get_ns();
	st->id = sid;
	st->slots = slots;
	__builtin_memcpy(st->changes, changes, sizeof(changes));
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sc_exit, struct pt_regs *regs, long ret)
{
	__u64 ns, ts, every;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, id, slots, s, w;
	__u8 st_changes[SC_SLOTS];
	bool err = ret < 0 && ret >= -4095;
	struct sc_start *st;
	struct sc_view v;

	bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	st = bpf_task_storage_get(&sc_start, bpf_get_current_task_btf(), 0, 0);
	if (!st || !st->ts)
		return 0;
	ts = st->ts;
	ns = bpf_ktime_get_ns() - ts;
	id = st->id;
	slots = st->slots;
	__builtin_memcpy(st_changes, st->changes, sizeof(st_changes));
	st->ts = 0;
	if (id >= SC_MAX_SYSCALLS)
		return 0;
#pragma unroll
	for (s = 0; s < SC_SLOTS; s++) {
		/* A slot released since the entry is not counted into (its next user starts at 0). */
		if (!(slots & (1u << s)))
			continue;
		w = sc_gen_word(s);
		if (!sc_view(s, w, &v))
			continue;
		count_return(s, tgid, id, err, ns, w & SC_GEN_PROCS);
		/* Counted as judged at entry, but an event only under the filter in force: a
		 * call that entered before a change (a long read) is no event of the new filter. */
		if (v.cfg->events && st_changes[s] == (__u8)(w >> SC_GEN_CHANGES_SHIFT) && (every = sample_every(s, v.cfg)))
			sc_exit_event(s << 16 | id, every, ts, ns, ret);
	}
	return 0;
}

/* A new process inherits its parent's membership, per slot: of the pid set with
 * follow_forks, and always of a descendantsOf tree. A process forked by spawn_parent
 * (the profiler starting its command) waits for its exec (SC_PID_AT_EXEC): what the
 * profiler's code does in it between fork and exec is not the command's. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, s;
	struct sc_pid_key key;
	struct sc_view v;
	__u8 bits, p;

	if (ptgid == ctgid)
		return 0;
#pragma unroll
	for (s = 0; s < SC_SLOTS; s++) {
		if (!sc_view(s, sc_gen_word(s), &v))
			continue;
		p = pid_bits(v.fi, ptgid);
		bits = p & SC_PID_TREE;
		if (v.cfg->follow_forks) {
			if (v.cfg->spawn_parent && ptgid == v.cfg->spawn_parent)
				bits |= SC_PID_AT_EXEC;
			else
				bits |= p & (SC_PID_FOLLOWED | SC_PID_AT_EXEC);
		}
		if (!bits)
			continue;
		key.gen = v.fi;
		key.tgid = ctgid;
		if (bpf_map_update_elem(&sc_pids, &key, &bits, BPF_ANY))
			bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
	}
	return 0;
}

/* A process waiting for its exec is in the pid set from here on. The execve that got
 * here entered before it was: it is counted now (as strace counts it), without its
 * result or time. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid, s, w;

#pragma unroll
	for (s = 0; s < SC_SLOTS; s++)
		if ((w = sc_gen_word(s)) & SC_GEN_ACTIVE)
			sc_exec_slot(s, w, tgid);
	return 0;
}
