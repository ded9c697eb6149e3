/* C reference consumer of the ring buffer benchmark: libbpf's ring_buffer on
 * rb_events of ringbuf.bpf.o, the same object and ring size as the JS run.
 * Per record it adds the seq field to a checksum. Commands on stdin, one per line:
 *   arm <tgid> <syscall_nr>  set rb_filter                        -> "armed"
 *   stream                   consume as records arrive (like the JS consumer,
 *                            waiting on one epoll fd) until "end", sent once
 *                            the producer exited, then drain the rest
 *                                                                 -> "streaming", then one JSON line
 *   drain                    consume what waits in the ring       -> "drained <ns> <records>"
 * Anything else (or EOF) exits. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ringbuf.h"

static unsigned long long delivered, checksum;

static int on_sample(void *ctx, void *data, size_t size)
{
	const struct rb_event *e = data;

	(void)ctx;
	(void)size;
	delivered++;
	checksum += (__u32)e->seq;
	return 0;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static double cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

/* Sum over CPUs of one slot of the per-CPU stats map. */
static unsigned long long stat_sum(int fd, __u32 slot)
{
	int cpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u64 *values = calloc(cpus, sizeof(__u64));

	if (values && bpf_map_lookup_elem(fd, &slot, values) == 0)
		for (int i = 0; i < cpus; i++)
			sum += values[i];
	free(values);
	return sum;
}

static int fail(const char *what)
{
	fprintf(stderr, "rb-consumer: %s failed\n", what);
	return 1;
}

/* Stream mode: wait on one epoll fd holding the ring_buffer's epoll fd and
 * stdin, drain on every wake-up, until "end" arrives on stdin; then drain what
 * is left. Returns the time of the last delivery. */
static unsigned long long stream(struct ring_buffer *rb, int stats_fd)
{
	struct epoll_event ev = { .events = EPOLLIN }, got[2];
	unsigned long long last_ns = 0, target = 0;
	char line[64];
	int ep = epoll_create1(0), ended = 0;

	ev.data.u32 = 1;
	epoll_ctl(ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev);
	ev.data.u32 = 0;
	epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
	for (;;) {
		int n = epoll_wait(ep, got, 2, ended ? 0 : -1);

		for (int i = 0; i < n; i++) {
			if (got[i].data.u32 == 0) {
				if (read(STDIN_FILENO, line, sizeof(line)) <= 0 || strncmp(line, "end", 3) == 0) {
					ended = 1;
					target = stat_sum(stats_fd, 1); /* the producer has exited: final */
				}
				continue;
			}
			unsigned long long before = delivered;
			ring_buffer__consume(rb);
			if (delivered != before)
				last_ns = now_ns();
		}
		if (ended) {
			unsigned long long before = delivered;
			ring_buffer__consume(rb);
			if (delivered != before)
				last_ns = now_ns();
			if (delivered >= target)
				break;
		}
	}
	close(ep);
	return last_ns;
}

int main(int argc, char **argv)
{
	char line[128];
	double cpu0 = 0;

	if (argc != 2)
		return 2;
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj))
		return fail("loading the object");
	if (!bpf_program__attach(bpf_object__find_program_by_name(obj, "rb_sys_enter")))
		return fail("attaching rb_sys_enter");
	struct ring_buffer *rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "rb_events"), on_sample, NULL, NULL);
	int stats_fd = bpf_object__find_map_fd_by_name(obj, "rb_stats");
	if (!rb)
		return fail("ring_buffer__new");
	printf("ready\n");
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		struct rb_config cfg = { .targets = RB_TARGET_EVENTS };
		__u32 zero = 0;

		if (sscanf(line, "arm %u %u", &cfg.tgid, &cfg.syscall_nr) == 2) {
			if (bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "rb_filter"), &zero, &cfg, 0))
				return fail("setting rb_filter");
			printf("armed\n");
		} else if (strncmp(line, "stream", 6) == 0) {
			cpu0 = cpu_us();
			printf("streaming\n");
			fflush(stdout);
			unsigned long long last_ns = stream(rb, stats_fd);
			printf("{\"delivered\":%llu,\"dropped\":%llu,\"events\":%llu,\"filterHits\":%llu,\"checksum\":%llu,\"lastNs\":%llu,\"cpuUs\":%.0f}\n",
			       delivered, stat_sum(stats_fd, 2), stat_sum(stats_fd, 1), stat_sum(stats_fd, 3), checksum, last_ns,
			       cpu_us() - cpu0);
		} else if (strncmp(line, "drain", 5) == 0) {
			/* Everything waits in the ring (nothing consumed since the producer ran). */
			unsigned long long target = stat_sum(stats_fd, 1), before = delivered, t0 = now_ns();

			while (delivered < target)
				ring_buffer__consume(rb);
			printf("drained %llu %llu\n", now_ns() - t0, delivered - before);
		} else {
			break;
		}
		fflush(stdout);
	}
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
