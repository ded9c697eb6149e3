/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The record tables of fs_file.bpf.c and their slots: a file's record (fs_recs) and a
 * (file, process) pair's (fs_fp_recs), found by key through a hash map (fs_files,
 * fs_file_proc), their slots handed out once each in order (fs_next), given back by a CPU
 * that lost the race to publish one (fs_spare, fs_fp_spare) and taken again first. Included
 * once, by fs_file.bpf.c, after its other maps and fs_file_walk.h, before fs_file_count.h. */
#ifndef BPFSCOPE_FS_FILE_SLOTS_H
#define BPFSCOPE_FS_FILE_SLOTS_H

/* A tracked file's slot in fs_recs, by its key (tgid 0). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FS_FILES_MAX);
	__type(key, struct fs_key);
	__type(value, __u32);
} fs_files SEC(".maps");

/* The files' records by slot, in blocks: allocated whole at load (FS_FILES_MAX records),
 * read by user space as the range of blocks in use. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_FILES_MAX / FS_REC_BLOCK);
	__type(key, __u32);
	__type(value, struct fs_file_block);
} fs_recs SEC(".maps");

/* fs_next[FS_SLOTS_FILES]: the slots of fs_recs handed out (the next new one), never more
 * than fs_max_files; fs_next[FS_SLOTS_FP]: those of fs_fp_recs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} fs_next SEC(".maps");

/* Slots handed out but not used (their CPU lost the race to track the file, or the pair),
 * taken first. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, FS_SPARE_MAX);
	__type(value, __u32);
} fs_spare SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, FS_SPARE_MAX);
	__type(value, __u32);
} fs_fp_spare SEC(".maps");

/* A (file, process) pair's slot in fs_fp_recs, by the file's key and the process. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FS_FILE_PROCS_MAX);
	__type(key, struct fs_key);
	__type(value, __u32);
} fs_file_proc SEC(".maps");

/* The pairs' records by slot, in blocks, allocated whole at load as fs_recs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_FILE_PROCS_MAX / FS_REC_BLOCK);
	__type(key, __u32);
	__type(value, struct fs_fp_block);
} fs_fp_recs SEC(".maps");

static __always_inline void fs_cnt_add(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&fs_cnt, &slot);

	if (v)
		*v += 1;
}

/* The command name of the current process (its leader's, not the thread's). */
static __always_inline void fs_leader_comm(char *comm)
{
	struct task_struct *leader = BPF_CORE_READ((struct task_struct *)bpf_get_current_task_btf(), group_leader);

	bpf_probe_read_kernel_str(comm, 16, &leader->comm);
}

/* The record of a file's slot (NULL past the table). */
static __always_inline struct fs_file *fs_rec(__u32 slot)
{
	__u32 b = slot / FS_REC_BLOCK;
	struct fs_file_block *blk = bpf_map_lookup_elem(&fs_recs, &b);

	if (!blk)
		return NULL;
	/* Kept apart from the check (clang would add the offset before it, which the verifier refuses). */
	asm volatile("" : "+r"(blk));
	return &blk->f[slot & (FS_REC_BLOCK - 1)];
}

/* The record of a (file, process) pair's slot (NULL past the table). */
static __always_inline struct fs_file_proc *fs_fp_rec(__u32 slot)
{
	__u32 b = slot / FS_REC_BLOCK;
	struct fs_fp_block *blk = bpf_map_lookup_elem(&fs_fp_recs, &b);

	if (!blk)
		return NULL;
	/* Kept apart from the check (clang would add the offset before it, which the verifier refuses). */
	asm volatile("" : "+r"(blk));
	return &blk->f[slot & (FS_REC_BLOCK - 1)];
}

/* A new slot: one given back to `spare` first, else the next never used (fs_next[which]).
 * Returns 0 when *slot holds one. */
static __always_inline int fs_take_slot(void *spare, __u32 which, __u32 *slot)
{
	__u32 *next;

	if (!bpf_map_pop_elem(spare, slot))
		return 0;
	next = bpf_map_lookup_elem(&fs_next, &which);
	if (!next)
		return -1;
	*slot = __sync_fetch_and_add(next, 1);
	return 0;
}

