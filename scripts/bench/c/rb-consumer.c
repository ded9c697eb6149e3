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
#include <linux/types.h>

#define RB_BENCH_CONSUMER
#include "rb-bench.h"
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

static int fail(const char *what)
{
	fprintf(stderr, "rb-consumer: %s failed\n", what);
	return 1;
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
			unsigned long long last_ns = rb_stream(rb, stats_fd, &delivered);
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
