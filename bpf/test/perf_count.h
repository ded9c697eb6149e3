/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Layouts shared by perf_count.bpf.c and the @bpfscope/native perf_event tests. */
#ifndef BPFSCOPE_TEST_PERF_COUNT_H
#define BPFSCOPE_TEST_PERF_COUNT_H

/* Indexes of perfc_counts (per-CPU) and perfc_total (shared, atomic). */
enum perfc_slot {
	PERFC_ALL = 0,    /* every sample */
	PERFC_TARGET = 1, /* samples that interrupted a thread of perfc_config[0] (a tgid) */
	PERFC_MAX = 2,
};

#endif
