// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The process table through the BPF task iterator, and fork/exec/exit events
 * through a ring buffer, all without tracefs or kprobes. The iterator applies
 * the kernel part of engine.setFilter (pids, comms, cgroups, namespaces, kind)
 * from small maps user space changes at run time (struct proc_filter). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_ringbuf.h"
#include "bpfscope_sampling.h"
#include "bpfscope_task.h"
#include "bpfscope_mm.h"
#include "proc.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

BPFSCOPE_RINGBUF_MAP(proc_events, 1 << 20);

/* One event source (0): fork, exec and exit events, decided before their ring space is
 * reserved (bpfscope_sampling.h); the class is the event type (enum proc_ev_type). */
BPFSCOPE_SAMPLING_MAPS(proc_smp, 1);

/* Set at load by the proc family's source, the only reader that keeps a filter
 * slot (proc_filter.open counts its readers without one). Any other load of the
 * object (0) never filters, so a reader that knows nothing of the slots always
 * gets every task, and the verifier prunes the filter code from it. */
const volatile __u32 proc_filtering = 0;

BPFSCOPE_STATS_MAP(proc_stats);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct proc_filter);
} proc_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct proc_fset);
} proc_fpid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct proc_comm_key);
	__type(value, struct proc_fset);
} proc_fcomm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct proc_fset);
} proc_fcgrp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct proc_ns_key);
	__type(value, struct proc_fset);
} proc_fns SEC(".maps");

/* The slots an allow/deny part lets through: slots without the part pass, slots
 * with it pass when the key is (allow) or is not (deny) in their list. */
static __always_inline __u32 part_pass(__u32 allow, __u32 deny, struct proc_fset *e)
{
	__u32 in_allow = e ? e->allow : 0, in_deny = e ? e->deny : 0;

	return (~allow | in_allow) & ~(deny & in_deny);
}

/* The active slots the process of `t` passes, judged by its thread-group leader. */
static __always_inline __u32 filter_pass(struct proc_filter *f, struct task_struct *t, __u32 tgid, __u32 mnt, __u32 net)
{
	struct task_struct *leader = t->group_leader;
	__u32 pass = f->active;

	if (f->pid_allow | f->pid_deny)
		pass &= part_pass(f->pid_allow, f->pid_deny, bpf_map_lookup_elem(&proc_fpid, &tgid));
	if (pass && (f->comm_allow | f->comm_deny)) {
		struct proc_comm_key key;

		__builtin_memcpy(key.comm, leader->comm, sizeof(key.comm));
		pass &= part_pass(f->comm_allow, f->comm_deny, bpf_map_lookup_elem(&proc_fcomm, &key));
	}
	if (pass && (f->cg_allow | f->cg_deny)) {
		__u64 id = leader->cgroups->dfl_cgrp->kn->id;

		pass &= part_pass(f->cg_allow, f->cg_deny, bpf_map_lookup_elem(&proc_fcgrp, &id));
	}
	if (pass && f->mnt_allow) {
		struct proc_ns_key key = { .type = PROC_NS_MNT, .inum = mnt };

		pass &= part_pass(f->mnt_allow, 0, bpf_map_lookup_elem(&proc_fns, &key));
	}
	if (pass && f->net_allow) {
		struct proc_ns_key key = { .type = PROC_NS_NET, .inum = net };

		pass &= part_pass(f->net_allow, 0, bpf_map_lookup_elem(&proc_fns, &key));
	}
	pass &= (leader->flags & PF_KTHREAD_FLAG) ? f->kernel_ok : f->user_ok;
	return pass;
}

/* Not inlined, so that struct proc_task reaches the object's BTF, where user
 * space reads its layout. */
static __noinline int proc_write(struct seq_file *seq, struct proc_task *r)
{
	return bpf_seq_write(seq, r, sizeof(*r));
}

/* The iterator reads through the task's BTF pointers directly (CO-RE-relocated
 * loads, faulting loads give 0) instead of one bpf_probe_read_kernel() call per
 * field: about 40 fields per task, 10,000 tasks per table. The resident set is the
 * exception: its per-CPU parts need bpfscope_rss_pages(). */
