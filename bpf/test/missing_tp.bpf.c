// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture: a raw tracepoint that no kernel has. Loading works (raw_tp
 * programs name their hook only at attach); attaching must fail. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("raw_tp/bpfscope_no_such_tp")
int missing_raw_tp(void *ctx)
{
	return 0;
}
