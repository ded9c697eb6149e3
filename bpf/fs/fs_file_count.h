/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* How fs_file.bpf.c counts one file system call: the filters, the
 * per-file, per-(file, process) and per-process counts, and the open events of watched
 * paths. Included once, by fs_file.bpf.c, after its maps and fs_file_slots.h. */
#ifndef BPFSCOPE_FS_FILE_COUNT_H
#define BPFSCOPE_FS_FILE_COUNT_H

/* creat(2) is open(2) with these flags. */
#define FS_CREAT_FLAGS (01 | 0100 | 01000)

/* One call as the program saw it. */
struct fs_call {
	__u64 bytes;
	__u64 fd;
	/* Opens: the user's path and flags (or the address of struct open_how for openat2). */
	__u64 upath;
	__u64 flags;
	__u64 how;
	__u32 op;
	__u32 id;
};

/* The pid and cgroup parts of the filter. */
static __always_inline bool fs_task_passes(__u32 parts, __u32 tgid)
{
	__u64 cg;

	if ((parts & FS_F_PIDS) && !bpf_map_lookup_elem(&fs_pids, &tgid))
		return false;
	if ((parts & FS_F_XPIDS) && bpf_map_lookup_elem(&fs_xpids, &tgid))
		return false;
	if (parts & (FS_F_CGROUPS | FS_F_XCGROUPS)) {
		cg = bpf_get_current_cgroup_id();
		if ((parts & FS_F_CGROUPS) && !bpf_map_lookup_elem(&fs_cgroups, &cg))
			return false;
		if ((parts & FS_F_XCGROUPS) && bpf_map_lookup_elem(&fs_xcgroups, &cg))
			return false;
	}
	return true;
}

static __always_inline void fs_add(struct fs_counts *x, struct fs_call *c)
{
	switch (c->op) {
	case FS_OP_OPEN:
		__sync_fetch_and_add(&x->opens, 1);
		break;
	case FS_OP_CLOSE:
		__sync_fetch_and_add(&x->closes, 1);
		break;
	case FS_OP_READ:
		__sync_fetch_and_add(&x->reads, 1);
		__sync_fetch_and_add(&x->bytes_read, c->bytes);
		break;
	case FS_OP_WRITE:
		__sync_fetch_and_add(&x->writes, 1);
		__sync_fetch_and_add(&x->bytes_written, c->bytes);
		break;
	case FS_OP_FSYNC:
		__sync_fetch_and_add(&x->fsyncs, 1);
		break;
	}
}

/* Whether the path prefixes in force let the file through (judged once per generation). */
static __always_inline bool fs_file_passes(struct fs_file *fv, __u64 fd, __u32 gen)
{
	bool out;

	if (!fv)
		return fs_anchor_bits(fd, FS_ANCHOR_PREFIX) != 0;
	if (fv->gen != gen) {
		out = !fs_anchor_bits(fd, FS_ANCHOR_PREFIX);
		if (out)
			__sync_fetch_and_or(&fv->flags, FS_FILE_OUT);
		else
			__sync_fetch_and_and(&fv->flags, ~FS_FILE_OUT);
		fv->gen = gen;
		return !out;
	}
	return !(fv->flags & FS_FILE_OUT);
}

/* The counts of the file (at slot `file`) as this process used it. */
static __always_inline void fs_add_file_proc(struct fs_key *k, __u32 file, __u32 tgid, struct fs_call *c)
{
	struct fs_key pk = { .ino = k->ino, .dev = k->dev, .igen = k->igen, .tgid = tgid };
	__u32 *slot = bpf_map_lookup_elem(&fs_file_proc, &pk);
	struct fs_file_proc *v = slot ? fs_fp_rec(*slot) : fs_track_fp(&pk, file);

	if (!v) {
		fs_cnt_add(FS_CNT_FP_FULL);
		return;
	}
	fs_add(&v->c, c);
}

/* A new run on this CPU: the last run's counts go into its process's entry (when user space
 * has not removed it: a process that ended and was read), and the new run's process gets an
 * entry if it has none. seq is odd while it switches: a reader that sees it odd, or changed
 * over its read, reads again. */
