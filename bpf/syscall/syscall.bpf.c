// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Syscall counts, errors and latency per syscall and per process, and sampled per-call
 * events, from the raw syscall tracepoints (tp_btf: no tracefs, no kprobes).
 *
 * One loaded object serves up to SC_SLOTS engines of a process (syscall.h): each call
 * is judged and counted once per slot in use, by that slot's filter into that slot's
 * counters. Counts-only mode attaches sc_enter, which keeps a run of calls of one
 * syscall per slot and CPU instead of updating the per-process hash at every call
 * (struct sc_cpu), and sc_switch on sched_switch, which flushes the runs at each
 * context switch. Latency mode (the load-time constant sc_latency) attaches sc_exit
 * instead of sc_switch (errors need the return value, so they come with latency).
 * Filters (pids allow/deny, descendants of given processes followed at fork, comms,
 * cgroup ids, mount and network namespaces, syscall ids) live in maps that user space
 * changes at run time, in two generations flipped by one word per slot. A process
 * forked by spawn_parent is counted from its exec (sc_exec). Syscall ids the tables do
 * not hold (>= SC_MAX_SYSCALLS, x32) are counted as drops, never ignored silently.
 * While a consumer is subscribed (sc_config.events), one call in sample_every that a
 * slot lets through goes into the sc_events ring buffer. Loops over the slots are
 * unrolled, so each slot's code sees its slot number as a constant. */
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
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
	__uint(max_entries, SC_SLOTS);
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

/* The sc_proc entry of (slot, tgid, id), created if missing; NULL when the table is full,
 * and then the `lost` calls it was meant for are counted as drops. */
static __always_inline struct sc_stat *proc_entry(__u32 slot, __u32 tgid, __u32 id, __u64 lost)
{
	struct sc_proc_key key = { .tgid = tgid, .id = id, .slot = slot };
	struct sc_stat *s = bpf_map_lookup_elem(&sc_proc, &key);
	struct sc_stat zero = {};

	if (s)
		return s;
	if (bpf_map_update_elem(&sc_proc, &key, &zero, BPF_NOEXIST) && bpf_map_update_elem(&sc_proc, &key, &zero, BPF_ANY)) {
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, lost);
		return NULL;
	}
	return bpf_map_lookup_elem(&sc_proc, &key);
}

/* Calls that never return to sys_exit: counted at entry in latency mode too. */
static __always_inline bool never_returns(long id)
{
	return id == 60 /* exit */ || id == 231 /* exit_group */;
}

static __always_inline void count_call(__u32 slot, __u32 tgid, __u32 sid)
{
	__u32 at = slot * SC_MAX_SYSCALLS + sid;
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &at);

	if (s)
		s->count++;
	s = proc_entry(slot, tgid, sid, 1);
	if (s)
		s->count++;
}

/* Move the run held by this CPU's slot into sc_proc, under the run's own tgid and
 * id. A full sc_proc, or a run under SC_NO_ID, counts its calls as drops. */
static __always_inline void flush_pending(__u32 slot, struct sc_cpu *cpu)
{
	__u32 tgid = cpu->tgid, id = cpu->id;
	__u64 n = __sync_lock_test_and_set(&cpu->pending, 0);
	struct sc_stat *s;

	if (!n)
		return;
	if (id >= SC_MAX_SYSCALLS) {
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, n);
		return;
	}
	s = proc_entry(slot, tgid, id, n);
	if (s)
		__sync_fetch_and_add(&s->count, n);
}

