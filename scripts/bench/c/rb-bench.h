/* What the ring buffer benchmarks' C programs share (rb-producer.c, rb-consumer.c,
 * events-consumer.c): clocks, and for the consumers the stats map of ringbuf.bpf.o and
 * the streaming loop. Define RB_BENCH_CONSUMER before including it for the latter two
 * (they need libbpf). */
#ifndef RB_BENCH_H
#define RB_BENCH_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static inline unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* CPU time of this process (user + system), µs. */
static inline double cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

/* Time this thread waited on a run queue (runnable, not running), ns: /proc/self/schedstat's second field. */
static inline unsigned long long run_delay_ns(void)
{
	unsigned long long run = 0, wait = 0;
	FILE *f = fopen("/proc/self/schedstat", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &run, &wait) != 2)
			wait = 0;
		fclose(f);
	}
	return wait;
}

#ifdef RB_BENCH_CONSUMER
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Sum over CPUs of one slot of the per-CPU stats map. */
static inline unsigned long long stat_sum(int fd, __u32 slot)
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

/* Stream mode: wait on one epoll fd holding the ring_buffer's epoll fd and stdin, drain
 * on every wake-up, until "end" arrives on stdin (sent once the producer exited); then
 * drain until *delivered reaches what the program sent. Returns the time of the last
 * delivery. */
static inline unsigned long long rb_stream(struct ring_buffer *rb, int stats_fd, const unsigned long long *delivered)
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
			unsigned long long before = *delivered;
			ring_buffer__consume(rb);
			if (*delivered != before)
				last_ns = now_ns();
		}
		if (ended) {
			unsigned long long before = *delivered;
			ring_buffer__consume(rb);
			if (*delivered != before)
				last_ns = now_ns();
			if (*delivered >= target)
				break;
		}
	}
	close(ep);
	return last_ns;
}
#endif /* RB_BENCH_CONSUMER */

#endif /* RB_BENCH_H */
