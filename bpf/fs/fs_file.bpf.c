// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* File I/O per process and per file, from the raw syscall tracepoints (tp_btf; no tracefs,
 * no kprobes). fs_exit runs at the return of every system call and leaves at once unless
 * the call is one of read, write, pread64, pwrite64, readv, writev, preadv, pwritev,
 * preadv2, pwritev2, open, openat, openat2, creat, fsync or fdatasync; the call's number
 * and arguments are read from the saved user registers. A call that failed is not counted.
 * The descriptor is resolved in the kernel (task->files->fdt->fd[fd] -> file -> f_inode,
 * fs_file_fd.h) and only regular files count (S_ISREG): pipes, sockets, devices and the rest
 * are left out. Reads and writes count the bytes the call returned. fs_exit and fs_enter read
 * kernel memory with plain loads through bpf_rdonly_cast (kernels from 6.2); fs_exit_pr and
 * fs_enter_pr, their twins with bpf_probe_read_kernel, stand in where the kernel lacks it.
 * Per process (tgid, fs_procs, per CPU; load-time constant fs_procs_on): reads, writes,
 * bytes each way, opens, fsyncs, kept first in a run per CPU of calls by one process (fs_run)
 * and moved into fs_procs when another process calls on that CPU. fs_proc_exit lists processes that ended in fs_gone, which
 * user space removes after the reading that saw them.
 * Per file (load-time constant fs_files_on, off by default: the verifier prunes it all):
 * counts in a record per file (fs_recs, an array), at the slot fs_files gives the file's
 * device, inode and inode generation (at most fs_max_files files; the rest are counted, once
 * each, in FS_CNT_FILES_LOST), per (file, process) counts in a record per pair (fs_fp_recs,
 * at the slot fs_file_proc gives), and the path walked once when a file is first tracked (fs_file_walk.h) into
 * fs_paths. Closes are counted at the entry of close(2) (fs_enter, attached only with files
 * on): after it the descriptor is gone, and the kernel releases it whatever close returns.
 * Run-time filters (fs_filter and its maps): pids, excluded pids, cgroup ids, excluded cgroup
 * ids, operation kinds, and path prefixes (files only: a file is judged once per filter
 * generation, by whether it or an ancestor is a prefix's directory by device and inode).
 * Opens of files at or below a watched path go to the fs_events ring buffer.
 * BPFSCOPE_STAT_INVOCATIONS counts the runs that handled one of the calls above, not every run. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_stats.h"
#include "bpfscope_ringbuf.h"
#include "fs_file.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Load-time settings. */
const volatile __u32 fs_procs_on = 1;
const volatile __u32 fs_files_on = 0;
const volatile __u64 fs_max_files = 10240;

/* Files in fs_files, kept exact with fs_max_files (the table's own bound is FS_FILES_MAX),
 * and slots reserved for files being tracked now: slots in use never pass fs_max_files. */
__u64 fs_tracked = 0;
/* The same for (file, process) pairs, bound by FS_FILE_PROCS_MAX. */
__u64 fs_fp_used = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FS_PROCS_MAX);
	__type(key, __u32);
	__type(value, struct fs_proc);
} fs_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_run);
} fs_run SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FS_GONE_MAX);
	__type(key, __u32);
	__type(value, __u8);
} fs_gone SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FS_FILES_MAX);
	__type(key, struct fs_key);
	__type(value, struct fs_name);
} fs_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FS_LOST_MAX);
	__type(key, struct fs_key);
	__type(value, __u8);
} fs_lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_ANCHORS_MAX);
	__type(key, struct fs_key);
	__type(value, __u8);
} fs_anchors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_IDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} fs_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_IDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} fs_xpids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_IDS_MAX);
	__type(key, __u64);
	__type(value, __u8);
} fs_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_IDS_MAX);
	__type(key, __u64);
	__type(value, __u8);
} fs_xcgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_filter);
} fs_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_CNT_N);
	__type(key, __u32);
	__type(value, __u64);
} fs_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_name);
} fs_scratch SEC(".maps");

