/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One slot's work on one call, as global BPF functions: syscall.bpf.c's programs call
 * them once per slot in use. The verifier checks a global function once per program,
 * on its own, with its arguments unknown, instead of once per call site with the slot as
 * a constant (4 times, when the slot loops were unrolled around inline code): that was
 * most of the object's load time. So: scalar arguments only, the slot bounds-checked
 * here, and the programs' own loops stay small (a slot not in use costs its sc_gen load
 * and a branch, sc_gen_word()). Included once, by syscall.bpf.c, after its maps. */
#ifndef BPFSCOPE_SYSCALL_SLOT_H
#define BPFSCOPE_SYSCALL_SLOT_H

/* sc_enter_slot() results. */
#define SC_TOOK 1  /* the slot's filter let the call through */
#define SC_EVENT 2 /* it was counted at entry while the slot's events are on: send it (sc_enter_event) */

/* Calls that never return to sys_exit: counted at entry in latency mode too. */
static __always_inline bool never_returns(__u32 id)
{
	return id == 60 /* exit */ || id == 231 /* exit_group */;
}

/* While the slot's consumer is subscribed: one call in sample_every is offered to the
 * slot's sampling decision, and what it passes goes into the ring with the product of
 * the two weights. Every call that got here is counted in `seen` (and the decision counts
 * its own outcomes), so sampled-away calls are known. */
static __always_inline void send_event(__u32 slot, __u64 pid_tgid, __u32 sid, __u64 ts, __u64 dur, __s64 ret, __u32 has_ret)
{
	struct sc_config *cfg = bpf_map_lookup_elem(&sc_config, &slot);
	struct sc_sampling *sm;
	struct sc_event *e;
	__u64 every, n, w;

	if (!cfg || !cfg->events)
		return;
	sm = bpf_map_lookup_elem(&sc_sampling, &slot);
	if (!sm)
		return;
	every = cfg->sample_every;
	n = __sync_fetch_and_add(&sm->seen, 1) + 1;
	if (every > 1 && n % every)
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
	e->weight = (every > 1 ? every : 1) * w;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->id = sid;
	e->slot = slot;
	e->has_ret = has_ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* sys_enter, one slot in use (w: its sc_gen word), sid < SC_MAX_SYSCALLS: judge the call
 * by the slot's filter and count it, unless latency mode counts it at its return.
 * Returns 0 (not taken), SC_TOOK, or SC_TOOK | SC_EVENT. */
__noinline int sc_enter_slot(__u32 slot, __u32 w, __u64 pid_tgid, __u32 sid)
{
	__u32 tgid = pid_tgid >> 32;
	struct sc_view v;

	if (slot >= SC_SLOTS || !sc_view(slot, w, &v) || !wanted(&v, tgid, sid))
		return 0;
	/* In latency mode sc_exit counts the call, with its result and time. */
	if (sc_latency && !never_returns(sid))
		return SC_TOOK;
	if (sc_latency)
		count_call(slot, tgid, sid);
	else
		count_pending(slot, pid_tgid, sid);
	return v.cfg->events ? SC_TOOK | SC_EVENT : SC_TOOK;
}

/* sys_enter: the event of a call sc_enter_slot() counted (ts: its entry time, one
 * reading for all slots). */
__noinline int sc_enter_event(__u32 slot, __u64 pid_tgid, __u32 sid, __u64 ts)
{
	if (slot < SC_SLOTS)
		send_event(slot, pid_tgid, sid, ts, 0, 0, 0);
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

/* Count a call at entry without its result (latency mode with no task storage). */
__noinline int sc_count_slot(__u32 slot, __u32 tgid, __u32 sid)
{
	if (slot < SC_SLOTS && sid < SC_MAX_SYSCALLS)
		count_call(slot, tgid, sid);
	return 0;
}

/* sys_exit, latency mode, one slot that took the call at entry and is still in use: count
 * the return. ts: the call's entry time when it is an event of the filter in force (the
 * slot's filter did not change since the entry), else 0 (entry times are never 0). */
__noinline int sc_exit_slot(__u32 slot, __u32 id, __u64 ts, __u64 ns, __s64 ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (slot >= SC_SLOTS || id >= SC_MAX_SYSCALLS)
		return 0;
	count_return(slot, pid_tgid >> 32, id, ret < 0 && ret >= -4095, ns);
	if (ts)
		send_event(slot, pid_tgid, id, ts, ns, ret, 1);
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
		count_call(slot, tgid, SC_EXECVE_ID);
	return 0;
}

#endif
