/* GPU work as the host sees it: uprobes on the CUDA runtime (libcudart.so) count
 * kernel launches, allocations and copies per process, and the dma_fence
 * tracepoints (tp_btf) count GPU jobs per fence context with their
 * init-to-signal latency. The uprobes are attached by user space to each
 * runtime it finds, by symbol name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfscope_stats.h"
#include "bpfscope_hist.h"
#include "gpu.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define GPU_MAX_PROCS 4096
#define GPU_MAX_PENDING 4096
#define GPU_MAX_CONTEXTS 1024
#define GPU_MAX_LIVE_FENCES 16384

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GPU_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct gpu_cuda_proc);
} gpu_cuda_procs SEC(".maps");

/* cudaMalloc size of each thread between entry and return. LRU: a thread that
 * never returns (killed inside the call) does not hold its slot forever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GPU_MAX_PENDING);
	__type(key, __u64);
	__type(value, __u64);
} gpu_malloc_args SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GPU_MAX_CONTEXTS);
	__type(key, __u64);
	__type(value, struct gpu_fence_ctx);
} gpu_fence_ctxs SEC(".maps");

/* Init time of each fence not yet signalled (key: the fence's address). LRU: a
 * fence freed unsignalled does not hold its slot; its signal, if ever, counts
 * as a drop. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GPU_MAX_LIVE_FENCES);
	__type(key, __u64);
	__type(value, __u64);
} gpu_fence_live SEC(".maps");

/* A new context's first value is built here: the struct is too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gpu_fence_ctx);
} gpu_fence_new SEC(".maps");

BPFSCOPE_STATS_MAP(gpu_stats);

/* Records reach the maps through these subprograms: their parameter types put
 * the record structs into the object's BTF, where user space reads the layouts. */
static __noinline int proc_first(__u32 tgid, struct gpu_cuda_proc *fresh)
{
	/* EEXIST when another thread of the process inserted it first: fine. */
	return bpf_map_update_elem(&gpu_cuda_procs, &tgid, fresh, BPF_NOEXIST);
}

static __noinline int ctx_first(__u64 context, struct gpu_fence_ctx *fresh)
{
	return bpf_map_update_elem(&gpu_fence_ctxs, &context, fresh, BPF_NOEXIST);
}

/* The calling process's entry, made on its first call; NULL (a drop) when full. */
static __always_inline struct gpu_cuda_proc *proc_entry(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct gpu_cuda_proc *p;

	bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	p = bpf_map_lookup_elem(&gpu_cuda_procs, &tgid);
	if (!p) {
		struct gpu_cuda_proc fresh = {};

		proc_first(tgid, &fresh);
		p = bpf_map_lookup_elem(&gpu_cuda_procs, &tgid);
		if (!p) {
			bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_DROPS, 1);
			return NULL;
		}
	}
	bpf_get_current_comm(p->comm, sizeof(p->comm));
	return p;
}

/* cudaError_t cudaLaunchKernel(const void *func, dim3 grid, dim3 block, void **args, size_t shared, cudaStream_t stream) */
SEC("uprobe")
int BPF_KPROBE(gpu_launch)
{
	struct gpu_cuda_proc *p = proc_entry();

	if (p)
		__sync_fetch_and_add(&p->launches, 1);
	return 0;
}

/* cudaError_t cudaMalloc(void **devPtr, size_t size): the size is kept until the
 * call returns, and counted only when it returns cudaSuccess (0). */
SEC("uprobe")
int BPF_KPROBE(gpu_malloc, void **dev_ptr, __u64 size)
{
	__u64 id = bpf_get_current_pid_tgid();

	bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	bpf_map_update_elem(&gpu_malloc_args, &id, &size, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(gpu_malloc_ret, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *size = bpf_map_lookup_elem(&gpu_malloc_args, &id);
	struct gpu_cuda_proc *p;
	__u64 bytes;

	if (!size) {
		/* Entry not seen (attached mid-call, or its slot evicted): counted. */
		bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
		bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_DROPS, 1);
		return 0;
	}
	bytes = *size;
	bpf_map_delete_elem(&gpu_malloc_args, &id);
	p = proc_entry();
	if (!p || ret != 0)
		return 0;
	__sync_fetch_and_add(&p->allocs, 1);
	__sync_fetch_and_add(&p->alloc_bytes, bytes);
	return 0;
}

/* cudaError_t cudaFree(void *devPtr) */
SEC("uprobe")
int BPF_KPROBE(gpu_free)
{
	struct gpu_cuda_proc *p = proc_entry();

	if (p)
		__sync_fetch_and_add(&p->frees, 1);
	return 0;
}

/* cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind) */
SEC("uprobe")
int BPF_KPROBE(gpu_memcpy, void *dst, const void *src, __u64 count, int kind)
{
	struct gpu_cuda_proc *p = proc_entry();

	if (!p)
		return 0;
	__sync_fetch_and_add(&p->copies, 1);
	if (kind >= 0 && kind < GPU_COPY_KINDS)
		__sync_fetch_and_add(&p->copy_bytes[kind], count);
	return 0;
}

static __always_inline struct gpu_fence_ctx *ctx_entry(struct dma_fence *fence, __u64 context)
{
	struct gpu_fence_ctx *c = bpf_map_lookup_elem(&gpu_fence_ctxs, &context);
	__u32 zero = 0;
	struct gpu_fence_ctx *fresh;

	if (c)
		return c;
	fresh = bpf_map_lookup_elem(&gpu_fence_new, &zero);
	if (fresh) {
		__builtin_memset(fresh, 0, sizeof(*fresh));
		fresh->ops = (__u64)BPF_CORE_READ(fence, ops);
		ctx_first(context, fresh);
	}
	c = bpf_map_lookup_elem(&gpu_fence_ctxs, &context);
	if (!c)
		bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_DROPS, 1);
	return c;
}

SEC("tp_btf/dma_fence_init")
int BPF_PROG(gpu_fence_init, struct dma_fence *fence)
{
	__u64 key = (__u64)fence;
	__u64 now = bpf_ktime_get_ns();
	struct gpu_fence_ctx *c;

	bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	c = ctx_entry(fence, BPF_CORE_READ(fence, context));
	if (c)
		__sync_fetch_and_add(&c->emitted, 1);
	bpf_map_update_elem(&gpu_fence_live, &key, &now, BPF_ANY);
	return 0;
}

SEC("tp_btf/dma_fence_signaled")
int BPF_PROG(gpu_fence_sig, struct dma_fence *fence)
{
	__u64 key = (__u64)fence;
	__u64 *start = bpf_map_lookup_elem(&gpu_fence_live, &key);
	__u64 lat = 0, seen = 0;
	struct gpu_fence_ctx *c;
	__u32 slot;

	bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_INVOCATIONS, 1);
	if (start) {
		lat = bpf_ktime_get_ns() - *start;
		seen = 1;
		bpf_map_delete_elem(&gpu_fence_live, &key);
	} else {
		/* Initialised before the program was attached, or evicted: no latency. */
		bpfscope_stat_add(&gpu_stats, BPFSCOPE_STAT_DROPS, 1);
	}
	c = ctx_entry(fence, BPF_CORE_READ(fence, context));
	if (!c)
		return 0;
	__sync_fetch_and_add(&c->signaled, 1);
	if (!seen)
		return 0;
	__sync_fetch_and_add(&c->lat_sum_ns, lat);
	slot = bpfscope_log2_slot(lat);
	if (slot >= GPU_HIST_SLOTS)
		slot = GPU_HIST_SLOTS - 1;
	__sync_fetch_and_add(&c->hist[slot], 1);
	return 0;
}
