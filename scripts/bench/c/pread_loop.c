// A tight loop of 4 KiB preads on a cached file: the fs bench's workload. Prints the ns
// per call, timed inside the process. Usage: pread_loop <file> <calls>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) { perror("open"); return 1; }
  off_t size = lseek(fd, 0, SEEK_END);
  long calls = atol(argv[2]);
  static char buf[4096];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < calls; i++) {
    off_t at = (off_t)(i * 4096) % size;
    if (pread(fd, buf, sizeof buf, at) != (ssize_t)sizeof buf) { perror("pread"); return 1; }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
  printf("{\"nsPerCall\": %.1f}\n", ns / calls);
  close(fd);
  return 0;
}
