// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Syscall counts, errors and latency per syscall and per process, from the
 * raw syscall tracepoints (tp_btf: no tracefs, no kprobes). Counts-only mode
 * attaches sc_enter, which keeps a run of calls of one syscall per CPU instead of
 * updating the per-process hash at every call (struct sc_cpu), and sc_switch on
 * sched_switch, which flushes the run at each context switch. Latency mode sets
 * sc_config.latency and attaches sc_exit instead of sc_switch (errors need the
 * return value, so they come with latency). PID (allow/deny), comm (allow/deny),
 * cgroup-id and syscall-id filters live in maps that user space changes at run time,
 * in two generations flipped by one word (struct sc_filter in syscall.h). A process forked by spawn_parent is
 * counted from its exec (sc_exec), so a launcher's own calls between fork and exec
 * are not. Syscall ids the tables do not hold (>= SC_MAX_SYSCALLS, x32) are
 * counted as drops, never ignored silently. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfscope_stats.h"
#include "bpfscope_hist.h"
#include "syscall.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct sc_stat);
} sc_counts SEC(".maps");

/* Latency histograms: key = id * 64 + log2 slot of the latency in ns. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_MAX_SYSCALLS * BPFSCOPE_HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384 * SC_GENS);
	__type(key, struct sc_pid_key);
	__type(value, __u8);
} sc_pids SEC(".maps");

/* Index gen * SC_MAX_SYSCALLS + id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_MAX_SYSCALLS * SC_GENS);
	__type(key, __u32);
	__type(value, __u8);
} sc_sys_on SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_COMMS * SC_GENS);
	__type(key, struct sc_comm_key);
	__type(value, __u8);
} sc_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_CGROUPS * SC_GENS);
	__type(key, struct sc_cgroup_key);
	__type(value, __u8);
} sc_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_GENS);
	__type(key, __u32);
	__type(value, struct sc_filter);
} sc_filter SEC(".maps");

/* The generation in force (0 or 1): the one word user space flips. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sc_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sc_config);
} sc_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sc_cpu);
} sc_cpu SEC(".maps");

BPFSCOPE_STATS_MAP(sc_stats);

static __always_inline struct sc_config *sc_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sc_config, &zero);
}

/* The filter in force: one read of sc_gen per call, so every part of the decision
 * comes from one generation. */
struct sc_view {
	struct sc_filter *f;
	__u32 gen;
};

static __always_inline bool sc_view(struct sc_view *v)
{
	__u32 zero = 0, *g = bpf_map_lookup_elem(&sc_gen, &zero), gen;

	if (!g)
		return false;
	gen = *g & 1;
	v->gen = gen;
	v->f = bpf_map_lookup_elem(&sc_filter, &gen);
	return v->f != NULL;
}

static __always_inline __u8 *pid_state(__u32 gen, __u32 tgid)
{
	struct sc_pid_key key = { .gen = gen, .tgid = tgid };

	return bpf_map_lookup_elem(&sc_pids, &key);
}

/* Whether this process passes the pid part (and is not the excluded collector). */
static __always_inline bool wanted_pid(struct sc_config *cfg, struct sc_view *v, __u32 tgid)
{
	__u8 *s;

	if (cfg->exclude_tgid && tgid == cfg->exclude_tgid)
		return false;
	if (v->f->pid_mode == SC_MODE_OFF)
		return true;
	s = pid_state(v->gen, tgid);
	if (v->f->pid_mode == SC_MODE_ALLOW)
		return s && *s == SC_PID_FOLLOWED;
	return !(s && *s == SC_PID_FOLLOWED);
}

static __always_inline bool in_set(__u32 mode, bool present)
{
	return mode == SC_MODE_OFF || (mode == SC_MODE_ALLOW ? present : !present);
}

static __always_inline bool wanted(struct sc_config *cfg, struct sc_view *v, __u32 tgid, __u32 id)
{
	struct sc_filter *f = v->f;

	if (!wanted_pid(cfg, v, tgid))
		goto miss;
	if (f->sys_filter) {
		__u32 slot = v->gen * SC_MAX_SYSCALLS + id;
		__u8 *on = bpf_map_lookup_elem(&sc_sys_on, &slot);

		if (!on || !*on)
			goto miss;
	}
	if (f->comm_mode != SC_MODE_OFF) {
		struct sc_comm_key key = { .gen = v->gen };

		bpf_get_current_comm(key.comm, sizeof(key.comm));
		if (!in_set(f->comm_mode, bpf_map_lookup_elem(&sc_comms, &key) != NULL))
			goto miss;
	}
	if (f->cgroup_mode != SC_MODE_OFF) {
		struct sc_cgroup_key key = { .id = bpf_get_current_cgroup_id(), .gen = v->gen };

		if (!in_set(f->cgroup_mode, bpf_map_lookup_elem(&sc_cgroups, &key) != NULL))
			goto miss;
	}
	if (f->pid_mode || f->sys_filter || f->comm_mode || f->cgroup_mode || cfg->exclude_tgid)
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_FILTER_HITS, 1);
	return true;