static __noinline void fs_run_switch(struct fs_run *run, __u32 tgid)
{
	struct fs_proc z = {};
	struct fs_proc *v;
	__u32 last = run->tgid;

	run->seq++;
	if (last && (v = bpf_map_lookup_elem(&fs_procs, &last))) {
		/* This CPU's copy: no other CPU writes it. */
		v->reads += run->reads;
		v->writes += run->writes;
		v->bytes_read += run->bytes_read;
		v->bytes_written += run->bytes_written;
		v->opens += run->opens;
		v->fsyncs += run->fsyncs;
	}
	if (!bpf_map_lookup_elem(&fs_procs, &tgid)) {
		fs_leader_comm(z.comm);
		if (bpf_map_update_elem(&fs_procs, &tgid, &z, BPF_NOEXIST) && !bpf_map_lookup_elem(&fs_procs, &tgid))
			fs_cnt_add(FS_CNT_PROC_FULL);
	}
	run->tgid = tgid;
	run->reads = 0;
	run->writes = 0;
	run->bytes_read = 0;
	run->bytes_written = 0;
	run->opens = 0;
	run->fsyncs = 0;
	run->seq++;
}

/* Per-process counts go into this CPU's run of calls by one process (fs_run, no hash
 * lookup while the same process goes on calling); user space adds the runs to fs_procs. */
static __always_inline void fs_add_proc(__u32 tgid, struct fs_call *c)
{
	__u32 zero = 0;
	struct fs_run *run = bpf_map_lookup_elem(&fs_run, &zero);

	if (!run)
		return;
	if (run->tgid != tgid)
		fs_run_switch(run, tgid);
	switch (c->op) {
	case FS_OP_OPEN:
		run->opens++;
		break;
	case FS_OP_READ:
		run->reads++;
		run->bytes_read += c->bytes;
		break;
	case FS_OP_WRITE:
		run->writes++;
		run->bytes_written += c->bytes;
		break;
	case FS_OP_FSYNC:
		run->fsyncs++;
		break;
	}
}

/* An open of a file at or below a watched path: an event with the path as the process gave it. */
static __noinline void fs_open_event(struct fs_call *c, struct fs_key *k, __u32 tgid)
{
	struct fs_open_ev *e;
	__u64 flags = c->flags;
	long n;

	if (!fs_anchor_bits(c->fd, FS_ANCHOR_WATCH))
		return;
	e = BPFSCOPE_RINGBUF_RESERVE(&fs_events, struct fs_open_ev, &fs_file_stats);
	if (!e)
		return;
	if (c->how && bpf_probe_read_user(&flags, sizeof(flags), (void *)c->how))
		flags = 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->ino = k->ino;
	e->dev = k->dev;
	e->pid = tgid;
	e->flags = flags;
	fs_leader_comm(e->comm);
	n = bpf_probe_read_user_str(e->path, FS_EV_PATH, (void *)c->upath);
	e->path_len = n > 0 ? n - 1 : 0;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int fs_count_call(struct fs_call *c, const bool fast)
{
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32, parts;
	struct fs_filter *flt = bpf_map_lookup_elem(&fs_filter, &zero);
	struct fs_file *fv = NULL;
	__u32 *slot, fslot = 0;
	struct fs_inode x = {};
	struct fs_key k = {};
	struct file *f;

	if (!flt)
		return 0;
	bpfscope_stat_add(&fs_file_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	parts = flt->parts;
	if (!(flt->ops & (1u << c->op)) || ((parts & ~FS_F_PATHS) && !fs_task_passes(parts, tgid))) {
		bpfscope_stat_add(&fs_file_stats, BPFSCOPE_STAT_FILTER_MISS, 1);
		return 0;
	}
	f = fs_fd_file(c->fd, fast);
	if (!f)
		return 0;
	fs_inode_of(f, &x, fast);
	if (!x.reg)
		return 0;
	k.ino = x.ino;
	k.dev = x.dev;
	if (fs_files_on) {
		k.igen = x.igen;
		slot = bpf_map_lookup_elem(&fs_files, &k);
		if (slot) {
			fslot = *slot;
			fv = fs_rec(fslot);
		} else {
			fv = fs_track(c->fd, &k, &fslot);
		}
		if ((parts & FS_F_PATHS) && !fs_file_passes(fv, c->fd, flt->gen)) {
			bpfscope_stat_add(&fs_file_stats, BPFSCOPE_STAT_FILTER_MISS, 1);
			return 0;
		}
	}
	if (parts || flt->ops != (1u << FS_OP_N) - 1)
		bpfscope_stat_add(&fs_file_stats, BPFSCOPE_STAT_FILTER_HITS, 1);
	if (fv) {
		fs_add(&fv->c, c);
		if (!(fv->flags & FS_FILE_DELETED) && x.nlink == 0)
			__sync_fetch_and_or(&fv->flags, FS_FILE_DELETED);
		fs_add_file_proc(&k, fslot, tgid, c);
	}
	if (fs_procs_on && c->op != FS_OP_CLOSE)
		fs_add_proc(tgid, c);
	if (fs_files_on && c->op == FS_OP_OPEN && flt->watch)
		fs_open_event(c, &k, tgid);
	return 0;
}

#endif