SEC("iter/task")
int proc_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct proc_task r = {};
	struct proc_filter *f;
	__u32 zero = 0;

	/* The last call of a run has no task: count runs, not tasks. */
	if (!t) {
		bpfscope_stat_add(&proc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
		return 0;
	}
	r.tid = t->pid;
	r.tgid = t->tgid;
	/* The process's namespaces, from its leader (a zombie leader has no nsproxy:
	 * then the thread's). */
	r.mnt_ns = t->group_leader->nsproxy->mnt_ns->ns.inum;
	r.net_ns = t->group_leader->nsproxy->net_ns->ns.inum;
	if (!r.mnt_ns) {
		r.mnt_ns = t->nsproxy->mnt_ns->ns.inum;
		r.net_ns = t->nsproxy->net_ns->ns.inum;
	}
	f = proc_filtering ? bpf_map_lookup_elem(&proc_filter, &zero) : NULL;
	if (f && f->active) {
		r.filter_pass = filter_pass(f, t, r.tgid, r.mnt_ns, r.net_ns);
		bpfscope_stat_add(&proc_stats, r.filter_pass ? BPFSCOPE_STAT_FILTER_HITS : BPFSCOPE_STAT_FILTER_MISS, 1);
		if (!r.filter_pass && !f->open)
			return 0;
	}
	r.prio = t->prio;
	r.static_prio = t->static_prio;
	if (bpf_core_field_exists(t->__state))
		r.state = t->__state;
	else
		r.state = ((struct task_struct___pre514 *)t)->state;
	r.flags = t->flags;
	r.exit_state = t->exit_state;
	r.utime_ns = t->utime;
	r.stime_ns = t->stime;
	r.runtime_ns = t->se.sum_exec_runtime;
	r.start_boottime_ns = t->start_boottime;
	r.min_flt = t->min_flt;
	r.maj_flt = t->maj_flt;
	r.rchar = t->ioac.rchar;
	r.wchar = t->ioac.wchar;
	r.syscr = t->ioac.syscr;
	r.syscw = t->ioac.syscw;
	r.read_bytes = t->ioac.read_bytes;
	r.write_bytes = t->ioac.write_bytes;
	r.cancelled_write_bytes = t->ioac.cancelled_write_bytes;
	r.nvcsw = t->nvcsw;
	r.nivcsw = t->nivcsw;
	__builtin_memcpy(r.comm, t->comm, sizeof(r.comm));
	if (r.tid == r.tgid) {
		struct mm_struct *mm = t->mm;
		struct signal_struct *sig = t->signal;

		r.is_leader = 1;
		r.ppid = t->real_parent->tgid;
		r.uid = t->real_cred->uid.val;
		r.euid = t->real_cred->euid.val;
		if (mm) {
			r.rss_pages = bpfscope_rss_pages(mm);
			r.vm_pages = mm->total_vm;
		}
		r.cgroup_id = t->cgroups->dfl_cgrp->kn->id;
		r.nr_threads = sig->nr_threads;
		r.signal_utime_ns = sig->utime;
		r.signal_stime_ns = sig->stime;
		r.signal_runtime_ns = sig->sum_sched_runtime;
		r.signal_min_flt = sig->min_flt;
		r.signal_maj_flt = sig->maj_flt;
		r.signal_read_bytes = sig->ioac.read_bytes;
		r.signal_write_bytes = sig->ioac.write_bytes;
		r.signal_rchar = sig->ioac.rchar;
		r.signal_wchar = sig->ioac.wchar;
		r.signal_syscr = sig->ioac.syscr;
		r.signal_syscw = sig->ioac.syscw;
		r.signal_cancelled_write_bytes = sig->ioac.cancelled_write_bytes;
	}
	proc_write(ctx->meta->seq, &r);
	return 0;
}

/* t: the task the hook saw; the event names its process (thread group). */
static __always_inline struct proc_ev *emit(__u32 type, struct task_struct *t, __u32 ppid, __s32 code)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	__u64 cgroup = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	__u64 weight = BPFSCOPE_SAMPLE(proc_smp, 0, 0, BPF_CORE_READ(t, tgid), cgroup, type);
	struct proc_ev *e;

	if (!weight)
		return NULL;
	e = BPFSCOPE_RINGBUF_RESERVE(&proc_events, struct proc_ev, &proc_stats);
	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->ppid = ppid;
	e->exit_code = code;
	e->pad = 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = cgroup;
	e->weight = weight;
	BPF_CORE_READ_STR_INTO(&e->comm, leader, comm);
	return e;
}

