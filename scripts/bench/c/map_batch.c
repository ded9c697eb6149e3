// C reference for scripts/bench/map-batch.mjs: creates a hash map of the same
// shape as the JS side's (u32 key, 16-byte value, N entries), fills it, and
// times whole-map reads with bpf_map_lookup_batch into plain arrays, the same
// way the addon reads (one call per buffer of the whole map's size).
// Usage:
//   map_batch <entries> <rounds> [times]   prints JSON (with "times": the
//                                          nanoseconds of each read when the
//                                          third argument is given)
//   map_batch <entries> serve              prints "ready", then for each line
//                                          read on stdin does one timed read
//                                          and prints "<ns> <entries read>";
//                                          exits at EOF. Lets the bench put a C
//                                          read right beside each JS read.
#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct value {
	uint64_t count;
	uint64_t sum;
};

/* Keeps the loop that touches every entry from being optimized away. */
static volatile uint64_t checksum;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One whole-map read; returns its nanoseconds, or -1 on failure. */
static double read_all(int fd, uint32_t entries, uint32_t *keys, struct value *values, uint32_t *read_out)
{
	memset(keys, 0, entries * sizeof(*keys));
	double t0 = now_ns();
	uint32_t read = 0, in = 0, out = 0;
	int first = 1;
	for (;;) {
		uint32_t count = entries - read;
		int ret = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys + read, values + read, &count, NULL);
		read += count;
		first = 0;
		in = out;
		if (ret != 0) {
			if (errno == ENOENT)
				break;
			fprintf(stderr, "bpf_map_lookup_batch: %s\n", strerror(errno));
			return -1;
		}
		if (read >= entries)
			break;
	}
	/* Touch every entry, as the JS side decodes every entry. */
	uint64_t sum = 0;
	for (uint32_t i = 0; i < read; i++)
		sum += keys[i] + values[i].sum;
	double dt = now_ns() - t0;
	checksum += sum;
	*read_out = read;
	return dt;
}

static int serve(int fd, uint32_t entries, uint32_t *keys, struct value *values)
{
	char line[64];
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		uint32_t read = 0;
		double dt = read_all(fd, entries, keys, values, &read);
		if (dt < 0)
			return 1;
		printf("%.0f %u\n", dt, read);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t entries = argc > 1 ? (uint32_t)atoi(argv[1]) : 100000;
	int serving = argc > 2 && strcmp(argv[2], "serve") == 0;
	int rounds = argc > 2 && !serving ? atoi(argv[2]) : 20;
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_c_hash", 4, sizeof(struct value), entries, NULL);
	if (fd < 0) {
		fprintf(stderr, "bpf_map_create: %s\n", strerror(errno));
		return 1;
	}
	uint32_t *keys = calloc(entries, sizeof(*keys));
	struct value *values = calloc(entries, sizeof(*values));
	for (uint32_t i = 0; i < entries; i++) {
		keys[i] = i;
		values[i].count = i;
		values[i].sum = (uint64_t)i * 3 + 7;
	}
	uint32_t n = entries;
	if (bpf_map_update_batch(fd, keys, values, &n, NULL) != 0 || n != entries) {
		fprintf(stderr, "bpf_map_update_batch: %s (%u written)\n", strerror(errno), n);
		return 1;
	}
	if (serving) {
		int ret = serve(fd, entries, keys, values);
		close(fd);
		return ret;
	}
	double best = 1e18, total = 0;
	double *times = calloc(rounds, sizeof(*times));
	for (int r = 0; r < rounds; r++) {
		uint32_t read = 0;
		double dt = read_all(fd, entries, keys, values, &read);
		if (dt < 0)
			return 1;
		times[r] = dt;
		total += dt;
		if (dt < best)
			best = dt;
		if (read != entries) {
			fprintf(stderr, "read %u of %u entries\n", read, entries);
			return 1;
		}
	}
	printf("{\"entries\":%u,\"rounds\":%d,\"meanNs\":%.0f,\"bestNs\":%.0f,\"checksum\":%llu", entries, rounds,
	       total / rounds, best, (unsigned long long)checksum);
	if (argc > 3) {
		printf(",\"times\":[");
		for (int r = 0; r < rounds; r++)
			printf("%s%.0f", r ? "," : "", times[r]);
		printf("]");
	}
	printf("}\n");
	close(fd);
	return 0;
}
