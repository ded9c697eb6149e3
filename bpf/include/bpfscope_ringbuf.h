/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Ring buffer helpers. Every record a program tries to send is counted in
 * the object's stats map (bpfscope_stats.h): BPFSCOPE_STAT_EVENTS and its
 * size in BPFSCOPE_STAT_RB_BYTES when it got room, BPFSCOPE_STAT_DROPS when
 * the ring was full. User space adds the drops to what it received, so a full
 * ring is never a silent loss. Send every record through these helpers, so
 * that the counters of every object mean the same. */
#ifndef BPFSCOPE_RINGBUF_H
#define BPFSCOPE_RINGBUF_H

#include "bpfscope_stats.h"

/* A BPF_MAP_TYPE_RINGBUF of `bytes` bytes (a power of 2, at least one page). */
#define BPFSCOPE_RINGBUF_MAP(name, bytes)            \
	struct {                                     \
		__uint(type, BPF_MAP_TYPE_RINGBUF);  \
		__uint(max_entries, bytes);          \
	} name SEC(".maps")

/* Reserves `size` bytes (a constant) in `ringbuf`, or counts a drop in `stats`
 * and returns NULL. A record that is reserved counts as an event; fill it and
 * pass it to bpf_ringbuf_submit() (bpf_ringbuf_discard() would leave it
 * counted as sent). */
static __always_inline void *bpfscope_ringbuf_reserve(void *ringbuf, __u64 size, void *stats)
{
	void *record = bpf_ringbuf_reserve(ringbuf, size, 0);

	if (!record) {
		bpfscope_stat_add(stats, BPFSCOPE_STAT_DROPS, 1);
		return NULL;
	}
	bpfscope_stat_add(stats, BPFSCOPE_STAT_EVENTS, 1);
	bpfscope_stat_add(stats, BPFSCOPE_STAT_RB_BYTES, size);
	return record;
}

/* Copies `size` bytes at `data` into `ringbuf` (bpf_ringbuf_output), counted as
 * bpfscope_ringbuf_reserve() counts. For rare records built on the stack.
 * Returns 1 when the record was sent, 0 when it was dropped. */
static __always_inline int bpfscope_ringbuf_output(void *ringbuf, void *data, __u64 size, void *stats)
{
	if (bpf_ringbuf_output(ringbuf, data, size, 0)) {
		bpfscope_stat_add(stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	bpfscope_stat_add(stats, BPFSCOPE_STAT_EVENTS, 1);
	bpfscope_stat_add(stats, BPFSCOPE_STAT_RB_BYTES, size);
	return 1;
}

/* Typed form: `struct ev *e = BPFSCOPE_RINGBUF_RESERVE(&rb, struct ev, &stats);` */
#define BPFSCOPE_RINGBUF_RESERVE(ringbuf, type, stats) \
	((type *)bpfscope_ringbuf_reserve((ringbuf), sizeof(type), (stats)))

#endif