/* Counts-only mode: add the call to this CPU's run of the slot, first flushing the run
 * when it is of another task or another syscall. The replacement of a run sits between
 * two increments of seq (atomic, so neither the compiler nor the CPU moves the other
 * writes across them): user space takes a copy of the run only when seq was the same
 * even number before and after it.
 *
 * Preemption. Since 6.13 the syscall tracepoints are faultable, but the kernels we
 * know (up to 6.18) still disable preemption around the BPF programs of a syscall
 * tracepoint, so nothing else runs on this CPU in the middle of sc_enter. Should a
 * kernel run them preemptibly, taking pending with an atomic exchange means two
 * flushes that interleave never both get the same calls, and an interleaving moves
 * seq by more than this call's own change: sc_enter then clears the run's task, so at
 * worst the call in flight is attributed to the other task or counted as a drop. */
static __always_inline void count_pending(__u32 slot, __u64 regs, __u32 tgid, __u32 sid)
{
	__u32 at = slot * SC_MAX_SYSCALLS + sid, seq;
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &at);
	struct sc_cpu *cpu = bpf_map_lookup_elem(&sc_cpu, &slot);

	if (s)
		s->count++;
	if (!cpu) {
		s = proc_entry(slot, tgid, sid, 1);
		if (s)
			s->count++;
		return;
	}
	seq = cpu->seq;
	if (cpu->regs != regs || cpu->id != sid || cpu->tgid != tgid) {
		__sync_fetch_and_add(&cpu->seq, 1);
		flush_pending(slot, cpu);
		cpu->tgid = tgid;
		cpu->id = sid;
		cpu->regs = regs;
		__sync_fetch_and_add(&cpu->seq, 1);
		seq += 2;
	}
	__sync_fetch_and_add(&cpu->pending, 1);
	if (cpu->seq != seq)
		cpu->regs = 0;
}

/* While the slot's consumer is subscribed: one call in sample_every is offered to the
 * slot's sampling decision, and what it passes goes into the ring with the product of
 * the two weights. Every call that got here is counted in `seen` (and the decision counts
 * its own outcomes), so sampled-away calls are known. */
