/* Producer of the ring buffer benchmark (scripts/bench/ringbuf.mjs): makes N
 * getppid calls as fast as it can, numbered 0..N-1 in the first argument,
 * which ringbuf.bpf.o turns into one 16-byte record each.
 * Protocol: prints "ready <pid> <SYS_getppid>", waits for a line on stdin,
 * makes the calls, prints "done <start_ns> <end_ns>" (CLOCK_MONOTONIC). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char line[64];
	unsigned long long start, end;
	long n;

	if (argc != 2 || (n = strtol(argv[1], NULL, 10)) <= 0)
		return 2;
	printf("ready %d %d\n", (int)getpid(), (int)SYS_getppid);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	start = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid, i);
	end = now_ns();
	printf("done %llu %llu\n", start, end);
	fflush(stdout);
	return 0;
}
