/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs shared between fs_block.bpf.c and @bpfscope/plugin-fs (src/ebpf/block/). The
 * TypeScript decoder takes its offsets from this object's BTF, not from this file. */
#ifndef BPFSCOPE_FS_BLOCK_H
#define BPFSCOPE_FS_BLOCK_H

/* The kernel's enum stat_group, as /sys/block/<dev>/stat counts: read, write, discard, flush. */
#define FS_BLK_GROUPS 4
#define FS_BLK_READ 0
#define FS_BLK_WRITE 1
#define FS_BLK_DISCARD 2
#define FS_BLK_FLUSH 3

/* Log2 latency slots, µs: slot i holds 2^i to 2^(i+1)-1 µs (slot 0 also < 1 µs). 64 slots
 * hold every u64 count of µs, so no slot stands for "and slower". */
#define FS_BLK_SLOTS 64

/* Counters of one device (key: the kernel's dev_t, major << 20 | minor), per CPU. A
 * partition's I/O counts under the partition and under its whole disk, as the kernel counts
 * /sys/block/sda/sda1/stat and /sys/block/sda/stat. */
struct fs_blk_dev {
	__u64 ios[FS_BLK_GROUPS];     /* requests completed with I/O accounting, per stat group
	                               * (flush: flush requests, on the whole disk) */
	__u64 sectors[FS_BLK_GROUPS]; /* 512-byte sectors completed, per stat group */
	__u64 lat_us[2];              /* sum of start-to-completion latencies (µs), read and write */
	__u64 hist[2][FS_BLK_SLOTS];  /* log2 µs histograms of those latencies, read and write */
};

/* Who issued a request in flight (key: the struct request's address), noted at its issue to
 * the driver while an event stream is open. */
struct fs_blk_rq {
	__u64 sector;   /* first sector at issue */
	__u32 bytes;    /* bytes at issue */
	__u32 pid;      /* tgid of the task that issued it (0 in interrupt context) */
	char comm[16];  /* its command name */
};

/* Run-time settings, written by user space without a reload (fs_blk_cfg[0]). */
struct fs_blk_cfg {
	__u64 slow_ns;   /* a completion at least this slow (start to completion) is an event */
	__u32 filter_on; /* 1: count only devices in fs_blk_fdev */
	__u32 streams;   /* open event streams; with none, no event takes ring space */
};

/* What a slow-io event's op is. */
enum fs_blk_op {
	FS_BLK_OP_READ = 0,
	FS_BLK_OP_WRITE = 1,
	FS_BLK_OP_FLUSH = 2,
	FS_BLK_OP_DISCARD = 3,
	FS_BLK_OP_OTHER = 4,
};

/* A slow request, sent at its completion to fs_blk_events. */
struct fs_blk_ev {
	__u64 ts_ns;      /* CLOCK_MONOTONIC at completion */
	__u64 latency_ns; /* from the request's start stamp to completion */
	__u64 sector;
	__u32 dev;        /* kernel dev_t (the whole disk for a flush) */
	__u32 bytes;
	__u32 pid;
	__u32 op;         /* enum fs_blk_op */
	__s32 error;      /* the kernel's blk_status_t (0: success) */
	__u32 disk;       /* dev_t of the whole disk (dev itself when it is one) */
	char comm[16];
};

/* Slots of fs_blk_tot (per-CPU u64 each): what the maps could not hold. */
enum fs_blk_tot {
	FS_BLK_TOT_RQ_FULL = 0,  /* issues not noted: fs_blk_rq was full (no slow-io event for them) */
	FS_BLK_TOT_DEV_FULL = 1, /* completions not counted: fs_blk_dev was full */
	FS_BLK_TOT_NO_STAMP = 2, /* counted completions without the kernel's start stamp (no latency) */
	FS_BLK_TOT_MAX = 3,
};

#endif
