/* Calls the CUDA runtime it is linked against a known number of times, from
 * its arguments, then exits:
 *   cudart-caller LAUNCHES ALLOCS ALLOC_SIZE FAILED_ALLOCS FREES COPY_SIZE H2H H2D D2H D2D DEFAULT BAD_KIND
 * ALLOCS cudaMalloc calls of ALLOC_SIZE bytes; FAILED_ALLOCS cudaMalloc calls the
 * stand-in refuses (2^41 bytes); then per cudaMemcpyKind (HostToHost 0 ..
 * Default 4) that many cudaMemcpy calls of COPY_SIZE bytes, and BAD_KIND calls
 * with kind 9. It waits for a line on stdin before the calls, so that a test
 * can attach first and knows the pid. It prints "done <ns>": the time the
 * calls took (CLOCK_MONOTONIC), which the bench uses; then it waits for one
 * more line (or the end of stdin) before it exits, so that a test can read
 * while it is alive. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int cudaError_t;
typedef struct CUstream_st *cudaStream_t;
typedef struct { unsigned int x, y, z; } dim3;
cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem, cudaStream_t stream);
cudaError_t cudaMalloc(void **devPtr, size_t size);
cudaError_t cudaFree(void *devPtr);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, int kind);

static void kernel(void) {}

int main(int argc, char **argv)
{
	unsigned long n[12];
	char line[16];
	int bad = 0;

	if (argc != 13) {
		fprintf(stderr, "usage: %s LAUNCHES ALLOCS ALLOC_SIZE FAILED_ALLOCS FREES COPY_SIZE H2H H2D D2H D2D DEFAULT BAD_KIND\n", argv[0]);
		return 2;
	}
	for (int i = 0; i < 12; i++)
		n[i] = strtoul(argv[i + 1], NULL, 10);
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;

	dim3 grid = { 1, 1, 1 }, block = { 32, 1, 1 };
	void *p = NULL, *dst = line, *src = line;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < n[0]; i++)
		bad |= cudaLaunchKernel((const void *)kernel, grid, block, NULL, 0, NULL) != 0;
	for (unsigned long i = 0; i < n[1]; i++)
		bad |= cudaMalloc(&p, n[2]) != 0;
	for (unsigned long i = 0; i < n[3]; i++)
		bad |= cudaMalloc(&p, (size_t)1 << 41) != 2;
	for (unsigned long i = 0; i < n[4]; i++)
		bad |= cudaFree(p) != 0;
	for (int kind = 0; kind < 5; kind++)
		for (unsigned long i = 0; i < n[6 + kind]; i++)
			bad |= cudaMemcpy(dst, src, n[5], kind) != 0;
	for (unsigned long i = 0; i < n[11]; i++)
		bad |= cudaMemcpy(dst, src, n[5], 9) != 21;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (bad)
		printf("unexpected return\n");
	else
		printf("done %lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return bad;
	return bad;
}