/* Not inlined, so that struct proc_ev reaches the object's BTF. The record was
 * counted (events, ring-buffer bytes) when it was reserved. */
static __noinline void submit(struct proc_ev *e)
{
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	bpfscope_stat_add(&proc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	/* New threads are not new processes. */
	if (BPF_CORE_READ(child, tgid) != BPF_CORE_READ(child, pid))
		return 0;
	/* The child's real parent: not `parent` under CLONE_PARENT. */
	struct proc_ev *e = emit(PROC_EV_FORK, child, BPF_CORE_READ(child, real_parent, tgid), 0);

	if (e)
		submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(proc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	bpfscope_stat_add(&proc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	struct proc_ev *e = emit(PROC_EV_EXEC, p, BPF_CORE_READ(p, real_parent, tgid), 0);

	if (e)
		submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *p)
{
	struct signal_struct *sig = BPF_CORE_READ(p, signal);
	struct task_struct *leader = BPF_CORE_READ(p, group_leader);
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	struct proc_ev *e;
	__u64 peak;

	bpfscope_stat_add(&proc_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	/* Only the whole process's end: the last thread of the group, whichever
	 * it is. do_exit() decrements signal->live before this tracepoint. */
	if (BPF_CORE_READ(sig, live.counter) != 0)
		return 0;
	e = emit(PROC_EV_EXIT, p, BPF_CORE_READ(p, real_parent, tgid), BPF_CORE_READ(p, exit_code));
	if (!e)
		return 0;
	/* This thread's counters, plus those of the threads released before it
	 * (signal_struct), plus the leader's when the leader exited first: a
	 * zombie leader adds its own to signal_struct only when it is reaped. */
	e->runtime_ns = BPF_CORE_READ(p, se.sum_exec_runtime) + BPF_CORE_READ(sig, sum_sched_runtime);
	e->utime_ns = BPF_CORE_READ(p, utime) + BPF_CORE_READ(sig, utime);
	e->stime_ns = BPF_CORE_READ(p, stime) + BPF_CORE_READ(sig, stime);
	e->min_flt = BPF_CORE_READ(p, min_flt) + BPF_CORE_READ(sig, min_flt);
	e->maj_flt = BPF_CORE_READ(p, maj_flt) + BPF_CORE_READ(sig, maj_flt);
	e->rchar = BPF_CORE_READ(p, ioac.rchar) + BPF_CORE_READ(sig, ioac.rchar);
	e->wchar = BPF_CORE_READ(p, ioac.wchar) + BPF_CORE_READ(sig, ioac.wchar);
	e->read_bytes = BPF_CORE_READ(p, ioac.read_bytes) + BPF_CORE_READ(sig, ioac.read_bytes);
	e->write_bytes = BPF_CORE_READ(p, ioac.write_bytes) + BPF_CORE_READ(sig, ioac.write_bytes);
	if (leader != p) {
		e->runtime_ns += BPF_CORE_READ(leader, se.sum_exec_runtime);
		e->utime_ns += BPF_CORE_READ(leader, utime);
		e->stime_ns += BPF_CORE_READ(leader, stime);
		e->min_flt += BPF_CORE_READ(leader, min_flt);
		e->maj_flt += BPF_CORE_READ(leader, maj_flt);
		e->rchar += BPF_CORE_READ(leader, ioac.rchar);
		e->wchar += BPF_CORE_READ(leader, ioac.wchar);
		e->read_bytes += BPF_CORE_READ(leader, ioac.read_bytes);
		e->write_bytes += BPF_CORE_READ(leader, ioac.write_bytes);
	}
	/* signal->maxrss holds the peak of every mm the process had (exec and a
	 * dead group store it there); the mm, when still attached, may hold more. */
	peak = BPF_CORE_READ(sig, maxrss);
	if (mm) {
		__u64 now = bpfscope_rss_pages(mm), hw = BPF_CORE_READ(mm, hiwater_rss);

		if (hw > peak)
			peak = hw;
		if (now > peak)
			peak = now;
	}
	e->hiwater_rss_pages = peak;
	submit(e);
	return 0;
}
