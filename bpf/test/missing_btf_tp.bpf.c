// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture: a BTF tracepoint that no kernel has. libbpf resolves the
 * btf_trace_<name> type at load time, so loading must fail. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/bpfscope_no_such_tp")
int BPF_PROG(missing_btf_tp)
{
	return 0;
}