/* Starts tracking a file: a slot and its record, the key -> slot entry, and its path walked
 * once. NULL when the table holds fs_max_files files already (the file is counted once in
 * FS_CNT_FILES_LOST). A reserved count in fs_tracked covers each slot taken (in use, or held
 * while its file is being tracked), so that slots stay below fs_max_files; the slot of a CPU
 * that another beat to the same file goes to fs_spare (its record holds no counts). */
static __noinline struct fs_file *fs_track(__u64 fd, struct fs_key *k, __u32 *slot_out)
{
	struct fs_file *rec = NULL;
	struct fs_name *p;
	__u32 z = 0, slot = 0, *won;
	__u8 one = 1;

	if (fs_tracked >= fs_max_files || __sync_fetch_and_add(&fs_tracked, 1) >= fs_max_files) {
		/* Counted once per file while fs_lost has room (another CPU may insert it first). */
		if (!bpf_map_lookup_elem(&fs_lost, k)) {
			if (!bpf_map_update_elem(&fs_lost, k, &one, BPF_NOEXIST))
				fs_cnt_add(FS_CNT_FILES_LOST);
			else if (!bpf_map_lookup_elem(&fs_lost, k))
				fs_cnt_add(FS_CNT_LOST_FULL);
		}
		return NULL;
	}
	if (!fs_take_slot(&fs_spare, FS_SLOTS_FILES, &slot))
		rec = fs_rec(slot);
	if (!rec) {
		/* Not reached: the reservation bounds the slots below fs_max_files. */
		__sync_fetch_and_add(&fs_tracked, -1);
		return NULL;
	}
	/* The key before the slot is published: a reader takes a record of no operations for
	 * one not yet in use. */
	rec->ino = k->ino;
	rec->dev = k->dev;
	rec->igen = k->igen;
	if (bpf_map_update_elem(&fs_files, k, &slot, BPF_NOEXIST)) {
		/* Another CPU tracked it first (or the table is full after all): the slot goes back,
		 * and with it the reservation (kept when fs_spare is full, so the slot stays covered). */
		if (!bpf_map_push_elem(&fs_spare, &slot, 0))
			__sync_fetch_and_add(&fs_tracked, -1);
		won = bpf_map_lookup_elem(&fs_files, k);
		if (!won)
			return NULL;
		*slot_out = *won;
		return fs_rec(*won);
	}
	p = bpf_map_lookup_elem(&fs_scratch, &z);
	if (p) {
		fs_walk_path(fd, p);
		if (bpf_map_update_elem(&fs_paths, k, p, BPF_ANY))
			fs_cnt_add(FS_CNT_PATH_FULL);
	}
	*slot_out = slot;
	return rec;
}

/* Starts counting a (file, process) pair: a slot and its record (the file's slot, the
 * process, its command name), and the key -> slot entry. NULL when the pairs' table is full.
 * Slots are reserved and given back as fs_track does with files'. */
static __noinline struct fs_file_proc *fs_track_fp(struct fs_key *pk, __u32 file)
{
	struct fs_file_proc *v = NULL;
	__u32 slot = 0, *won;

	if (fs_fp_used >= FS_FILE_PROCS_MAX || __sync_fetch_and_add(&fs_fp_used, 1) >= FS_FILE_PROCS_MAX)
		return NULL;
	if (!fs_take_slot(&fs_fp_spare, FS_SLOTS_FP, &slot))
		v = fs_fp_rec(slot);
	if (!v) {
		__sync_fetch_and_add(&fs_fp_used, -1);
		return NULL;
	}
	/* Its counts are 0 (a slot given back was never counted in); the rest before the slot is
	 * published, a reader skips a record of no operations. */
	v->file = file;
	v->tgid = pk->tgid;
	fs_leader_comm(v->comm);
	if (bpf_map_update_elem(&fs_file_proc, pk, &slot, BPF_NOEXIST)) {
		if (!bpf_map_push_elem(&fs_fp_spare, &slot, 0))
			__sync_fetch_and_add(&fs_fp_used, -1);
		won = bpf_map_lookup_elem(&fs_file_proc, pk);
		return won ? fs_fp_rec(*won) : NULL;
	}
	return v;
}

#endif
