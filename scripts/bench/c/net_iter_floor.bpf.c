// Reference program for scripts/bench/net-read.mjs: an iter/tcp program that writes
// nothing. Reading it is the kernel's walk of the socket table alone (the batches of
// sockets taken per bucket, the program run per socket), the floor under any reading
// of the connection table through a socket iterator.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("iter/tcp")
int floor_tcp(struct bpf_iter__tcp *ctx)
{
	return 0;
}