BPFSCOPE_RINGBUF_MAP(fs_events, 1 << 18);
BPFSCOPE_STATS_MAP(fs_file_stats);

/* Keep the structs user space decodes in the object's BTF. */
const struct fs_open_ev fs_ev_btf_anchor __attribute__((unused)) = {};
const struct fs_proc fs_proc_btf_anchor __attribute__((unused)) = {};
const struct fs_file_proc fs_fp_btf_anchor __attribute__((unused)) = {};

#include "fs_file_fd.h"
#include "fs_file_walk.h"
#include "fs_file_slots.h"
#include "fs_file_count.h"

/* The operation of a system call (x86_64 numbers), or -1 for every other call. */
static __always_inline int fs_op_of(long id)
{
	switch (id) {
	case 0:   /* read */
	case 17:  /* pread64 */
	case 19:  /* readv */
	case 295: /* preadv */
	case 327: /* preadv2 */
		return FS_OP_READ;
	case 1:   /* write */
	case 18:  /* pwrite64 */
	case 20:  /* writev */
	case 296: /* pwritev */
	case 328: /* pwritev2 */
		return FS_OP_WRITE;
	case 2:   /* open */
	case 85:  /* creat */
	case 257: /* openat */
	case 437: /* openat2 */
		return FS_OP_OPEN;
	case 74: /* fsync */
	case 75: /* fdatasync */
		return FS_OP_FSYNC;
	}
	return -1;
}

/* The call at its return: its number and arguments from the saved user registers. */
static __always_inline int fs_exit_call(struct pt_regs *regs, long ret, const bool fast)
{
	long id = regs->orig_ax;
	int op = fs_op_of(id);
	struct fs_call c = {};

	if (op < 0 || ret < 0)
		return 0;
	c.op = op;
	c.id = id;
	c.bytes = op == FS_OP_READ || op == FS_OP_WRITE ? ret : 0;
	if (op == FS_OP_OPEN) {
		c.fd = ret;
		if (fs_files_on) {
			/* open(path, flags), creat(path, mode), openat(dir, path, flags), openat2(dir, path, how) */
			c.upath = id == 2 || id == 85 ? regs->di : regs->si;
			c.flags = id == 2 ? regs->si : id == 257 ? regs->dx : id == 85 ? FS_CREAT_FLAGS : 0;
			c.how = id == 437 ? regs->dx : 0;
		}
	} else {
		c.fd = regs->di;
	}
	return fs_count_call(&c, fast);
}

/* close(2) at its entry: the descriptor is gone at its return. */
static __always_inline int fs_enter_call(struct pt_regs *regs, long id, const bool fast)
{
	struct fs_call c = {};

	if (id != 3 /* close */ || !fs_files_on)
		return 0;
	c.op = FS_OP_CLOSE;
	c.id = id;
	c.fd = regs->di;
	return fs_count_call(&c, fast);
}

/* Inode fields by plain loads (bpf_rdonly_cast, kernels from 6.2). */
SEC("tp_btf/sys_exit")
int BPF_PROG(fs_exit, struct pt_regs *regs, long ret)
{
	return fs_exit_call(regs, ret, true);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(fs_enter, struct pt_regs *regs, long id)
{
	return fs_enter_call(regs, id, true);
}

/* The same with bpf_probe_read_kernel, for kernels without bpf_rdonly_cast. */
SEC("tp_btf/sys_exit")
int BPF_PROG(fs_exit_pr, struct pt_regs *regs, long ret)
{
	return fs_exit_call(regs, ret, false);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(fs_enter_pr, struct pt_regs *regs, long id)
{
	return fs_enter_call(regs, id, false);
}

/* A process whose last thread ends is listed in fs_gone (when it has counts). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(fs_proc_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	__u8 one = 1;

	if (!fs_procs_on || BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (bpf_map_lookup_elem(&fs_procs, &tgid))
		bpf_map_update_elem(&fs_gone, &tgid, &one, BPF_ANY);
	return 0;
}
