/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The block object's maps: stats and events, the device counters, requests in flight, the
 * devices filter and the run-time settings. Included by fs_block.bpf.c only. */
#ifndef BPFSCOPE_FS_BLOCK_MAPS_H
#define BPFSCOPE_FS_BLOCK_MAPS_H

BPFSCOPE_STATS_MAP(fs_blk_stats);
BPFSCOPE_RINGBUF_MAP(fs_blk_events, 1 << 20);

/* Devices with I/O since load. Allocated on first use (most machines have a few devices; a
 * preallocated per-CPU hash would cost max_entries values on every CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct fs_blk_dev);
} fs_blk_dev SEC(".maps");

/* Requests issued while a stream is open and not yet completed. LRU: the notes of requests
 * whose completion came after the last stream closed are evicted by newer ones, never kept
 * for good. An issue that finds no room is counted (FS_BLK_TOT_RQ_FULL). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* rq_key(): disk, hardware queue, driver tag; never an address */
	__type(value, struct fs_blk_rq);
} fs_blk_rq SEC(".maps");

/* The devices filter: dev_t of the devices to count while fs_blk_cfg.filter_on. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} fs_blk_fdev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_blk_cfg);
} fs_blk_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_BLK_TOT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fs_blk_tot SEC(".maps");

/* A zeroed device value to insert from (too large for the BPF stack); never written. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_blk_dev);
} fs_blk_zero SEC(".maps");

#endif
