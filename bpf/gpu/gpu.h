/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records shared between gpu.bpf.c and @bpfscope/plugin-gpu. Decoders take
 * their layouts from this object's BTF. */
#ifndef BPFSCOPE_GPU_H
#define BPFSCOPE_GPU_H

/* Slots of gpu_cuda_proc.copy_bytes: the cudaMemcpyKind values (driver_types.h:
 * HostToHost 0, HostToDevice 1, DeviceToHost 2, DeviceToDevice 3, Default 4). A
 * call with any other kind is counted in `copies` but adds no bytes: the runtime
 * refuses it (cudaErrorInvalidMemcpyDirection). */
#define GPU_COPY_KINDS 5
/* Slots of gpu_fence_ctx.hist: log2 of the init-to-signal time in ns. */
#define GPU_HIST_SLOTS 64

/* One process's calls into the CUDA runtime (key: tgid). */
struct gpu_cuda_proc {
	__u64 launches;                 /* cudaLaunchKernel calls */
	__u64 allocs;                   /* cudaMalloc calls that returned cudaSuccess */
	__u64 alloc_bytes;              /* their size arguments */
	__u64 frees;                    /* cudaFree calls */
	__u64 copies;                   /* cudaMemcpy calls */
	__u64 copy_bytes[GPU_COPY_KINDS]; /* cudaMemcpy count argument, by kind */
	char comm[16];                  /* the caller's comm at its latest call */
};

/* One DMA fence context (key: dma_fence.context). */
struct gpu_fence_ctx {
	__u64 ops;                      /* address of the fences' dma_fence_ops (named from kallsyms) */
	__u64 emitted;                  /* dma_fence_init runs */
	__u64 signaled;                 /* dma_fence_signaled runs */
	__u64 lat_sum_ns;               /* init-to-signal times of the signals whose init was seen */
	__u64 hist[GPU_HIST_SLOTS];     /* their log2 histogram */
};

#endif
