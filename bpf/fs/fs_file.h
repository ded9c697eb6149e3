/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs of fs_file.bpf.c shared with user space (packages/plugin-fs/src/ebpf/files/,
 * which reads their layouts from the object's BTF). */
#ifndef BPFSCOPE_FS_FILE_H
#define BPFSCOPE_FS_FILE_H

/* Capacity of the file table (fs_files: key -> slot, and fs_recs: a record per slot); the
 * load-time constant fs_max_files (option maxTrackedFiles) caps the files tracked below it.
 * Slots are handed out in order as files are first seen, so the records in use are the slots
 * below fs_next[0]: a reading reads that range of fs_recs in one batch. fs_recs holds the
 * records in blocks of FS_REC_BLOCK (slot s: record s % FS_REC_BLOCK of element
 * s / FS_REC_BLOCK), so that a batch read costs the kernel one step per block, not per file. */
#define FS_FILES_MAX 65536
#define FS_REC_BLOCK 64
/* fs_next keys */
#define FS_SLOTS_FILES 0
#define FS_SLOTS_FP 1
/* Slots given back by a CPU that lost the race to track a file (fs_spare, taken again first). */
#define FS_SPARE_MAX 256
/* (file, process) pairs for each file's top processes: fs_file_proc maps a pair's key to a
 * slot of fs_fp_recs, whose records (in blocks of FS_REC_BLOCK, as the files') name their
 * file's slot. */
#define FS_FILE_PROCS_MAX 65536
/* Files left out (full table) remembered, to count each once. */
#define FS_LOST_MAX 65536
#define FS_PROCS_MAX 16384
#define FS_GONE_MAX 16384
/* Directories (path prefixes) and watched paths, by device and inode. */
#define FS_ANCHORS_MAX 1024
#define FS_IDS_MAX 1024

/* Path walk bounds: components and bytes (a component starting before FS_PATH_BUF is
 * kept whole: NAME_MAX + 1 bytes of slack follow). */
#define FS_PATH_DEPTH 32
#define FS_PATH_BUF 512
#define FS_NAME_MAX 256
/* Ancestors a path prefix or a watched path is looked for among (the file itself first). */
#define FS_ANCESTOR_DEPTH 40
/* Bytes of the path an open event carries, as the process gave it. */
#define FS_EV_PATH 256

enum fs_op {
	FS_OP_OPEN = 0,
	FS_OP_CLOSE = 1,
	FS_OP_READ = 2,
	FS_OP_WRITE = 3,
	FS_OP_FSYNC = 4,
	FS_OP_N = 5,
};

/* struct fs_filter.parts */
enum fs_filter_part {
	FS_F_PIDS = 1,
	FS_F_XPIDS = 2,
	FS_F_CGROUPS = 4,
	FS_F_XCGROUPS = 8,
	FS_F_PATHS = 16,
};

/* The run-time filter, fs_filter[0]. ops: a bit (1 << enum fs_op) per operation counted. */
struct fs_filter {
	__u32 parts;
	__u32 ops;
	/* Bumped by user space when the path prefixes change: files judged under another
	 * generation are judged again at their next operation. */
	__u32 gen;
	/* Non-zero while fs_anchors holds watched paths. */
	__u32 watch;
};

/* A file (tgid 0) or a file as one process used it. dev is the kernel's s_dev
 * (major << 20 | minor); igen the inode's i_generation, which tells apart the files that
 * reuse the inode number of a deleted one (0 in fs_anchors, looked up by device and inode). */
struct fs_key {
	__u64 ino;
	__u32 dev;
	__u32 igen;
	__u32 tgid;
	__u32 pad;
};

struct fs_counts {
	__u64 opens;
	__u64 closes;
	__u64 reads;
	__u64 writes;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 fsyncs;
};

/* struct fs_file.flags */
#define FS_FILE_DELETED 1 /* link count 0 at an operation: unlinked while open */
#define FS_FILE_OUT 2     /* outside the path prefixes of generation gen */

/* fs_recs values (a file's record, at the slot fs_files gives its key), shared by all CPUs
 * (atomic adds). ino, dev and igen are the file's key, written before the slot is published. */
struct fs_file {
	__u64 ino;
	__u32 dev;
	__u32 igen;
	struct fs_counts c;
	__u32 flags;
	__u32 gen;
};

/* fs_recs values: FS_REC_BLOCK records, of slots FS_REC_BLOCK * key and on. */
struct fs_file_block {
	struct fs_file f[FS_REC_BLOCK];
};

/* A file as one process used it (fs_fp_recs records): the file's slot in fs_recs, the
 * process, its command name, and the counts. */
struct fs_file_proc {
	struct fs_counts c;
	char comm[16];
	__u32 file;
	__u32 tgid;
};

/* fs_fp_recs values. */
struct fs_fp_block {
	struct fs_file_proc f[FS_REC_BLOCK];
};

/* fs_procs values, per CPU. */
struct fs_proc {
	__u64 reads;
	__u64 writes;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 opens;
	__u64 fsyncs;
	char comm[16];
};

/* fs_run values (one per CPU): the counts of the last calls on this CPU, all by process tgid,
 * not yet in fs_procs. seq: even between switches, odd during one. */
struct fs_run {
	__u32 tgid;
	__u32 seq;
	__u64 reads;
	__u64 writes;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 opens;
	__u64 fsyncs;
};

/* struct fs_name.status */
enum fs_path_status {
	FS_PATH_OK = 0,
	FS_PATH_TRUNC = 1, /* more components than the bounds: buf holds the last ones */
	FS_PATH_NONE = 2,  /* no name could be read */
};

/* fs_paths values (struct fs_name): the path's components from the file up, each NUL-terminated, in len bytes. */
struct fs_name {
	__u32 len;
	__u32 status;
	char buf[FS_PATH_BUF + FS_NAME_MAX];
};

/* fs_anchors values */
#define FS_ANCHOR_PREFIX 1
#define FS_ANCHOR_WATCH 2

/* fs_cnt slots (per-CPU u64) */
enum fs_cnt {
	FS_CNT_FILES_LOST = 0,  /* distinct files the full table left out */
	FS_CNT_LOST_FULL = 1,   /* operations on left-out files not remembered (fs_lost full) */
	FS_CNT_FP_FULL = 2,     /* (file, process) operations not counted: fs_file_proc full */
	FS_CNT_PROC_FULL = 3,   /* runs of a process's calls not counted: fs_procs full */
	FS_CNT_PATH_FULL = 4,   /* paths not stored */
	FS_CNT_N = 5,
};

/* A successful open of a file at or below a watched path. */
struct fs_open_ev {
	__u64 ts_ns;
	__u64 ino;
	__u32 dev;
	__u32 pid;
	__u32 flags;
	__u32 path_len;
	char comm[16];
	char path[FS_EV_PATH];
};

#endif
