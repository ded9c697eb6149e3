/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Sampling decisions made in the kernel, per event source, before an event
 * takes ring-buffer space. Two parts: the token bucket, usable alone
 * (BPFSCOPE_BUCKET_MAPS / BPFSCOPE_BUCKET_TAKE), and below it the whole
 * decision every family's events take (BPFSCOPE_SAMPLING_MAPS /
 * BPFSCOPE_SAMPLE: priority, tail threshold, uniform, then the bucket).
 *
 * The bucket: a rate limit refilled from bpf_ktime_get_ns(). Alone, three
 * array maps, one slot per event source:
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


/* ---- One sampling decision per event source ------------------------------------------
 *
 * A family declares the maps of `n` event sources with BPFSCOPE_SAMPLING_MAPS and asks
 * bpfscope_sample() once per event, before it reserves ring-buffer space. The decision
 * reads the source's setting once; a setting with no flag set costs that one array
 * lookup and a branch, and counts nothing (nothing was sampled). Otherwise, in order:
 *
 *   1. priority: when the event's process, cgroup or class is marked high for the
 *      source (the prio hash), it passes at once with weight 1 (counted as `high`);
 *   2. tail: an event whose value is below `threshold` is sampled away (`tail_away`);
 *   3. uniform 1-in-`every`: in counter mode the 1st, (N+1)th … event of this source
 *      on this CPU passes (a per-CPU counter, so one CPU gives exactly ceil(n/N)); in
 *      random mode each passes with probability 1/N (bpf_get_prandom_u32); the rest
 *      are sampled away (`uniform_away`); a passing event has weight N;
 *   4. the token bucket (GCRA above): an event it refuses is counted in `refused`
 *      (and `contended` when it lost the compare-and-swap race).
 *
 * Every event offered to an active setting lands in exactly one count, so
 *   offered = passed + high + uniform_away + tail_away + refused
 * holds at every read (each event touches one per-CPU slot once). */

#define BPFSCOPE_SMP_UNIFORM 1u       /* uniform 1-in-every */
#define BPFSCOPE_SMP_RANDOM 2u        /* with UNIFORM: bpf_get_prandom_u32() instead of the counter */
#define BPFSCOPE_SMP_TAIL 4u          /* keep iff value >= threshold */
#define BPFSCOPE_SMP_BUCKET 8u        /* token bucket (bucket.rate, bucket.burst) */
#define BPFSCOPE_SMP_PRIO_PID 16u     /* look the event's tgid up in the prio hash */
#define BPFSCOPE_SMP_PRIO_CGROUP 32u  /* look its cgroup v2 id up */
#define BPFSCOPE_SMP_PRIO_CLASS 64u   /* look its class (the family's event kind) up */

/* Kinds of struct bpfscope_smp_prio_key. */
#define BPFSCOPE_PRIO_PID 0
#define BPFSCOPE_PRIO_CGROUP 1
#define BPFSCOPE_PRIO_CLASS 2

/* Pass as `cgroup` to read the current task's cgroup id only when a cgroup priority is set. */
#define BPFSCOPE_SMP_CGROUP_CURRENT (~0ULL)

/* A source's setting, written by user space at run time (no reload). */
struct bpfscope_smp_cfg {
	__u32 flags;      /* BPFSCOPE_SMP_*; 0: every event passes, nothing counted */
	__u32 pad;
	__u64 every;      /* uniform: one in this many (>= 2 to thin; 1 keeps all) */
	__u64 threshold;  /* tail: keep iff the event's value >= this (family's unit) */
	struct bpfscope_bucket_cfg bucket;
};

/* A source's counts on one CPU (sum over CPUs). */
struct bpfscope_smp_counts {
	__u64 passed;       /* passed every decision (not by priority) */
	__u64 high;         /* passed as high priority */
	__u64 uniform_away; /* sampled away by the uniform decision */
	__u64 tail_away;    /* sampled away by the tail threshold */
	__u64 refused;      /* refused by the token bucket */
	__u64 contended;    /* of the refused: lost the compare-and-swap race every try */
	__u64 tick;         /* uniform counter mode: events the uniform saw on this CPU */
};

/* Key of the prio hash: an id marked high for one source. Value: __u8, 1. */
struct bpfscope_smp_prio_key {
	__u64 id;      /* tgid, cgroup v2 id, or class */
	__u32 source;
	__u32 kind;    /* BPFSCOPE_PRIO_* */
};

#define BPFSCOPE_SMP_MAX_PRIO 4096

/* The four maps of `n` sources: <prefix>_cfg, <prefix>_tat, <prefix>_cnt, <prefix>_prio
 * (the prefix at most 10 characters, so every name fits in 15). */
