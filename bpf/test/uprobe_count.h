/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Layouts shared by uprobe_count.bpf.c and the @bpfscope/native uprobe tests. */
#ifndef BPFSCOPE_TEST_UPROBE_COUNT_H
#define BPFSCOPE_TEST_UPROBE_COUNT_H

#define UPC_MAX_PROCESSES 1024

/* Value of upc_calls and upc_rets, keyed by tgid. */
struct upc_value {
	__u64 count; /* probe hits */
	__u64 sum;   /* sum of the first argument (entry) or of the return value (return) */
};

#endif
