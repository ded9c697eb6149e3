/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel-side rate limit: a token bucket per event source, refilled from
 * bpf_ktime_get_ns(). Three array maps, one slot per event source:
 *   - the setting (rate, burst): written by user space at run time with a
 *     map update, no reload; the program only reads it;
 *   - the state (one __u64): written by the program only (user space may
 *     zero it to refill the bucket at once);
 *   - the counts (passed, refused, contended): per-CPU, so user space sums
 *     exact totals and a setting change never races with a count.
 *
 * The bucket is kept as GCRA (the generic cell rate algorithm): the state is
 * the "theoretical arrival time" tat. With interval I = ceil(1e9 / rate) ns
 * and tolerance tau = (burst - 1) * I, an event at time now passes when
 * max(tat, now) - now <= tau, and tat becomes max(tat, now) + I. That is a
 * token bucket of size `burst` refilled with one token per I ns, in one word:
 * one compare-and-swap updates it, with no lock (tracing programs may not
 * take bpf_spin_lock). Between any two passed events T ns apart,
 * passed <= burst + T / I <= burst + rate * T / 1e9, exactly.
 *
 * Include only where used. Needs -mcpu=v3 (BPF atomics, Linux 5.12+). */
#ifndef BPFSCOPE_SAMPLING_H
#define BPFSCOPE_SAMPLING_H

#ifndef READ_ONCE
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#endif

/* An event source's setting, written by user space. */
struct bpfscope_bucket_cfg {
	__u64 rate;  /* events per second let through; 0: not limited */
	__u64 burst; /* events let through at once; 0 acts as 1 */
};

/* An event source's counts on one CPU (sum over CPUs for totals). */
struct bpfscope_bucket_counts {
	__u64 passed;    /* events let through */
	__u64 refused;   /* events refused: offered = passed + refused */
	__u64 contended; /* of the refused: lost the compare-and-swap race BPFSCOPE_BUCKET_TRIES times */
};

/* The three maps of `n` buckets. Names are the caller's (at most 15 characters). */
#define BPFSCOPE_BUCKET_MAPS(cfg_map, tat_map, counts_map, n)  \
	struct {                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                      \
		__uint(max_entries, n);                                \
		__type(key, __u32);                                    \
		__type(value, struct bpfscope_bucket_cfg);             \
	} cfg_map SEC(".maps");                                    \
	struct {                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                      \
		__uint(max_entries, n);                                \
		__type(key, __u32);                                    \
		__type(value, __u64);                                  \
	} tat_map SEC(".maps");                                    \
	struct {                                                   \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);               \
		__uint(max_entries, n);                                \
		__type(key, __u32);                                    \
		__type(value, struct bpfscope_bucket_counts);          \
	} counts_map SEC(".maps")

/* Other CPUs may update the same bucket at once: a few tries, then the event
 * is refused and counted as contended (a bounded loop for the verifier). */
#define BPFSCOPE_BUCKET_TRIES 8

/* Offers one event at time `now` (bpf_ktime_get_ns()) to a bucket.
 * Returns 1 if the event may go on, 0 if the bucket refused it; counts both. */
static __always_inline int bpfscope_bucket_take(const struct bpfscope_bucket_cfg *cfg, __u64 *tat,
						struct bpfscope_bucket_counts *counts, __u64 now)
{
	__u64 rate = READ_ONCE(cfg->rate);
	__u64 burst = READ_ONCE(cfg->burst);
	__u64 interval, tau, old, base;
	int i;

	if (rate == 0) {
		counts->passed++;
		return 1;
	}
	interval = (1000000000ULL + rate - 1) / rate;
	tau = (burst > 1 ? burst - 1 : 0) * interval;
	for (i = 0; i < BPFSCOPE_BUCKET_TRIES; i++) {
		old = READ_ONCE(*tat);
		base = old > now ? old : now;
		if (base - now > tau) {
			counts->refused++;
			return 0;
		}
		if (__sync_val_compare_and_swap(tat, old, base + interval) == old) {
			counts->passed++;
			return 1;
		}
	}
	counts->refused++;
	counts->contended++;
	return 0;
}

/* The bucket of event source `source` in the three maps; 1 = pass, 0 = refuse.
 * A source with no slot (out of range) is not limited and not counted. */
#define BPFSCOPE_BUCKET_TAKE(cfg_map, tat_map, counts_map, source, now)                       \
	({                                                                                        \
		__u32 __src = (source);                                                               \
		struct bpfscope_bucket_cfg *__c = bpf_map_lookup_elem(&cfg_map, &__src);              \
		__u64 *__t = bpf_map_lookup_elem(&tat_map, &__src);                                   \
		struct bpfscope_bucket_counts *__n = bpf_map_lookup_elem(&counts_map, &__src);        \
		(__c && __t && __n) ? bpfscope_bucket_take(__c, __t, __n, (now)) : 1;                 \
	})

#endif /* BPFSCOPE_SAMPLING_H */
