/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Layouts shared by maps.bpf.c and the @bpfscope/native map tests. */
#ifndef BPFSCOPE_TEST_MAPS_H
#define BPFSCOPE_TEST_MAPS_H

#define TEST_HASH_ENTRIES 100000

/* Indexes of test_counts (per-CPU) and test_total (shared, atomic). */
enum test_count {
	TEST_COUNT_SWITCHES = 0,   /* every sched_switch */
	TEST_COUNT_TARGET = 1,     /* switches away from a thread of test_config[0] (a tgid) */
	TEST_COUNT_MAX = 2,
};

struct test_value {
	__u64 count;
	__u64 sum;
};

#endif
