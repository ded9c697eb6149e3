/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* How syscall.bpf.c counts a call into one slot's tables: sc_counts per syscall id,
 * sc_proc per process and id (directly, or through the CPU's run in counts-only mode),
 * sc_lat_hist at the return in latency mode. Inline, so that a call costs lookups and
 * increments; creating a per-process entry, the rare and branchy part, is a global
 * function (see syscall_slot.h for why). Included once, by syscall.bpf.c, after its maps. */
#ifndef BPFSCOPE_SYSCALL_COUNT_H
#define BPFSCOPE_SYSCALL_COUNT_H

/* Creates the sc_proc entry of (slot, tgid, id): the rare part of proc_entry(), a global
 * function so that the verifier checks its branches once per program, not at every
 * place proc_entry() is inlined. Returns 1 when the entry exists now; 0 when the table is
 * full, and then the `lost` calls it was meant for are counted as drops. */
__noinline int sc_proc_new(__u32 slot, __u32 tgid, __u32 id, __u64 lost)
{
	struct sc_proc_key key = { .tgid = tgid, .id = id, .slot = slot };
	struct sc_stat zero = {};

	if (bpf_map_update_elem(&sc_proc, &key, &zero, BPF_NOEXIST) && bpf_map_update_elem(&sc_proc, &key, &zero, BPF_ANY)) {
		bpfscope_stat_add(&sc_stats, BPFSCOPE_STAT_DROPS, lost);
		return 0;
	}
	return 1;
}

/* The sc_proc entry of (slot, tgid, id), created if missing; NULL when the table is full
 * (sc_proc_new() counted the drops). */
static __always_inline struct sc_stat *proc_entry(__u32 slot, __u32 tgid, __u32 id, __u64 lost)
{
	struct sc_proc_key key = { .tgid = tgid, .id = id, .slot = slot };
	struct sc_stat *s = bpf_map_lookup_elem(&sc_proc, &key);

	if (s || !sc_proc_new(slot, tgid, id, lost))
		return s;
	return bpf_map_lookup_elem(&sc_proc, &key);
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
 * when it is of another thread or another syscall. The replacement of a run sits
 * between two increments of seq (atomic, so neither the compiler nor the CPU moves the
 * other writes across them): user space takes a copy of the run only when seq was the
 * same even number before and after it.
 *
 * Preemption. Since 6.13 the syscall tracepoints are faultable, but the kernels we
 * know (up to 6.18) still disable preemption around the BPF programs of a syscall
 * tracepoint, so nothing else runs on this CPU in the middle of sc_enter. Should a
 * kernel run them preemptibly, taking pending with an atomic exchange means two
 * flushes that interleave never both get the same calls, and an interleaving moves
 * seq by more than this call's own change: sc_enter then clears the run's thread, so
 * at worst the call in flight is attributed to the other thread or counted as a drop. */
static __always_inline void count_pending(__u32 slot, __u64 pid_tgid, __u32 sid)
{
	__u32 at = slot * SC_MAX_SYSCALLS + sid, tgid = pid_tgid >> 32, tid = (__u32)pid_tgid, seq;
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
	if (cpu->tid != tid || cpu->id != sid || cpu->tgid != tgid) {
		__sync_fetch_and_add(&cpu->seq, 1);
		flush_pending(slot, cpu);
		cpu->tgid = tgid;
		cpu->id = sid;
		cpu->tid = tid;
		__sync_fetch_and_add(&cpu->seq, 1);
		seq += 2;
	}
	__sync_fetch_and_add(&cpu->pending, 1);
	if (cpu->seq != seq)
		cpu->tid = 0;
}

/* 1 if x != 0, else 0, without a branch: x | -x has its top bit set iff x != 0. The
 * empty asm hides -x from clang, which would otherwise turn this back into a compare and
 * a branch. */
static __always_inline __u64 nonzero(__u64 x)
{
	__u64 n = -x;

	asm volatile("" : "+r"(n));
	return (x | n) >> 63;
}

/* bpfscope_log2_slot() without branches (one verifier state instead of one per branch,
 * which inlined per slot in sc_exit multiplied): r collects the shifts of a binary
 * search for the highest set bit; v ends as 1, or 0 for v == 0. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u64 r, s;

	s = nonzero(v >> 32) << 5;
	v >>= s;
	r = s;
	s = nonzero(v >> 16) << 4;
	v >>= s;
	r |= s;
	s = nonzero(v >> 8) << 3;
	v >>= s;
	r |= s;
	s = nonzero(v >> 4) << 2;
	v >>= s;
	r |= s;
	s = nonzero(v >> 2) << 1;
	v >>= s;
	r |= s;
	s = nonzero(v >> 1);
	v >>= s;
	r |= s;
	return r + v;
}

/* Latency mode: a call that returned, with its result and time. */
static __always_inline void count_return(__u32 slot, __u32 tgid, __u32 id, bool err, __u64 ns)
{
	__u32 at = slot * SC_MAX_SYSCALLS + id, bucket = log2_slot(ns);
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &at);
	struct sc_hist *h;

	if (s) {
		s->count++;
		s->errors += err;
		s->total_ns += ns;
	}
	/* log2_slot() is at most 64 (BPFSCOPE_HIST_SLOTS): 64 goes into the last slot. */
	bucket -= bucket >> 6;
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

#endif