miss:
	bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_FILTER_MISS, 1);
	return false;
}

/* The sc_proc entry of (tgid, id), created if missing; NULL when the table is full,
 * and then the `lost` calls it was meant for are counted as drops. */
static __always_inline struct sc_stat *proc_entry(__u32 tgid, __u32 id, __u64 lost)
{
	struct sc_proc_key key = { .tgid = tgid, .id = id };
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

static __always_inline void count_call(struct sc_config *cfg, __u32 tgid, __u32 sid)
{
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &sid);

	if (s)
		s->count++;
	if (cfg->per_process) {
		s = proc_entry(tgid, sid, 1);
		if (s)
			s->count++;
	}
}

static __always_inline struct sc_cpu *cpu_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sc_cpu, &zero);
}

/* Move the run held by this CPU's slot into sc_proc, under the slot's own tgid and
 * id. A full sc_proc, or a run under SC_NO_ID, counts its calls as drops. */
static __always_inline void flush_pending(struct sc_cpu *cpu)
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
	s = proc_entry(tgid, id, n);
	if (s)
		__sync_fetch_and_add(&s->count, n);
}

/* Counts-only mode: add the call to this CPU's run, first flushing the run when it is
 * of another task or another syscall. The replacement of a run sits between two
 * increments of seq (atomic, so neither the compiler nor the CPU moves the other
 * writes across them): user space takes a copy of the slot only when seq was the
 * same even number before and after it.
 *
 * Preemption. Since 6.13 the syscall tracepoints are faultable, but the kernels we
 * know (up to 6.18) still disable preemption around the BPF programs of a syscall
 * tracepoint, so nothing else runs on this CPU in the middle of sc_enter. Should a
 * kernel run them preemptibly, sc_switch and other tasks' sc_enter could. Taking
 * pending with an atomic exchange means two flushes that interleave never both get
 * the same calls: nothing is added twice. An interleaving also moves seq by more
 * than this call's own change; sc_enter then clears the slot's task, so the slot can
 * mix two tasks for the call in flight only: at worst that call is attributed to the
 * other task or counted as a drop (under SC_NO_ID), the same class of risk as the
 * plain per-CPU increments of sc_counts. */
