// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Per-process page faults through the task iterator, OOM kills as events, and
 * a count of the changes to the cgroup hierarchies, with tp_btf and iterators only. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_ringbuf.h"
#include "bpfscope_task.h"
#include "bpfscope_mm.h"
#include "bpfscope_sampling.h"
#include "mem.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

BPFSCOPE_RINGBUF_MAP(mem_oom_events, 1 << 16);

BPFSCOPE_STATS_MAP(mem_stats);

/* One event source (0): OOM kills, decided before they are copied into the ring
 * (bpfscope_sampling.h); class 0 (one kind of event), value 0. */
BPFSCOPE_SAMPLING_MAPS(mem_smp, 1);

/* How often the cgroup hierarchies changed, and when last: a cgroup made, removed
 * or renamed, a hierarchy set up, destroyed or remounted, on any hierarchy. User
 * space lists the memory cgroups again only when this moved since its last listing,
 * or when that listing began soon after the last change (cgroup_mkdir fires just
 * before the kernel makes the new directory visible). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mem_cgroup_changes);
} mem_cgroup_changes SEC(".maps");

/* Records go out through these subprograms: their parameter types put the
 * record structs into the object's BTF, where user space reads the layouts
 * (a struct used only by a local variable would not be there). */
static __noinline int emit_faults(struct seq_file *seq, struct mem_faults *r)
{
	return bpf_seq_write(seq, r, sizeof(*r));
}

static __noinline int emit_oom(struct mem_oom_ev *e)
{
	/* A copy of ~110 bytes per OOM kill: rare enough not to reserve in place. */
	return bpfscope_ringbuf_output(&mem_oom_events, e, sizeof(*e), &mem_stats);
}

SEC("iter/task")
int mem_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct mem_faults r = {};

	if (!t)
		return 0;
	bpfscope_stat_add(&mem_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	r.tgid = BPF_CORE_READ(t, tgid);
	r.tid = BPF_CORE_READ(t, pid);
	r.min_flt = BPF_CORE_READ(t, min_flt);
	r.maj_flt = BPF_CORE_READ(t, maj_flt);
	if (r.tgid == r.tid) {
		r.dead_min_flt = BPF_CORE_READ(t, signal, min_flt);
		r.dead_maj_flt = BPF_CORE_READ(t, signal, maj_flt);
	}
	BPF_CORE_READ_STR_INTO(&r.comm, t, comm);
	emit_faults(ctx->meta->seq, &r);
	return 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(mem_oom_victim, struct task_struct *task, uid_t uid)
{
	struct mem_oom_ev e = {};
	struct mm_struct *mm;
	int memcg = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	bpfscope_stat_add(&mem_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	mm = BPF_CORE_READ(task, mm);
	e.pid = BPF_CORE_READ(task, tgid);
	e.uid = uid;
	e.oom_score_adj = BPF_CORE_READ(task, signal, oom_score_adj);
	e.ts_ns = bpf_ktime_get_ns();
	e.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	/* The kernel's own bound (CO-RE): the subsys[] array has CGROUP_SUBSYS_COUNT slots. */
	if (memcg >= 0 && memcg < bpf_core_enum_value(enum cgroup_subsys_id, CGROUP_SUBSYS_COUNT))
		e.memcg_id = BPF_CORE_READ(task, cgroups, subsys[memcg], cgroup, kn, id);
	e.total_vm_pages = mm ? BPF_CORE_READ(mm, total_vm) : 0;
	e.anon_rss_pages = bpfscope_mm_counter(mm, BPFSCOPE_MM_ANON);
	e.file_rss_pages = bpfscope_mm_counter(mm, BPFSCOPE_MM_FILE);
	e.shmem_rss_pages = bpfscope_mm_counter(mm, BPFSCOPE_MM_SHMEM);
	BPF_CORE_READ_STR_INTO(&e.comm, task, comm);
	e.weight = BPFSCOPE_SAMPLE(mem_smp, 0, 0, e.pid, e.cgroup_id, 0);
	if (e.weight)
		emit_oom(&e);
	return 0;
}

static __always_inline int cgroup_changed(void)
{
	__u32 key = 0;
	struct mem_cgroup_changes *c = bpf_map_lookup_elem(&mem_cgroup_changes, &key);

	bpfscope_stat_add(&mem_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (c) {
		/* One slot for every CPU: changes are rare. A reader may see the new
		 * count with the old time; user space judges by the time it reads next. */
		__sync_fetch_and_add(&c->count, 1);
		c->last_ns = bpf_ktime_get_ns();
	}
	return 0;
}

/* rmdir and rename fire once their change is visible in cgroupfs; mkdir fires
 * just before the kernel activates the new directory (in the same critical
 * section), hence last_ns. setup_root and destroy_root fire before the mount is
 * attached or the hierarchy drained: a walk in between finds no memory hierarchy
 * and keeps no listing; one after it follows the count that moved. */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(mem_cg_mkdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_changed();
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(mem_cg_rmdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_changed();
}

SEC("tp_btf/cgroup_rename")
int BPF_PROG(mem_cg_rename, struct cgroup *cgrp, const char *path)
{
	return cgroup_changed();
}

SEC("tp_btf/cgroup_setup_root")
int BPF_PROG(mem_cg_setup_root, struct cgroup_root *root)
{
	return cgroup_changed();
}

SEC("tp_btf/cgroup_destroy_root")
int BPF_PROG(mem_cg_destroy_root, struct cgroup_root *root)
{
	return cgroup_changed();
}

SEC("tp_btf/cgroup_remount")
int BPF_PROG(mem_cg_remount, struct cgroup_root *root)
{
	return cgroup_changed();
}
