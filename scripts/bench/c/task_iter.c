// C reference for scripts/bench/task-iter.mjs: loads the same iter_task.bpf.o
// the JS side reads, attaches its iter/task program and times creating an
// iterator and reading it to EOF, counting the records, after one untimed warm-up round.
// Usage: task_iter <object> <rounds>; prints JSON.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORD_SIZE 56 /* sizeof(struct iter_task_rec), bpf/test/iter_task.h */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "iter_task.bpf.o";
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "iter_task");
	struct bpf_program *other = bpf_object__find_program_by_name(obj, "iter_bpf_map");
	if (other)
		bpf_program__set_autoload(other, false);
	if (!prog || bpf_object__load(obj) != 0) {
		fprintf(stderr, "load: %s\n", strerror(errno));
		return 1;
	}
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	if (!link) {
		fprintf(stderr, "attach: %s\n", strerror(errno));
		return 1;
	}
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	double best = 1e18, total = 0;
	size_t records = 0;
	uint64_t checksum = 0;
	/* Round -1 is an untimed warm-up (page cache, allocations, the kernel's task walk),
	 * as the JS side makes one untimed call before its timed rounds. */
	for (int r = -1; r < rounds; r++) {
		double t0 = now_ns();
		int fd = bpf_iter_create(bpf_link__fd(link));
		if (fd < 0) {
			fprintf(stderr, "bpf_iter_create: %s\n", strerror(errno));
			return 1;
		}
		size_t size = 0;
		for (;;) {
			if (cap - size < 65536) {
				cap *= 2;
				buf = realloc(buf, cap);
			}
			ssize_t n = read(fd, buf + size, cap - size);
			if (n == 0)
				break;
			if (n < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "read: %s\n", strerror(errno));
				return 1;
			}
			size += n;
		}
		close(fd);
		records = size / RECORD_SIZE;
		/* Touch every record's pid and tgid, as the JS side decodes every record. */
		for (size_t i = 0; i < records; i++)
			checksum += *(uint32_t *)(buf + i * RECORD_SIZE) + *(uint32_t *)(buf + i * RECORD_SIZE + 4);
		double dt = now_ns() - t0;
		if (r < 0)
			continue;
		total += dt;
		if (dt < best)
			best = dt;
	}
	printf("{\"records\":%zu,\"rounds\":%d,\"meanNs\":%.0f,\"bestNs\":%.0f,\"checksum\":%llu}\n", records, rounds, total / rounds,
	       best, (unsigned long long)checksum);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
