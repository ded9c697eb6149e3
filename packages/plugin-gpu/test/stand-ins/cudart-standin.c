/* A stand-in for the CUDA runtime (libcudart.so) for the gpu family's uprobe tests:
 * it exports cudaLaunchKernel, cudaMalloc, cudaFree and cudaMemcpy with the
 * signatures of the CUDA runtime API (cuda_runtime_api.h) and does nothing with
 * their arguments: no memory is touched, no device is needed. cudaMalloc fails
 * (cudaErrorMemoryAllocation) for sizes above STANDIN_MAX_ALLOC, as the real
 * runtime does when the device is out of memory, so that a test can make
 * failing allocations. Each function bumps its own counter, so the compiler
 * cannot fold two of them into one body (a call to one would then run the
 * other's uprobe). Built by the test: gcc -shared -fPIC. With -DSTANDIN_NO_MEMCPY
 * it lacks cudaMemcpy: a runtime the uprobes cannot all attach to. */
#include <stddef.h>

typedef int cudaError_t;
typedef struct CUstream_st *cudaStream_t;
typedef struct { unsigned int x, y, z; } dim3;
enum cudaMemcpyKind {
	cudaMemcpyHostToHost = 0,
	cudaMemcpyHostToDevice = 1,
	cudaMemcpyDeviceToHost = 2,
	cudaMemcpyDeviceToDevice = 3,
	cudaMemcpyDefault = 4,
};

#define cudaSuccess 0
#define cudaErrorInvalidValue 1
#define cudaErrorMemoryAllocation 2
#define cudaErrorInvalidMemcpyDirection 21
#define STANDIN_MAX_ALLOC ((size_t)1 << 40)

static volatile unsigned long launches, allocs, frees, copies;
/* What cudaMalloc hands out: an address in no mapping of the process (never dereferenced). */
static char device_base;

cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem, cudaStream_t stream)
{
	(void)gridDim; (void)blockDim; (void)args; (void)sharedMem; (void)stream;
	launches++;
	return func ? cudaSuccess : cudaErrorInvalidValue;
}

cudaError_t cudaMalloc(void **devPtr, size_t size)
{
	allocs++;
	if (!devPtr)
		return cudaErrorInvalidValue;
	if (size > STANDIN_MAX_ALLOC) {
		*devPtr = NULL;
		return cudaErrorMemoryAllocation;
	}
	*devPtr = &device_base;
	return cudaSuccess;
}

cudaError_t cudaFree(void *devPtr)
{
	(void)devPtr;
	frees++;
	return cudaSuccess;
}

#ifndef STANDIN_NO_MEMCPY
cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
	(void)dst; (void)src; (void)count;
	copies++;
	return (unsigned)kind <= cudaMemcpyDefault ? cudaSuccess : cudaErrorInvalidMemcpyDirection;
}
#endif
