// The check's CUDA workload with nvcc: real kernel launches. Build with the runtime as a
// shared library (nvcc's default is static, which no uprobe on libcudart.so sees):
//   nvcc -cudart shared -o w workload.cu
// Args and output as workload-dlopen.c: LAUNCHES ALLOCS ALLOC_BYTES COPIES COPY_BYTES;
// "ready <pid> <runtime path>", a line on stdin, the calls, the tally as JSON.
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__global__ void touch(char *p) { p[threadIdx.x] = (char)threadIdx.x; }

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s LAUNCHES ALLOCS ALLOC_BYTES COPIES COPY_BYTES\n", argv[0]);
		return 2;
	}
	long launches = atol(argv[1]), allocs = atol(argv[2]), copies = atol(argv[4]);
	size_t alloc_bytes = strtoull(argv[3], NULL, 10), copy_bytes = strtoull(argv[5], NULL, 10);
	void **ptrs = (void **)calloc(allocs > 0 ? allocs : 1, sizeof(void *));
	char *host = (char *)calloc(copy_bytes > 0 ? copy_bytes : 1, 1);
	long ok = 0, frees = 0, h2d = 0, d2h = 0;
	Dl_info info;
	char line[16];
	if (!dladdr((void *)(cudaError_t (*)(void **, size_t))cudaMalloc, &info)) return 3;
	printf("ready %d %s\n", getpid(), info.dli_fname);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin)) return 4;
	for (long i = 0; i < allocs; i++)
		if (cudaMalloc(&ptrs[i], alloc_bytes) == cudaSuccess) ok++;
		else ptrs[i] = NULL;
	for (long i = 0; i < launches; i++) touch<<<1, 32>>>((char *)ptrs[0]);
	for (long i = 0; i < copies; i++) {
		cudaMemcpy(ptrs[0], host, copy_bytes, cudaMemcpyHostToDevice);
		h2d++;
		cudaMemcpy(host, ptrs[0], copy_bytes, cudaMemcpyDeviceToHost);
		d2h++;
	}
	cudaDeviceSynchronize();
	for (long i = 0; i < allocs; i++)
		if (ptrs[i]) {
			cudaFree(ptrs[i]);
			frees++;
		}
	printf("{\"pid\":%d,\"runtime\":\"%s\",\"launches\":%ld,\"allocsOk\":%ld,\"allocBytes\":%zu,\"frees\":%ld,\"copiesH2D\":%ld,\"copiesD2H\":%ld,\"copyBytes\":%zu}\n",
	       getpid(), info.dli_fname, launches, ok, alloc_bytes, frees, h2d, d2h, copy_bytes);
	return 0;
}
