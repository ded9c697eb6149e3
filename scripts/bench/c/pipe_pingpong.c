/* Context-switch + syscall tax: a parent and a child pinned to one CPU pass one byte
 * back and forth over two pipes; prints the ns per round trip it measured. Every round
 * trip is 2 writes, 2 reads and 2 context switches. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int cpu = argc > 2 ? atoi(argv[2]) : 0;
	int ping[2], pong[2];
	char c = 0;
	struct timespec a, b;
	pid_t child;

	if (pipe(ping) || pipe(pong)) {
		perror("pipe");
		return 1;
	}
	pin(cpu);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		for (long i = 0; i < n; i++) {
			if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
			perror("ping-pong");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	waitpid(child, NULL, 0);
	printf("{\"rounds\":%ld,\"nsPerRound\":%.1f}\n", n, ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
