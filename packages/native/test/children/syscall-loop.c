/* Workload of the ring buffer tests: makes exactly N getppid syscalls, with
 * the call's number (0 to N-1) as the first argument, which getppid ignores
 * and ringbuf.bpf.c records. Nothing else in this process calls getppid.
 * Protocol: prints "ready <pid> <SYS_getppid>", waits for one line on stdin,
 * makes the calls, prints "done" and exits 0. Compiled by the tests with gcc. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[16];
	long n;

	if (argc != 2 || (n = strtol(argv[1], NULL, 10)) < 0)
		return 2;
	printf("ready %d %d\n", (int)getpid(), (int)SYS_getppid);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid, i);
	printf("done\n");
	fflush(stdout);
	return 0;
}
