// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test program for bpfscope_sampling.h: every getppid call of one process
 * (raw_tp sys_enter, filtered to its tgid) is an event offered to bucket 0;
 * the program also notes what it offered and the time of the first and last
 * offer and pass, so a test can check passed <= burst + rate * T exactly. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfscope_sampling.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_tgid = 0;
const volatile long target_nr = 110; /* __NR_getppid on x86_64 */
/* 0: the test; 1 (bench): time each bucket decision into timed_ns; 2 (bench): time an
 * empty span the same way, the reference the decision's cost is measured against. */
const volatile __u32 bench_mode = 0;

BPFSCOPE_BUCKET_MAPS(bkt_cfg, bkt_tat, bkt_counts, 4);

/* What the program offered, and when (one thread offers: no atomics needed). */
struct bkt_offers {
	__u64 offered;
	__u64 first_ns;
	__u64 last_ns;
	__u64 first_pass_ns;
	__u64 last_pass_ns;
	__u64 timed_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bkt_offers);
} bkt_offers SEC(".maps");

SEC("raw_tp/sys_enter")
int BPF_PROG(bkt_sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	struct bkt_offers *o;
	__u64 now;

	if (id != target_nr || (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	o = bpf_map_lookup_elem(&bkt_offers, &zero);
	if (!o)
		return 0;
	now = bpf_ktime_get_ns();
	if (o->offered == 0)
		o->first_ns = now;
	o->last_ns = now;
	o->offered++;
	if (bench_mode == 2) {
		o->timed_ns += bpf_ktime_get_ns() - now;
		return 0;
	}
	if (BPFSCOPE_BUCKET_TAKE(bkt_cfg, bkt_tat, bkt_counts, 0, now)) {
		if (o->first_pass_ns == 0)
			o->first_pass_ns = now;
		o->last_pass_ns = now;
	}
	if (bench_mode == 1)
		o->timed_ns += bpf_ktime_get_ns() - now;
	return 0;
}