#define BPFSCOPE_SAMPLING_MAPS(prefix, n)                           \
	struct {                                                    \
		__uint(type, BPF_MAP_TYPE_ARRAY);                   \
		__uint(max_entries, n);                             \
		__type(key, __u32);                                 \
		__type(value, struct bpfscope_smp_cfg);             \
	} prefix##_cfg SEC(".maps");                                \
	struct {                                                    \
		__uint(type, BPF_MAP_TYPE_ARRAY);                   \
		__uint(max_entries, n);                             \
		__type(key, __u32);                                 \
		__type(value, __u64);                               \
	} prefix##_tat SEC(".maps");                                \
	struct {                                                    \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);            \
		__uint(max_entries, n);                             \
		__type(key, __u32);                                 \
		__type(value, struct bpfscope_smp_counts);          \
	} prefix##_cnt SEC(".maps");                                \
	struct {                                                    \
		__uint(type, BPF_MAP_TYPE_HASH);                    \
		__uint(max_entries, BPFSCOPE_SMP_MAX_PRIO);         \
		__type(key, struct bpfscope_smp_prio_key);          \
		__type(value, __u8);                                \
	} prefix##_prio SEC(".maps");                               \
	/* The decision as a global function: the verifier checks it once per program, on \
	 * its own, instead of once per inlined call site (syscall's are unrolled per slot). */ \
	__u64 prefix##_decide(__u32 source, __u64 value, __u32 pid, __u64 cgroup, __u32 cls); \
	__noinline __u64 prefix##_decide(__u32 source, __u64 value, __u32 pid, __u64 cgroup, __u32 cls) \
	{                                                                                   \
		const struct bpfscope_smp_cfg *c = bpf_map_lookup_elem(&prefix##_cfg, &source); \
                                                                                            \
		if (!c)                                                                     \
			return 1;                                                           \
		return bpfscope_smp_decide(c, &prefix##_tat, &prefix##_cnt, &prefix##_prio, \
					   source, value, pid, cgroup, cls);                \
	}                                                                                   \
	/* Keeps the structs in the object's BTF, where user space reads their layouts. */ \
	const struct bpfscope_smp_cfg prefix##_cfg_btf __attribute__((unused)) = {};       \
	const struct bpfscope_smp_counts prefix##_cnt_btf __attribute__((unused)) = {};    \
	const struct bpfscope_smp_prio_key prefix##_prio_btf __attribute__((unused)) = {}

static __always_inline int bpfscope_smp_high(void *prio, __u32 source, __u32 kind, __u64 id)
{
	struct bpfscope_smp_prio_key k = { .id = id, .source = source, .kind = kind };

	return bpf_map_lookup_elem(prio, &k) != NULL;
}

/* The rest of the decision, once the setting is known to be active. */
static __always_inline __u64 bpfscope_smp_decide(const struct bpfscope_smp_cfg *cfg, void *tat_map, void *cnt_map,
						  void *prio, __u32 source, __u64 value, __u32 pid, __u64 cgroup, __u32 cls)
{
	__u32 flags = READ_ONCE(cfg->flags);
	struct bpfscope_smp_counts *n = bpf_map_lookup_elem(cnt_map, &source);
	__u64 weight = 1, every;
	__u64 *tat;

	if (!n)
		return 1;
	if (flags & (BPFSCOPE_SMP_PRIO_PID | BPFSCOPE_SMP_PRIO_CGROUP | BPFSCOPE_SMP_PRIO_CLASS)) {
		if (((flags & BPFSCOPE_SMP_PRIO_PID) && bpfscope_smp_high(prio, source, BPFSCOPE_PRIO_PID, pid)) ||
		    ((flags & BPFSCOPE_SMP_PRIO_CLASS) && bpfscope_smp_high(prio, source, BPFSCOPE_PRIO_CLASS, cls)) ||
		    ((flags & BPFSCOPE_SMP_PRIO_CGROUP) &&
		     bpfscope_smp_high(prio, source, BPFSCOPE_PRIO_CGROUP,
				       cgroup == BPFSCOPE_SMP_CGROUP_CURRENT ? bpf_get_current_cgroup_id() : cgroup))) {
			n->high++;
			return 1;
		}
	}
	if ((flags & BPFSCOPE_SMP_TAIL) && value < READ_ONCE(cfg->threshold)) {
		n->tail_away++;
		return 0;
	}
	every = READ_ONCE(cfg->every);
	if ((flags & BPFSCOPE_SMP_UNIFORM) && every > 1) {
		if (flags & BPFSCOPE_SMP_RANDOM) {
			if (bpf_get_prandom_u32() % (__u32)every) {
				n->uniform_away++;
				return 0;
			}
		} else if (n->tick++ % every) {
			n->uniform_away++;
			return 0;
		}
		weight = every;
	}
	if (flags & BPFSCOPE_SMP_BUCKET) {
		struct bpfscope_bucket_counts b = {};

		tat = bpf_map_lookup_elem(tat_map, &source);
		if (tat && !bpfscope_bucket_take(&cfg->bucket, tat, &b, bpf_ktime_get_ns())) {
			n->refused++;
			n->contended += b.contended;
			return 0;
		}
	}
	n->passed++;
	return weight;
}

/* The decision for one event of source `source` (a constant or a slot number):
 * returns its weight (N for an event a 1-in-N uniform kept, else 1) or 0 to drop it.
 * value: what the tail judges (e.g. latency, ns); pid: the tgid; cgroup: the cgroup v2
 * id (or BPFSCOPE_SMP_CGROUP_CURRENT); cls: the family's event class. */
#define BPFSCOPE_SAMPLE(prefix, source, value, pid, cgroup, cls)                                   \
	({                                                                                         \
		__u32 __s = (source);                                                              \
		const struct bpfscope_smp_cfg *__c = bpf_map_lookup_elem(&prefix##_cfg, &__s);     \
		(!__c || !__c->flags) ? 1ULL                                                       \
				      : prefix##_decide(__s, (value), (pid), (cgroup), (cls));     \
	})

#endif /* BPFSCOPE_SAMPLING_H */