static __always_inline void count_pending(struct sc_cpu *cpu, __u64 regs, __u32 tgid, __u32 sid, __u32 seq)
{
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &sid);

	if (s)
		s->count++;
	if (cpu->regs != regs || cpu->id != sid) {
		__sync_fetch_and_add(&cpu->seq, 1);
		flush_pending(cpu);
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

SEC("tp_btf/sys_enter")
int BPF_PROG(sc_enter, struct pt_regs *regs, long id)
{
	struct sc_config *cfg = sc_cfg();
	struct sc_cpu *cpu = NULL;
	__u32 tgid, seq = 0, sid = (__u32)id;
	struct sc_start *st;
	struct sc_view v;

	bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (!cfg || !sc_view(&v))
		return 0;
	if (id < 0 || id >= SC_MAX_SYSCALLS) {
		/* No slot in the tables: a drop, when the process is one we count. */
		if (wanted_pid(cfg, &v, bpf_get_current_pid_tgid() >> 32))
			bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	if (!cfg->latency && cfg->per_process)
		cpu = cpu_slot();
	if (cpu) {
		/* The slot names this task (same kernel stack): its tgid without a helper
		 * call. The slot is learned here, never from sched_switch's `next`: on the
		 * 6.18 development kernel a sched_switch program does not see every switch
		 * (a CPU's next traced switch can have a `prev` other than the last `next`),
		 * so "the last next" is not always the task running. */
		seq = cpu->seq;
		tgid = cpu->regs == (__u64)regs ? cpu->tgid : bpf_get_current_pid_tgid() >> 32;
	} else {
		tgid = bpf_get_current_pid_tgid() >> 32;
	}
	if (!wanted(cfg, &v, tgid, sid))
		return 0;
	if (cpu) {
		count_pending(cpu, (__u64)regs, tgid, sid, seq);
		return 0;
	}
	/* In latency mode sc_exit counts the call, with its result and time. */
	if (!cfg->latency || never_returns(id)) {
		count_call(cfg, tgid, sid);
		return 0;
	}
	st = bpf_task_storage_get(&sc_start, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		/* No storage: count the call without its result rather than lose it. */
		count_call(cfg, tgid, sid);
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	st->ts = bpf_ktime_get_ns();
	st->id = sid;
	return 0;
}

/* Counts-only mode: at each context switch the run on this CPU goes to sc_proc and
 * the slot forgets its task. Besides keeping runs short-lived, this is what keeps a
 * slot from outliving the task it names: a task created later can get the dead
 * task's kernel stack, hence its pt_regs pointer, and would be taken for it. That
 * takes both the switch out of the old task and the one into the new task on this
 * CPU to go unseen by this program. */
SEC("tp_btf/sched_switch")
int BPF_PROG(sc_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct sc_cpu *cpu = cpu_slot();

	if (!cpu || (!cpu->regs && !cpu->pending))
		return 0;
	__sync_fetch_and_add(&cpu->seq, 1);
	flush_pending(cpu);
	cpu->regs = 0;
	cpu->id = SC_NO_ID;
	__sync_fetch_and_add(&cpu->seq, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sc_exit, struct pt_regs *regs, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct sc_config *cfg = sc_cfg();
	struct sc_start *st;
	struct sc_stat *s;
	__u64 ns;
	__u32 id, slot;
	bool err = ret < 0 && ret >= -4095;

	bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	st = bpf_task_storage_get(&sc_start, bpf_get_current_task_btf(), 0, 0);
	if (!st || !cfg || !st->ts)
		return 0;
	ns = bpf_ktime_get_ns() - st->ts;
	id = st->id;
	st->ts = 0;
	if (id >= SC_MAX_SYSCALLS)
		return 0;
	s = bpf_map_lookup_elem(&sc_counts, &id);
	if (s) {
		s->count++;
		s->errors += err;
		s->total_ns += ns;
	}
	slot = bpfscope_log2_slot(ns);
	if (slot >= BPFSCOPE_HIST_SLOTS)
		slot = BPFSCOPE_HIST_SLOTS - 1;
	slot += id * BPFSCOPE_HIST_SLOTS;
	{
		__u64 *c = bpf_map_lookup_elem(&sc_lat_hist, &slot);

		if (c)
			*c += 1;
	}
	if (cfg->per_process) {
		s = proc_entry(tgid, id, 1);
		if (s) {
			s->count++;
			s->errors += err;
			s->total_ns += ns;
		}
	}
	return 0;
}

/* With follow_forks, a new process whose parent is followed is followed too, in the
 * parent's state. A process forked by spawn_parent (the profiler starting its command)
 * waits for its exec (SC_PID_AT_EXEC): what the profiler's code does in it between
 * fork and exec is not the command's. The profiler itself is not followed. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sc_fork, struct task_struct *parent, struct task_struct *child)
{
	struct sc_config *cfg = sc_cfg();
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 state = SC_PID_AT_EXEC, *p;
	struct sc_pid_key key;
	struct sc_view v;

	if (!cfg || !cfg->follow_forks || ptgid == ctgid || !sc_view(&v))
		return 0;
	if (ptgid != cfg->spawn_parent) {
		p = pid_state(v.gen, ptgid);
		if (!p)
			return 0;
		state = *p;
	}
	key.gen = v.gen;
	key.tgid = ctgid;
	if (bpf_map_update_elem(&sc_pids, &key, &state, BPF_ANY))
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
	return 0;
}

/* A process waiting for its exec is followed from here on. The execve that got here
 * entered before the process was followed: it is counted now (as strace counts it),
 * without its result or time. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sc_config *cfg = sc_cfg();
	__u32 tgid = p->tgid;
	__u8 followed = SC_PID_FOLLOWED, *s;
	struct sc_pid_key key;
	struct sc_view v;

	if (!cfg || !sc_view(&v))
		return 0;
	s = pid_state(v.gen, tgid);
	if (!s || *s != SC_PID_AT_EXEC)
		return 0;
	key.gen = v.gen;
	key.tgid = tgid;
	if (bpf_map_update_elem(&sc_pids, &key, &followed, BPF_ANY)) {
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	if (wanted(cfg, &v, tgid, SC_EXECVE_ID))
		count_call(cfg, tgid, SC_EXECVE_ID);
	return 0;
}