static __always_inline void send_event(struct sc_view *v, __u64 pid_tgid, __u32 sid, __u64 ts, __u64 dur, __s64 ret, __u32 has_ret)
{
	struct sc_sampling *sm;
	struct sc_event *e;
	__u64 every, n, w;

	if (!v->cfg->events)
		return;
	sm = bpf_map_lookup_elem(&sc_sampling, &v->slot);
	if (!sm)
		return;
	every = v->cfg->sample_every;
	n = __sync_fetch_and_add(&sm->seen, 1) + 1;
	if (every > 1 && n % every)
		return;
	w = BPFSCOPE_SAMPLE(sc_smp, v->slot, dur, pid_tgid >> 32, BPFSCOPE_SMP_CGROUP_CURRENT, sid);
	if (!w)
		return;
	e = BPFSCOPE_RINGBUF_RESERVE(&sc_events, struct sc_event, &sc_stats);
	if (!e) {
		__sync_fetch_and_add(&sm->dropped, 1);
		return;
	}
	__sync_fetch_and_add(&sm->sent, 1);
	e->ts = ts;
	e->duration_ns = dur;
	e->ret = ret;
	e->weight = (every > 1 ? every : 1) * w;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->id = sid;
	e->slot = v->slot;
	e->has_ret = has_ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sc_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ts = 0;
	__u32 tgid = pid_tgid >> 32, sid = (__u32)id, slots = 0, s;
	__u8 changes[SC_SLOTS] = {};
	bool at_exit = sc_latency && !never_returns(id);
	struct sc_start *st;
	struct sc_view v;

	bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (id < 0 || id >= SC_MAX_SYSCALLS) {
		/* No slot in the tables: a drop for each slot that counts this process. */
#pragma unroll
	for (s = 0; s < SC_SLOTS; s++)
			if (sc_view(s, &v) && wanted_pid(&v, tgid))
				bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
#pragma unroll
	for (s = 0; s < SC_SLOTS; s++) {
		if (!sc_view(s, &v) || !wanted(&v, tgid, sid))
			continue;
		slots |= 1u << s;
		changes[s] = v.changes;
		/* In latency mode sc_exit counts the call, with its result and time. */
		if (at_exit)
			continue;
		if (sc_latency)
			count_call(s, tgid, sid);
		else
			count_pending(s, (__u64)regs, tgid, sid);
		if (v.cfg->events) {
			if (!ts)
				ts = bpf_ktime_get_ns();
			send_event(&v, pid_tgid, sid, ts, 0, 0, 0);
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
				count_call(s, tgid, sid);
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	st->ts = bpf_ktime_get_ns();
	st->id = sid;
	st->slots = slots;
	__builtin_memcpy(st->changes, changes, sizeof(changes));
	return 0;
}

/* Counts-only mode: at each context switch every slot's run on this CPU goes to sc_proc
 * and the run forgets its task. Besides keeping runs short-lived, this is what keeps a
 * run from outliving the task it names: a task created later can get the dead task's
 * kernel stack, hence its pt_regs pointer, and would be taken for it. */
static __always_inline void switch_slot(__u32 slot)
{
	struct sc_cpu *cpu = bpf_map_lookup_elem(&sc_cpu, &slot);

	if (!cpu || (!cpu->regs && !cpu->pending))
		return;
	__sync_fetch_and_add(&cpu->seq, 1);
	flush_pending(slot, cpu);
	cpu->regs = 0;
	cpu->id = SC_NO_ID;
	__sync_fetch_and_add(&cpu->seq, 1);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sc_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* Written out: clang does not unroll a loop whose counter is a map key. */
	_Static_assert(SC_SLOTS == 4, "one switch_slot() per slot");
	switch_slot(0);
	switch_slot(1);
	switch_slot(2);
	switch_slot(3);
	return 0;
}

static __always_inline void count_return(__u32 slot, __u32 tgid, __u32 id, bool err, __u64 ns)
{
	__u32 at = slot * SC_MAX_SYSCALLS + id, bucket = bpfscope_log2_slot(ns);
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &at);
	struct sc_hist *h;

	if (s) {
		s->count++;
		s->errors += err;
		s->total_ns += ns;
	}
	if (bucket >= BPFSCOPE_HIST_SLOTS)
		bucket = BPFSCOPE_HIST_SLOTS - 1;
	h = bpf_map_lookup_elem(&sc_lat_hist, &at);
	if (h)
		__sync_fetch_and_add(&h->slots[bucket & (BPFSCOPE_HIST_SLOTS - 1)], 1);
	s = proc_entry(slot, tgid, id, 1);
	if (s) {
		s->count++;
		s->errors += err;
		s->total_ns += ns;
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sc_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ns, ts;
	__u32 tgid = pid_tgid >> 32, id, slots, s;
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
		if (!(slots & (1u << s)) || !sc_view(s, &v))
			continue;
		count_return(s, tgid, id, err, ns);
		/* Counted as judged at entry, but an event only under the filter in force: a
		 * call that entered before a change (a long read) is no event of the new filter. */
		if (st_changes[s] == v.changes)
			send_event(&v, pid_tgid, id, ts, ns, ret, 1);
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
		if (!sc_view(s, &v))
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
	__u32 tgid = p->tgid, s;
	struct sc_pid_key key;
	struct sc_view v;
	__u8 bits;

#pragma unroll
	for (s = 0; s < SC_SLOTS; s++) {
		if (!sc_view(s, &v))
			continue;
		bits = pid_bits(v.fi, tgid);
		if (!(bits & SC_PID_AT_EXEC))
			continue;
		bits = (bits & ~SC_PID_AT_EXEC) | SC_PID_FOLLOWED;
		key.gen = v.fi;
		key.tgid = tgid;
		if (bpf_map_update_elem(&sc_pids, &key, &bits, BPF_ANY)) {
			bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
			continue;
		}
		if (wanted(&v, tgid, SC_EXECVE_ID))
			count_call(s, tgid, SC_EXECVE_ID);
	}
	return 0;
}
