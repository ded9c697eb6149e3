/* Producer of the ring buffer benchmark (scripts/bench/ringbuf.mjs): makes N
 * getppid calls as fast as it can, numbered 0..N-1 in the first argument,
 * which ringbuf.bpf.o turns into one 16-byte record each. With a second
 * argument "time" (scripts/bench/events.mjs) the first argument is instead the
 * CLOCK_MONOTONIC time of the call, ns: a consumer measures each record's
 * delivery latency from it; a third argument R then paces the calls at R per
 * second (call i waits, spinning, until start + i/R).
 * Protocol: prints "ready <pid> <SYS_getppid>", waits for a line on stdin,
 * makes the calls, prints "done <start_ns> <end_ns> <waited_ns>" (CLOCK_MONOTONIC;
 * waited: time it was runnable but not running, from /proc/self/schedstat). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rb-bench.h"

int main(int argc, char **argv)
{
	char line[64];
	unsigned long long start, end, wait0;
	long n;
	int timed = argc >= 3 && strcmp(argv[2], "time") == 0;
	double rate = argc == 4 ? strtod(argv[3], NULL) : 0;

	if ((argc != 2 && !timed) || argc > 4 || (n = strtol(argv[1], NULL, 10)) <= 0 || rate < 0)
		return 2;
	printf("ready %d %d\n", (int)getpid(), (int)SYS_getppid);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	wait0 = run_delay_ns();
	start = now_ns();
	if (timed && rate > 0) {
		double step = 1e9 / rate;

		for (long i = 0; i < n; i++) {
			unsigned long long due = start + (unsigned long long)(i * step), now;

			while ((now = now_ns()) < due)
				;
			syscall(SYS_getppid, now);
		}
	} else if (timed)
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid, now_ns());
	else
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid, i);
	end = now_ns();
	printf("done %llu %llu %llu\n", start, end, run_delay_ns() - wait0);
	fflush(stdout);
	return 0;
}
