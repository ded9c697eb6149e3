/* C reference of the events benchmark (scripts/bench/events.mjs): libbpf's ring_buffer on
 * rb_events of ringbuf.bpf.o, the same object, ring and producer as the JS consumers. The
 * producer (rb-producer.c in "time" mode) puts its CLOCK_MONOTONIC time of each call in
 * the record's seq field, so a record's delivery latency is the time it is handed to
 * on_sample minus seq (the clock is read per record: the exact figure). Commands on
 * stdin, one per line:
 *   arm <tgid> <syscall_nr>  set rb_filter                          -> "armed"
 *   stream                   consume as records arrive (one epoll fd for the ring and
 *                            stdin) until "end", sent once the producer exited, then
 *                            drain the rest                         -> "streaming", then one JSON line
 * Anything else (or EOF) exits. */
#include <linux/types.h>

#define RB_BENCH_CONSUMER
#include "rb-bench.h"
#include "ringbuf.h"

static unsigned long long delivered, *lat_ns, lat_cap;

static int on_sample(void *ctx, void *data, size_t size)
{
	const struct rb_event *e = data;
	unsigned long long now = now_ns();

	(void)ctx;
	(void)size;
	if (delivered == lat_cap) {
		lat_cap = lat_cap ? lat_cap * 2 : 1 << 20;
		lat_ns = realloc(lat_ns, lat_cap * sizeof(*lat_ns));
		if (!lat_ns)
			abort();
	}
	lat_ns[delivered++] = now > e->seq ? now - e->seq : 0;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank quantile of the sorted latencies, µs. */
static double quantile_us(double q)
{
	unsigned long long rank;

	if (delivered == 0)
		return -1;
	rank = (unsigned long long)(q * delivered + 0.999999999);
	if (rank < 1)
		rank = 1;
	return lat_ns[rank - 1] / 1000.0;
}

int main(int argc, char **argv)
{
	char line[128];

	if (argc != 2)
		return 2;
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj))
		return 1;
	if (!bpf_program__attach(bpf_object__find_program_by_name(obj, "rb_sys_enter")))
		return 1;
	struct ring_buffer *rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "rb_events"), on_sample, NULL, NULL);
	int stats_fd = bpf_object__find_map_fd_by_name(obj, "rb_stats");
	if (!rb)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		struct rb_config cfg = { .targets = RB_TARGET_EVENTS };
		__u32 zero = 0;

		if (sscanf(line, "arm %u %u", &cfg.tgid, &cfg.syscall_nr) == 2) {
			if (bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "rb_filter"), &zero, &cfg, 0))
				return 1;
			printf("armed\n");
		} else if (strncmp(line, "stream", 6) == 0) {
			double cpu0 = cpu_us();
			unsigned long long wait0 = run_delay_ns();

			printf("streaming\n");
			fflush(stdout);
			unsigned long long last_ns = rb_stream(rb, stats_fd, &delivered);
			double cpu = cpu_us() - cpu0;
			unsigned long long waited = run_delay_ns() - wait0;

			qsort(lat_ns, delivered, sizeof(*lat_ns), cmp);
			printf("{\"delivered\":%llu,\"droppedKernel\":%llu,\"droppedQueue\":0,\"sent\":%llu,\"filterHits\":%llu,\"lastNs\":%llu,\"cpuUs\":%.0f,\"runDelayUs\":%llu,"
			       "\"p50Us\":%.1f,\"p95Us\":%.1f,\"p99Us\":%.1f,\"maxUs\":%.1f}\n",
			       delivered, stat_sum(stats_fd, 2), stat_sum(stats_fd, 1), stat_sum(stats_fd, 3), last_ns, cpu, waited / 1000, quantile_us(0.5),
			       quantile_us(0.95), quantile_us(0.99), quantile_us(1.0));
			delivered = 0;
		} else {
			break;
		}
		fflush(stdout);
	}
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
