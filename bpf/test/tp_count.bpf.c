// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test fixture for tracepoint/<category>/<name> programs (tracefs): counts
 * the getppid calls of one process, so a test can compare the count with the
 * exact number of calls its workload made. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The tgid whose calls are counted; set before load. */
const volatile __u32 target_tgid = 0;

/* [0]: getppid calls of target_tgid seen. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tpc_count SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int tpc_getppid(void *ctx)
{
	__u32 zero = 0;
	__u64 *n;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	n = bpf_map_lookup_elem(&tpc_count, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
