// A C workload for the serve tests: K getppid calls, its pid on stdout, then (after a line
// on stdin) N more; run as `<binary> K N`.
export const GETPPID_K_THEN_N = `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long k = atol(argv[1]), n = atol(argv[2]);
  char line[16];
  for (long i = 0; i < k; i++) syscall(SYS_getppid);
  printf("%d\\n", getpid());
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 2;
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  return 0;
}
`;
