/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One slot's work on one call. The programs of syscall.bpf.c loop over the 4 slots,
 * unrolled, so the verifier walks a slot's inline code 4 times, with the slot as a
 * constant; when that code held the whole filter, the per-process row's creation and
 * the event, the walks multiplied into most of the object's load time. So the common
 * path stays inline (a slot not in use: its sc_gen load and a branch; in use: a few map
 * lookups and increments, pid and syscall filters included, no call), and the branchy or rare parts are global BPF
 * functions, which the verifier checks once per program, on their own, with their
 * arguments unknown: a filter part that judges the task (sc_wanted), a new
 * per-process entry (sc_proc_new, syscall_count.h), an event past sample_every
 * (sc_enter_event, sc_exit_event), an unknown syscall id, an exec. Scalar arguments only; each
 * bounds-checks its slot. Included once, by syscall.bpf.c, after its maps. */
#ifndef BPFSCOPE_SYSCALL_SLOT_H
#define BPFSCOPE_SYSCALL_SLOT_H

/* Calls that never return to sys_exit: counted at entry in latency mode too. */
static __always_inline bool never_returns(__u32 id)
{
	return id == 60 /* exit */ || id == 231 /* exit_group */;
}

/* While the slot's consumer is subscribed (cfg->events): one call in sample_every goes on
 * to the event (send_event). Every call offered is counted in `seen`, so sampled-away
 * calls are known. Returns the event's weight so far (sample_every, at least 1), or 0. */
static __always_inline __u64 sample_every(__u32 slot, const struct sc_config *cfg)
{
	struct sc_sampling *sm = bpf_map_lookup_elem(&sc_sampling, &slot);
	__u64 every, n;

	if (!sm)
		return 0;
	every = cfg->sample_every;
	n = __sync_fetch_and_add(&sm->seen, 1) + 1;
	if (every > 1 && n % every)
		return 0;
	return every > 1 ? every : 1;
}

/* A call that passed sample_every: the slot's sampling decision, and what it passes goes
 * into the ring with the product of the two weights (the decision counts its own
 * outcomes; the ring's sends and drops are counted here). */
static __always_inline void send_event(__u32 slot, __u64 every, __u64 pid_tgid, __u32 sid, __u64 ts, __u64 dur, __s64 ret, __u32 has_ret)
{
	struct sc_sampling *sm = bpf_map_lookup_elem(&sc_sampling, &slot);
	struct sc_event *e;
	__u64 w;

	if (!sm)
		return;
	w = BPFSCOPE_SAMPLE(sc_smp, slot, dur, pid_tgid >> 32, BPFSCOPE_SMP_CGROUP_CURRENT, sid);
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
	e->weight = every * w;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->id = sid;
	e->slot = slot;
	e->has_ret = has_ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* A call judged by every part of a slot's filter (wanted()), for a filter with a part
 * that judges the task (comm, cgroup, namespaces). w: the slot's sc_gen word, read once
 * by the caller. */
__noinline int sc_wanted(__u32 slot, __u32 w, __u32 tgid, __u32 id)
{
	struct sc_view v;

	return slot < SC_SLOTS && sc_view(slot, w, &v) && wanted(&v, tgid, id);
}

/* wanted(), with the pid and syscall parts inline (a lookup each) and the parts that
 * judge the task in sc_wanted(). */
static __always_inline bool judge(struct sc_view *v, __u32 w, __u32 tgid, __u32 id)
{
	bool hit;

	if (has_task_parts(v->f))
		return sc_wanted(v->slot, w, tgid, id);
	hit = wanted_pid_id(v, tgid, id);
	count_judgement(v, hit);
	return hit;
}

/* sys_enter: the event of a call a slot counted, past sample_every (weight `every`; ts:
 * its entry time, one reading for all slots). */
__noinline int sc_enter_event(__u32 slot, __u64 every, __u64 pid_tgid, __u32 sid, __u64 ts)
{
	if (slot < SC_SLOTS)
		send_event(slot, every, pid_tgid, sid, ts, 0, 0, 0);
	return 0;
}

/* sys_enter of an id outside the tables: a drop, if the slot (in use, word w) counts the process. */
__noinline int sc_enter_unknown(__u32 slot, __u32 w, __u32 tgid)
{
	struct sc_view v;

	if (slot < SC_SLOTS && sc_view(slot, w, &v) && wanted_pid(&v, tgid))
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
	return 0;
}

/* sys_exit, latency mode: the event of a call a slot counted at its return, past
 * sample_every (weight `every`). At most 5 arguments: slot_id is slot << 16 | id. */
__noinline int sc_exit_event(__u32 slot_id, __u64 every, __u64 ts, __u64 ns, __s64 ret)
{
	__u32 slot = slot_id >> 16;

	if (slot < SC_SLOTS)
		send_event(slot, every, bpf_get_current_pid_tgid(), slot_id & 0xffff, ts, ns, ret, 1);
	return 0;
}

/* sched_process_exec, one slot in use (word w): a process that waited for its exec joins
 * the slot's pid set, and its execve is counted. */
__noinline int sc_exec_slot(__u32 slot, __u32 w, __u32 tgid)
{
	struct sc_pid_key key;
	struct sc_view v;
	__u8 bits;

	if (slot >= SC_SLOTS || !sc_view(slot, w, &v))
		return 0;
	bits = pid_bits(v.fi, tgid);
	if (!(bits & SC_PID_AT_EXEC))
		return 0;
	bits = (bits & ~SC_PID_AT_EXEC) | SC_PID_FOLLOWED;
	key.gen = v.fi;
	key.tgid = tgid;
	if (bpf_map_update_elem(&sc_pids, &key, &bits, BPF_ANY)) {
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	if (wanted(&v, tgid, SC_EXECVE_ID))
		count_call(slot, tgid, SC_EXECVE_ID, w & SC_GEN_PROCS);
	return 0;
}

#endif
