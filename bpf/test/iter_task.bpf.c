// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture for BPF iterators: iter/task writes one fixed-size binary record
 * per task, iter/bpf_map one per map, both with bpf_seq_write. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "iter_task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Records go out through these subprograms: their parameter types put the
 * record structs into the object's BTF, where user space reads the layouts
 * (a struct used only by a local variable would not be there). */
static __noinline int emit_task(struct seq_file *seq, struct iter_task_rec *rec)
{
	return bpf_seq_write(seq, rec, sizeof(*rec));
}

static __noinline int emit_map(struct seq_file *seq, struct iter_map_rec *rec)
{
	return bpf_seq_write(seq, rec, sizeof(*rec));
}

SEC("iter/task")
int iter_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct iter_task_rec rec = {};

	if (!task)
		return 0;
	rec.pid = BPF_CORE_READ(task, pid);
	rec.tgid = BPF_CORE_READ(task, tgid);
	rec.ppid = BPF_CORE_READ(task, real_parent, tgid);
	rec.state = BPF_CORE_READ(task, __state);
	rec.utime = BPF_CORE_READ(task, utime);
	rec.stime = BPF_CORE_READ(task, stime);
	rec.start_time = BPF_CORE_READ(task, start_time);
	bpf_probe_read_kernel(rec.comm, sizeof(rec.comm), &task->comm);
	emit_task(seq, &rec);
	return 0;
}

SEC("iter/bpf_map")
int iter_bpf_map(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	struct iter_map_rec rec = {};

	if (!map)
		return 0;
	rec.id = BPF_CORE_READ(map, id);
	rec.map_type = BPF_CORE_READ(map, map_type);
	rec.key_size = BPF_CORE_READ(map, key_size);
	rec.value_size = BPF_CORE_READ(map, value_size);
	rec.max_entries = BPF_CORE_READ(map, max_entries);
	bpf_probe_read_kernel(rec.name, sizeof(rec.name), &map->name);
	emit_map(seq, &rec);
	return 0;
}
