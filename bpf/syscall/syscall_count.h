/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* How syscall.bpf.c counts a call into one slot's tables: sc_counts per syscall id,
 * sc_proc per process and id when the slot's per-process detail is on (directly, or
 * through the CPU's run in counts-only mode),
 * sc_lat_hist at the return in latency mode. Inline, so that a call costs lookups and
 * increments; creating a per-process entry, the rare and branchy part, is a global
 * function (see syscall_slot.h for why). Included once, by syscall.bpf.c, after its maps. */
#ifndef BPFSCOPE_SYSCALL_COUNT_H
#define BPFSCOPE_SYSCALL_COUNT_H

#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))
#endif

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

/* procs: the slot's per-process detail is on (its sc_gen word's SC_GEN_PROCS). */
static __always_inline void count_call(__u32 slot, __u32 tgid, __u32 sid, __u32 procs)
{
	__u32 at = slot * SC_MAX_SYSCALLS + sid;
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &at);

	if (s)
		s->count++;
	if (!procs)
		return;
	s = proc_entry(slot, tgid, sid, 1);
	if (s)
		s->count++;
}

/* Counts-only mode, a call that no run of the slot on this CPU holds: it starts a run in
 * place of the one `evict` points at, which goes to sc_proc first (a full sc_proc counts
 * its calls as drops). A global function: the rare part, verified once, not once per slot.
 *
 * One writer, plain stores. The syscall tracepoints run their BPF programs with preemption
 * off (faultable since 6.13, they still disable it around the programs, up to 6.18 at
 * least), and a program does not run nested in itself on one CPU, so this CPU's sc_enter
 * is the only writer of its runs: no locked instruction is needed (the five per replaced run
 * the runs took before cost about 12 ns a call here). The replacement sits between two
 * stores to seq, odd in between; the stores are volatile, so the compiler keeps their
 * order, and x86-64 keeps the order of stores for a reader on another CPU (user space
 * copying the map): a copy of a run is whole when its seq was the same even number before
 * and after it. */
__noinline int sc_run_new(__u32 slot, __u32 tgid, __u32 id)
{
	__u32 first = slot * SC_RUNS, at, seq;
	struct sc_cpu *head, *run;
	struct sc_stat *s;
	__u64 n;

	if (slot >= SC_SLOTS || id >= SC_MAX_SYSCALLS)
		return 0;
	head = bpf_map_lookup_elem(&sc_cpu, &first);
	at = first + (head ? head->evict % SC_RUNS : 0);
	run = bpf_map_lookup_elem(&sc_cpu, &at);
	if (!head || !run) {
		s = proc_entry(slot, tgid, id, 1);
		if (s)
			s->count++;
		return 0;
	}
	WRITE_ONCE(head->evict, head->evict + 1);
	seq = run->seq;
	WRITE_ONCE(run->seq, seq + 1);
	n = run->pending;
	if (n && run->id < SC_MAX_SYSCALLS) {
		s = proc_entry(slot, run->tgid, run->id, n);
		if (s)
			s->count += n; /* per-CPU value: this CPU's programs are its only writers */
	}
	WRITE_ONCE(run->tgid, tgid);
	WRITE_ONCE(run->id, id);
	WRITE_ONCE(run->pending, 1);
	WRITE_ONCE(run->seq, seq + 2);
	return 1;
}

/* Counts-only mode: one more call in the slot's run of (tgid, id) on this CPU, or a new
 * run (sc_run_new). The scan is unrolled: SC_RUNS compares, no hash. Without per-process
 * detail (procs 0) the call is counted per syscall only: no run, no sc_proc. */
static __always_inline void count_pending(__u32 slot, __u32 tgid, __u32 sid, __u32 procs)
{
	__u32 at = slot * SC_MAX_SYSCALLS + sid, i, k;
	struct sc_stat *s = bpf_map_lookup_elem(&sc_counts, &at);
	struct sc_cpu *run;

	if (s)
		s->count++;
	if (!procs)
		return;
#pragma unroll
	for (i = 0; i < SC_RUNS; i++) {
		k = slot * SC_RUNS + i;
		run = bpf_map_lookup_elem(&sc_cpu, &k);
		if (run && run->tgid == tgid && run->id == sid) {
			WRITE_ONCE(run->pending, run->pending + 1);
			return;
		}
	}
	sc_run_new(slot, tgid, sid);
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
static __always_inline void count_return(__u32 slot, __u32 tgid, __u32 id, bool err, __u64 ns, __u32 procs)
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
	if (!procs)
		return;
	s = proc_entry(slot, tgid, id, 1);
	if (s) {
		s->count++;
		s->errors += err;
		s->total_ns += ns;
	}
}

#endif
