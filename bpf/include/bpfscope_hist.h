/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* log2 histograms: slot i counts values v with 2^(i-1) <= v < 2^i (slot 0: v == 0). */
#ifndef BPFSCOPE_HIST_H
#define BPFSCOPE_HIST_H

#define BPFSCOPE_HIST_SLOTS 64

/* Index of the highest set bit + 1, so log2 slot of v; 0 for v == 0. */
static __always_inline __u32 bpfscope_log2_slot(__u64 v)
{
	__u32 r = 0;

	if (v >= (1ULL << 32)) { v >>= 32; r += 32; }
	if (v >= (1ULL << 16)) { v >>= 16; r += 16; }
	if (v >= (1ULL << 8)) { v >>= 8; r += 8; }
	if (v >= (1ULL << 4)) { v >>= 4; r += 4; }
	if (v >= (1ULL << 2)) { v >>= 2; r += 2; }
	if (v >= (1ULL << 1)) { r += 1; }
	return v ? r + 1 : 0;
}

/* A per-CPU array of BPFSCOPE_HIST_SLOTS u64 counters; user space sums the CPUs. */
#define BPFSCOPE_HIST_MAP(name)                           \
	struct {                                          \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);  \
		__uint(max_entries, BPFSCOPE_HIST_SLOTS); \
		__type(key, __u32);                       \
		__type(value, __u64);                     \
	} name SEC(".maps")

static __always_inline void bpfscope_hist_add(void *map, __u64 v)
{
	__u32 slot = bpfscope_log2_slot(v);
	__u64 *c;

	if (slot >= BPFSCOPE_HIST_SLOTS)
		slot = BPFSCOPE_HIST_SLOTS - 1;
	c = bpf_map_lookup_elem(map, &slot);
	if (c)
		*c += 1;
}

#endif
