/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared per-CPU statistics counters. Every bpfscope object defines one
 * <family>_stats map through BPFSCOPE_STATS_MAP so user space can tell how
 * often programs ran, how many events were sent and how many were dropped,
 * what its kernel filters let through, and how many bytes of records its
 * ring buffers took. User space reads as many slots as the map has, so an
 * object built with an older copy of this header (fewer slots) still reads. */
#ifndef BPFSCOPE_STATS_H
#define BPFSCOPE_STATS_H

enum bpfscope_stat {
	BPFSCOPE_STAT_INVOCATIONS = 0, /* program runs */
	BPFSCOPE_STAT_EVENTS = 1,      /* events sent to a ring buffer */
	BPFSCOPE_STAT_DROPS = 2,       /* events or map entries lost (full ring buffer / map) */
	BPFSCOPE_STAT_FILTER_HITS = 3, /* records that passed a kernel filter */
	BPFSCOPE_STAT_FILTER_MISS = 4, /* records a kernel filter rejected */
	BPFSCOPE_STAT_RB_BYTES = 5,    /* bytes of the records reserved (and so submitted) in a ring
	                                * buffer: their payload, without the ring's 8-byte header */
	BPFSCOPE_STAT_MAX = 6,
};

/* A per-CPU array with one u64 per enum bpfscope_stat. */
#define BPFSCOPE_STATS_MAP(name)                         \
	struct {                                         \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); \
		__uint(max_entries, BPFSCOPE_STAT_MAX);  \
		__type(key, __u32);                      \
		__type(value, __u64);                    \
	} name SEC(".maps")

static __always_inline void bpfscope_stat_add(void *map, __u32 stat, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &stat);

	if (v)
		*v += n; /* per-CPU slot: no other CPU writes it */
}

#endif
