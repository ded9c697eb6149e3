/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* CO-RE readers of an mm's resident-set counters, exact: the shared count plus the
 * per-CPU parts not yet folded into it (what VmRSS, statm and smaps_rollup show;
 * /proc/<pid>/stat's rss is the shared count alone, up to ~17% low). Include after
 * vmlinux.h, bpf/bpf_helpers.h and bpf/bpf_core_read.h. Defines two maps,
 * bpfscope_pcpu and bpfscope_cpuoff. */
#ifndef BPFSCOPE_MM_H
#define BPFSCOPE_MM_H

/* mm->rss_stat is a percpu_counter array since 6.2, an atomic_long_t array before. */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

/* MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES */
enum bpfscope_mm_counter {
	BPFSCOPE_MM_FILE = 0,
	BPFSCOPE_MM_ANON = 1,
	BPFSCOPE_MM_SWAP = 2,
	BPFSCOPE_MM_SHMEM = 3,
};

#define BPFSCOPE_MAX_CPUS 1024

/* One slot per CPU, only to learn each CPU's per-CPU offset (__per_cpu_offset[cpu],
 * which kallsyms does not show without CONFIG_KALLSYMS_ALL): the address of a CPU's
 * copy of the slot minus the slot's per-CPU base address. The kernel's BTF has no
 * percpu tag on percpu_counter.counters, so bpf_per_cpu_ptr() cannot take it; its
 * per-CPU parts are read at counters + offset instead. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bpfscope_pcpu SEC(".maps");

/* The offsets found so far, by CPU; 0: not yet found (no CPU's offset is 0 on SMP x86_64).
 * A per-CPU offset is a kernel address: the map is write-only from user space
 * (BPF_F_WRONLY: a lookup through its fd gets EPERM), so no reader of the object's maps
 * sees one; a global variable would sit in .bss, which user space can read. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_WRONLY);
	__uint(max_entries, BPFSCOPE_MAX_CPUS);
	__type(key, __u32);
	__type(value, __u64);
} bpfscope_cpuoff SEC(".maps");

/* A pointer's bits as a number: the verifier allows no arithmetic between a map
 * pointer and an unknown number, so the bits go through memory. */
static __always_inline __u64 bpfscope_addr(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* The per-CPU offset of `cpu`, 0 when `cpu` is not a possible CPU or it cannot be found. */
static __always_inline __u64 bpfscope_cpu_offset(__u32 cpu)
{
	struct bpf_array *arr = (void *)&bpfscope_pcpu;
	__u32 zero = 0;
	__u64 base = 0, off, *known;
	void *mine;

	if (cpu >= BPFSCOPE_MAX_CPUS)
		return 0;
	known = bpf_map_lookup_elem(&bpfscope_cpuoff, &cpu);
	if (!known)
		return 0;
	off = *known;
	if (off)
		return off;
	mine = bpf_map_lookup_percpu_elem(&bpfscope_pcpu, &zero, cpu);
	if (!mine)
		return 0;
	bpf_probe_read_kernel(&base, sizeof(base), (const char *)bpfscope_addr(arr) + bpf_core_field_offset(struct bpf_array, pptrs));
	if (!base)
		return 0;
	off = bpfscope_addr(mine) - base;
	*known = off;
	return off;
}

struct bpfscope_sum_ctx {
	__u64 counters;
	__s64 n;
};

/* One CPU's part: a bpf_loop() callback, verified once, where a loop over up to
 * BPFSCOPE_MAX_CPUS CPUs would be verified once per CPU (5x the load time). */
static long bpfscope_sum_cpu(__u32 cpu, void *arg)
{
	struct bpfscope_sum_ctx *x = arg;
	__u64 off = bpfscope_cpu_offset(cpu);
	__s32 part = 0;

	if (!off)
		return 1; /* past the last possible CPU */
	bpf_probe_read_kernel(&part, sizeof(part), (const void *)(x->counters + off));
	x->n += part;
	return 0;
}

/* percpu_counter_sum(): the shared count plus every possible CPU's part (an offline
 * CPU's part is 0: it is folded into count when the CPU goes down). Without the
 * helper that finds the offsets (before 5.19), the shared count alone. */
static __always_inline __s64 bpfscope_percpu_counter_sum(__s64 count, __u64 counters)
{
	struct bpfscope_sum_ctx x = { .counters = counters, .n = count };

	if (!counters || !bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_map_lookup_percpu_elem))
		return count;
	bpf_loop(BPFSCOPE_MAX_CPUS, bpfscope_sum_cpu, &x, 0);
	return x.n;
}

/* One mm counter in pages, exact; 0 without an mm. */
static __always_inline __u64 bpfscope_mm_counter(struct mm_struct *mm, int i)
{
	__s64 n;

	if (!mm || i < 0 || i > 3)
		return 0;
	if (bpf_core_field_exists(mm->rss_stat[0].count))
		n = bpfscope_percpu_counter_sum(BPF_CORE_READ(mm, rss_stat[i].count), (__u64)BPF_CORE_READ(mm, rss_stat[i].counters));
	else
		n = BPF_CORE_READ((struct mm_struct___pre62 *)mm, rss_stat.count[i].counter);
	return n > 0 ? n : 0;
}

/* Resident pages: file + anon + shmem (swap entries are not resident). */
static __always_inline __u64 bpfscope_rss_pages(struct mm_struct *mm)
{
	return bpfscope_mm_counter(mm, BPFSCOPE_MM_FILE) + bpfscope_mm_counter(mm, BPFSCOPE_MM_ANON) +
	       bpfscope_mm_counter(mm, BPFSCOPE_MM_SHMEM);
}

#endif
