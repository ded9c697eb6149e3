/* The check's CUDA workload without nvcc: the runtime API through dlopen (libcudart.so,
 * as the dynamic linker finds it). Args: LAUNCHES ALLOCS ALLOC_BYTES COPIES COPY_BYTES.
 * Prints "ready <pid> <runtime path>", waits for a line on stdin, makes the calls, and
 * prints its own tally as JSON: every call made, and the cudaMalloc calls that returned
 * cudaSuccess. cudaLaunchKernel gets a host function no module registered, so the runtime
 * refuses it (the uprobe counts calls, not successes). Build: gcc -o w workload-dlopen.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*launch_t)(const void *, unsigned long long, unsigned int, unsigned long long, unsigned int, void **, size_t, void *);
typedef int (*malloc_t)(void **, size_t);
typedef int (*free_t)(void *);
typedef int (*memcpy_t)(void *, const void *, size_t, int);
typedef int (*sync_t)(void);

static void not_a_kernel(void) {}

int main(int argc, char **argv)
{
	const char *names[] = { "libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", NULL };
	void *lib = NULL;
	Dl_info info;
	char line[16];

	if (argc != 6) {
		fprintf(stderr, "usage: %s LAUNCHES ALLOCS ALLOC_BYTES COPIES COPY_BYTES\n", argv[0]);
		return 2;
	}
	for (int i = 0; names[i] && !lib; i++)
		lib = dlopen(names[i], RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "no CUDA runtime: %s\n", dlerror());
		return 3;
	}
	/* dim3 is 12 bytes, passed as two eightbytes (x,y in one register, z in the next). */
	launch_t launch = (launch_t)dlsym(lib, "cudaLaunchKernel");
	malloc_t cmalloc = (malloc_t)dlsym(lib, "cudaMalloc");
	free_t cfree = (free_t)dlsym(lib, "cudaFree");
	memcpy_t cmemcpy = (memcpy_t)dlsym(lib, "cudaMemcpy");
	sync_t sync = (sync_t)dlsym(lib, "cudaDeviceSynchronize");
	if (!launch || !cmalloc || !cfree || !cmemcpy || !sync || !dladdr((void *)cmalloc, &info)) {
		fprintf(stderr, "the runtime lacks a function\n");
		return 3;
	}
	long launches = atol(argv[1]), allocs = atol(argv[2]), copies = atol(argv[4]);
	size_t alloc_bytes = strtoull(argv[3], NULL, 10), copy_bytes = strtoull(argv[5], NULL, 10);
	void **ptrs = calloc(allocs > 0 ? allocs : 1, sizeof(void *));
	char *host = calloc(copy_bytes > 0 ? copy_bytes : 1, 1);
	long ok = 0, frees = 0, h2d = 0, d2h = 0;
	printf("ready %d %s\n", getpid(), info.dli_fname);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 4;
	for (long i = 0; i < allocs; i++)
		if (cmalloc(&ptrs[i], alloc_bytes) == 0)
			ok++;
		else
			ptrs[i] = NULL;
	for (long i = 0; i < launches; i++)
		launch((const void *)not_a_kernel, 1ULL | (1ULL << 32), 1, 32ULL | (1ULL << 32), 1, NULL, 0, NULL);
	for (long i = 0; i < copies; i++) {
		cmemcpy(ptrs[0], host, copy_bytes, 1);
		h2d++;
		cmemcpy(host, ptrs[0], copy_bytes, 2);
		d2h++;
	}
	sync();
	for (long i = 0; i < allocs; i++)
		if (ptrs[i]) {
			cfree(ptrs[i]);
			frees++;
		}
	printf("{\"pid\":%d,\"runtime\":\"%s\",\"launches\":%ld,\"allocsOk\":%ld,\"allocBytes\":%zu,\"frees\":%ld,\"copiesH2D\":%ld,\"copiesD2H\":%ld,\"copyBytes\":%zu}\n",
	       getpid(), info.dli_fname, launches, ok, alloc_bytes, frees, h2d, d2h, copy_bytes);
	return 0;
}
