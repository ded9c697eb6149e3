// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Block-device I/O of the fs family: per device (dev_t) and stat group, the requests and
 * sectors the kernel counts in /sys/block/<dev>/stat, and log2 µs histograms of the
 * latency of reads and writes, from block_rq_complete (tp_btf). The latency is the one the
 * kernel adds to the stat file's time fields (blk_account_io_done): from the request's own
 * start stamp (rq->start_time_ns, taken when it was made: block-layer queue + driver +
 * device) to its completion. Slow requests go to a ring buffer while a stream is open; only
 * then does block_rq_issue note who issued each request (pid, comm, sector, bytes).
 *
 * What is counted follows the kernel's own accounting (block/blk-mq.c, blk-flush.c):
 * - sectors: every completion, partial ones too, of a request with I/O accounting
 *   (RQF_IO_STAT) that still holds data (blk_update_request returns before counting when
 *   rq->bio is NULL) add nr_bytes >> 9 to its group (blk_account_io_completion);
 * - requests: a request is counted once, at the completion that ends it (nr_bytes covers
 *   what is left, blk_rq_bytes), when it has I/O accounting and is not inside a flush
 *   sequence (blk_account_io_done: RQF_IO_STAT without RQF_FLUSH_SEQ);
 * - flushes: the flush machinery's own flush request (REQ_OP_FLUSH inside a flush sequence)
 *   counts in the flush group of the whole disk, as blk_account_io_flush does;
 * - the group is op_stat_group(): discard for REQ_OP_DISCARD, else write for odd ops,
 *   else read.
 * A request that carries data through a flush sequence (a write with REQ_PREFLUSH or
 * REQ_FUA) completes twice: its data inside the sequence, then the whole at the end. Its
 * latency runs from its start to that end. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_stats.h"
#include "bpfscope_hist.h"
#include "bpfscope_ringbuf.h"
#include "fs_block.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define REQ_OP_BITS_MASK 0xff
#define MINOR_BITS 20

#include "fs_block_maps.h"

/* rq_flags bits: enum rqf_flags since 6.7, plain defines before (RQF_FLUSH_SEQ 1 << 4 and
 * RQF_IO_STAT 1 << 13 from 4.x to 6.6). */
static __always_inline __u32 rqf_io_stat(void)
{
	if (bpf_core_enum_value_exists(enum rqf_flags, __RQF_IO_STAT))
		return 1U << bpf_core_enum_value(enum rqf_flags, __RQF_IO_STAT);
	return 1U << 13;
}

static __always_inline __u32 rqf_flush_seq(void)
{
	if (bpf_core_enum_value_exists(enum rqf_flags, __RQF_FLUSH_SEQ))
		return 1U << bpf_core_enum_value(enum rqf_flags, __RQF_FLUSH_SEQ);
	return 1U << 4;
}

static __always_inline void tot_add(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&fs_blk_tot, &slot);

	if (v)
		*v += 1;
}

/* The request's device (its partition, or the whole disk) and its whole disk, as dev_t;
 * 0 when the queue has no disk (passthrough to a device without one). */
static __always_inline void rq_devs(struct request *rq, __u32 *part, __u32 *whole)
{
	struct gendisk *disk = rq->q->disk;
	struct block_device *bdev = rq->part;

	*whole = disk ? ((__u32)disk->major << MINOR_BITS) | (__u32)disk->first_minor : 0;
	*part = bdev ? bdev->bd_dev : *whole;
}

/* The key of an issued request in fs_blk_rq: its disk, hardware queue and driver tag, which
 * name it uniquely while it is in flight (blk-mq preallocates one request per tag, so this
 * is the identity its address had) without putting a kernel address into a map that user
 * space may read. */
static __always_inline __u64 rq_key(struct request *rq, __u32 whole)
{
	struct blk_mq_hw_ctx *hctx = rq->mq_hctx;
	__u32 queue = hctx ? hctx->queue_num : 0;

	return (__u64)whole << 32 | (__u64)(queue & 0xffff) << 16 | (__u32)(rq->tag & 0xffff);
}

static __always_inline int allowed(struct fs_blk_cfg *cfg, __u32 dev)
{
	if (!dev)
		return 0;
	if (!cfg->filter_on)
		return 1;
	return bpf_map_lookup_elem(&fs_blk_fdev, &dev) != NULL;
}

