/* Helper of the perf_event test: attaches a pinned SEC("perf_event") program to a
 * software event of ONE process (not a CPU), sampling every event (period 1), which
 * the addon's cpu-clock attach cannot express: the count the program keeps is then
 * exactly the number of events of that process while attached.
 *   perf-attach <pinned program path> <pid> <page-faults|context-switches>
 * Prints "attached" once enabled; on a line on stdin disables the event, prints
 * "detached" and exits 0 (closing the event detaches the program). Compiled by the
 * test with gcc; talks to the kernel with raw syscalls only. */
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	union bpf_attr get;
	struct perf_event_attr attr;
	char line[16];
	int prog, event;

	if (argc != 4)
		return 2;
	memset(&get, 0, sizeof(get));
	get.pathname = (__u64)(unsigned long)argv[1];
	prog = (int)syscall(__NR_bpf, BPF_OBJ_GET, &get, sizeof(get));
	if (prog < 0) {
		perror("BPF_OBJ_GET");
		return 3;
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	if (strcmp(argv[3], "page-faults") == 0)
		attr.config = PERF_COUNT_SW_PAGE_FAULTS;
	else if (strcmp(argv[3], "context-switches") == 0)
		attr.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	else
		return 2;
	attr.sample_period = 1;
	attr.disabled = 1;
	event = (int)syscall(__NR_perf_event_open, &attr, atoi(argv[2]), -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (event < 0) {
		perror("perf_event_open");
		return 4;
	}
	if (ioctl(event, PERF_EVENT_IOC_SET_BPF, prog) != 0 || ioctl(event, PERF_EVENT_IOC_ENABLE, 0) != 0) {
		perror("PERF_EVENT_IOC_SET_BPF/ENABLE");
		return 5;
	}
	printf("attached\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 6;
	ioctl(event, PERF_EVENT_IOC_DISABLE, 0);
	close(event);
	printf("detached\n");
	fflush(stdout);
	return 0;
}
