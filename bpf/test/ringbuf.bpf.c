// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture for the ring buffer consumer: on every entry of syscall
 * rb_filter.syscall_nr made by process rb_filter.tgid, one 16-byte record goes
 * to each ring buffer selected by rb_filter.targets. The caller puts a
 * sequence number in the syscall's first argument (the kernel ignores extra
 * arguments of getppid), so a test can check every record arrived once. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfscope_ringbuf.h"
#include "ringbuf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

BPFSCOPE_RINGBUF_MAP(rb_events, 1 << 20);
BPFSCOPE_RINGBUF_MAP(rb_second, 1 << 20);
BPFSCOPE_RINGBUF_MAP(rb_small, 4096);
BPFSCOPE_STATS_MAP(rb_stats);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rb_config);
} rb_filter SEC(".maps");

static __always_inline void emit(void *ringbuf, __u32 tag, __u64 seq, __u32 tgid)
{
	struct rb_event *e = BPFSCOPE_RINGBUF_RESERVE(ringbuf, struct rb_event, &rb_stats);

	if (!e)
		return;
	e->seq = seq;
	e->tgid = tgid;
	e->tag = tag;
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(rb_sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	struct rb_config *cfg = bpf_map_lookup_elem(&rb_filter, &zero);
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 seq;

	if (!cfg || cfg->tgid == 0)
		return 0;
	bpfscope_stat_add(&rb_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (tgid != cfg->tgid || id != cfg->syscall_nr) {
		bpfscope_stat_add(&rb_stats, BPFSCOPE_STAT_FILTER_MISS, 1);
		return 0;
	}
	bpfscope_stat_add(&rb_stats, BPFSCOPE_STAT_FILTER_HITS, 1);
	seq = regs->di;
	if (cfg->targets & RB_TARGET_EVENTS)
		emit(&rb_events, RB_TARGET_EVENTS, seq, tgid);
	if (cfg->targets & RB_TARGET_SECOND)
		emit(&rb_second, RB_TARGET_SECOND, seq, tgid);
	if (cfg->targets & RB_TARGET_SMALL)
		emit(&rb_small, RB_TARGET_SMALL, seq, tgid);
	return 0;
}