static __always_inline struct fs_blk_cfg *blk_config(void)
{
	__u32 zero = 0;

	bpfscope_stat_add(&fs_blk_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	return bpf_map_lookup_elem(&fs_blk_cfg, &zero);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(fs_blk_issue, struct request *rq)
{
	struct fs_blk_cfg *cfg = blk_config();
	struct fs_blk_rq v = {};
	__u64 key;
	__u32 part, whole;

	if (!cfg || !cfg->streams)
		return 0;
	rq_devs(rq, &part, &whole);
	if (!allowed(cfg, part) && !allowed(cfg, whole))
		return 0;
	key = rq_key(rq, whole);
	v.sector = rq->__sector;
	v.bytes = rq->__data_len;
	v.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(v.comm, sizeof(v.comm));
	if (bpf_map_update_elem(&fs_blk_rq, &key, &v, BPF_ANY))
		tot_add(FS_BLK_TOT_RQ_FULL);
	return 0;
}

static __always_inline struct fs_blk_dev *device(__u32 dev)
{
	struct fs_blk_dev *d = bpf_map_lookup_elem(&fs_blk_dev, &dev);
	__u32 zero = 0;
	void *init;

	if (d)
		return d;
	init = bpf_map_lookup_elem(&fs_blk_zero, &zero);
	if (!init)
		return NULL;
	/* EEXIST: another CPU inserted it meanwhile; the lookup below finds it. */
	bpf_map_update_elem(&fs_blk_dev, &dev, init, BPF_NOEXIST);
	d = bpf_map_lookup_elem(&fs_blk_dev, &dev);
	if (!d)
		tot_add(FS_BLK_TOT_DEV_FULL);
	return d;
}

/* What one completion adds to one device. */
struct done {
	__u64 sectors;
	__u64 lat_us;
	__u32 group;
	__u32 slot;
	__u8 counted;
	__u8 timed;
	__u8 flush;
};

static __always_inline void count(__u32 dev, struct done *c, int whole)
{
	struct fs_blk_dev *d;
	__u32 g = c->group;

	if (!c->sectors && !c->counted && !(c->flush && whole))
		return;
	d = device(dev);
	if (!d || g >= FS_BLK_FLUSH)
		return;
	d->sectors[g] += c->sectors;
	if (c->flush) {
		if (whole)
			d->ios[FS_BLK_FLUSH] += 1;
		return;
	}
	if (!c->counted)
		return;
	d->ios[g] += 1;
	if (c->timed && g <= FS_BLK_WRITE) {
		d->lat_us[g] += c->lat_us;
		d->hist[g][c->slot & (FS_BLK_SLOTS - 1)] += 1;
	}
}

static __always_inline __u32 event_op(__u32 op)
{
	if (op == REQ_OP_READ)
		return FS_BLK_OP_READ;
	if (op == REQ_OP_FLUSH)
		return FS_BLK_OP_FLUSH;
	if (op == REQ_OP_DISCARD)
		return FS_BLK_OP_DISCARD;
	if (op < REQ_OP_DRV_IN && (op & 1))
		return FS_BLK_OP_WRITE;
	return FS_BLK_OP_OTHER;
}

/* Not inlined, so that struct fs_blk_ev reaches the object's BTF (one call per event only). */
static __noinline void submit(struct fs_blk_ev *e)
{
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void send(struct fs_blk_rq *r, __u64 now, __u64 lat, __u32 dev, __u32 disk, __u32 op, __s32 error)
{
	struct fs_blk_ev *e = BPFSCOPE_RINGBUF_RESERVE(&fs_blk_events, struct fs_blk_ev, &fs_blk_stats);

	if (!e)
		return;
	e->ts_ns = now;
	e->latency_ns = lat;
	e->sector = r->sector;
	e->dev = dev;
	e->bytes = r->bytes;
	e->pid = r->pid;
	e->op = event_op(op);
	e->error = error;
	e->disk = disk;
	__builtin_memcpy(e->comm, r->comm, sizeof(e->comm));
	submit(e);
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(fs_blk_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct fs_blk_cfg *cfg = blk_config();
	struct done c = {};
	struct fs_blk_rq *r = NULL;
	__u64 key = 0, now = 0, lat = 0;
	__u32 part, whole, flags, op, slot;
	int part_in, whole_in, full, seq, final;

	if (!cfg)
		return 0;
	rq_devs(rq, &part, &whole);
	part_in = allowed(cfg, part);
	whole_in = part != whole && allowed(cfg, whole);
	if (!part_in && !whole_in) {
		if (cfg->filter_on)
			bpfscope_stat_add(&fs_blk_stats, BPFSCOPE_STAT_FILTER_MISS, 1);
		return 0;
	}
	if (cfg->filter_on)
		bpfscope_stat_add(&fs_blk_stats, BPFSCOPE_STAT_FILTER_HITS, 1);
	flags = rq->rq_flags;
	op = rq->cmd_flags & REQ_OP_BITS_MASK;
	full = nr_bytes >= rq->__data_len;
	seq = (flags & rqf_flush_seq()) != 0;
	/* The data of a request inside a flush sequence: it completes again at the sequence's end. */
	final = full && !(seq && op != REQ_OP_FLUSH);
	c.group = op == REQ_OP_DISCARD ? FS_BLK_DISCARD : (op & 1);
	if ((flags & rqf_io_stat()) && rq->bio)
		c.sectors = nr_bytes >> 9;
	c.counted = final && !seq && (flags & rqf_io_stat());
	c.flush = final && seq;
	if (final) {
		__u64 start = rq->start_time_ns;

		now = bpf_ktime_get_ns();
		if (start && start <= now) {
			lat = now - start;
			c.lat_us = lat / 1000;
			slot = bpfscope_log2_slot(c.lat_us);
			c.slot = slot ? slot - 1 : 0;
			if (c.slot >= FS_BLK_SLOTS)
				c.slot = FS_BLK_SLOTS - 1;
			c.timed = 1;
		} else if (c.counted) {
			tot_add(FS_BLK_TOT_NO_STAMP);
		}
		/* Who issued it: noted only while a stream is open. */
		key = rq_key(rq, whole);
		if (cfg->streams)
			r = bpf_map_lookup_elem(&fs_blk_rq, &key);
	}
	if (part_in)
		count(part, &c, part == whole);
	if (whole_in)
		count(whole, &c, 1);
	if (!r)
		return 0;
	if (c.timed && lat >= cfg->slow_ns)
		send(r, now, lat, c.flush ? whole : part, whole, op, (__s32)error);
	bpf_map_delete_elem(&fs_blk_rq, &key);
	return 0;
}
