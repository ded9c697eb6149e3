// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One do-nothing program per attach type. @bpfscope/native's
 * probeAttachTypes() loads one program at a time (the others' autoload off),
 * attaches it and detaches it: a type works when that whole round trip works.
 * Targets exist on every x86_64 kernel: sched_switch, the getpid syscall
 * (kallsyms name __x64_sys_getpid; it has no BTF entry, so fentry uses
 * vfs_read, which has), the task iterator. uprobe and perf_event get their
 * targets from user space (libc's getpid, a cpu-clock perf event). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(probe_tp_btf)
{
	return 0;
}

SEC("raw_tp/sched_switch")
int probe_raw_tp(void *ctx)
{
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int probe_tp(void *ctx)
{
	return 0;
}

SEC("kprobe/__x64_sys_getpid")
int probe_kprobe(void *ctx)
{
	return 0;
}

SEC("fentry/vfs_read")
int BPF_PROG(probe_fentry)
{
	return 0;
}

SEC("uprobe")
int probe_uprobe(void *ctx)
{
	return 0;
}

SEC("iter/task")
int probe_iter(struct bpf_iter__task *ctx)
{
	return 0;
}

SEC("perf_event")
int probe_perf(void *ctx)
{
	return 0;
}
