/* Workload of the real-kernel tests: a single-threaded child that performs
 * exactly what it is told, one command per line on stdin, and then blocks in
 * read(0) again, so that the test can read the kernel's own counters for it
 * (/proc/<pid>/status, stat, schedstat) while it is off the CPU.
 *   sleep N    N nanosleeps of 100 us (each normally a voluntary switch)
 *   msleep N   N nanosleep syscalls of 2 ms (SYS_nanosleep itself)
 *   getppid N  N getppid syscalls
 *   touch N    maps N fresh pages (huge pages off) and writes one byte in each
 *   spin US    runs until its own CPU time grew by US microseconds
 * Prints "ready <pid>" at start and "done" after each command; exits 0 at EOF.
 * Compiled by the tests with gcc (test/steps.ts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static long long thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int step(const char *op, long n)
{
	if (strcmp(op, "sleep") == 0) {
		struct timespec ts = { 0, 100000 };
		for (long i = 0; i < n; i++)
			nanosleep(&ts, NULL);
	} else if (strcmp(op, "msleep") == 0) {
		struct timespec ts = { 0, 2000000 }; /* 2 ms, by the nanosleep syscall itself */
		for (long i = 0; i < n; i++)
			syscall(SYS_nanosleep, &ts, NULL);
	} else if (strcmp(op, "getppid") == 0) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (strcmp(op, "touch") == 0) {
		long page = sysconf(_SC_PAGESIZE);
		volatile char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 3;
		madvise((void *)p, n * page, MADV_NOHUGEPAGE);
		for (long i = 0; i < n; i++)
			p[i * page] = 1;
	} else if (strcmp(op, "spin") == 0) {
		long long end = thread_cpu_us() + n;
		volatile unsigned long x = 0;

		while (thread_cpu_us() < end)
			x++;
	} else {
		return 2;
	}
	return 0;
}

int main(void)
{
	char line[64], op[16];
	long n;

	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%15s %ld", op, &n) != 2 || n < 0)
			return 2;
		int rc = step(op, n);
		if (rc != 0)
			return rc;
		printf("done\n");
		fflush(stdout);
	}
	return 0;
}
