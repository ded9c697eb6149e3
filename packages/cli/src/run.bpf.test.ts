import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));

// gp N BYTES: N getppid calls, then BYTES bytes written to /dev/null in one write.
const GP = `
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]), bytes = atol(argv[2]);
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  char *buf = calloc(1, bytes);
  int fd = open("/dev/null", O_WRONLY);
  if (write(fd, buf, bytes) != bytes) return 1;
  return 0;
}
`;

interface Summary {
  type: 'summary';
  exitCode: number;
  tree: { spawned: number; writeBytes: number | null; source: string };
  syscalls: { source: string; calls: Record<string, number> } | null;
}

describeKernel('bpfscope run follows the whole process tree', () => {
  let dir = '';
  let gp = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-run-'));
    writeFileSync(join(dir, 'gp.c'), GP);
    gp = join(dir, 'gp');
    execFileSync('gcc', ['-O1', '-o', gp, join(dir, 'gp.c')]);
  });

  async function profile(script: string): Promise<{ code: number | null; summary: Summary }> {
    const out = join(dir, `report-${Math.random().toString(36).slice(2)}.jsonl`);
    const code = await new Promise<number | null>((resolve) => {
      execFile(process.execPath, [BIN, 'run', '--json', '--interval', '100', '--out', out, '--', 'sh', '-c', script]).on('exit', resolve);
    });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    return { code, summary: lines.at(-1) as Summary };
  }
  const getppid = (s: Summary): number => s.syscalls?.calls.getppid ?? 0;

  it('counts the syscalls of grandchildren started by a shell, and propagates the exit code', async () => {
    // The shell's own getppid calls (dash makes one for $PPID), measured the same way.
    const bare = await profile('(true) ; (true & wait) ; exit 7');
    // The same shell with gp in each subshell: grandchildren of the command.
    const { code, summary } = await profile(`(${gp} 1500 1000) ; (${gp} 2500 3000 & wait) ; exit 7`);
    expect(code).toBe(7);
    expect(summary.type).toBe('summary');
    expect(summary.exitCode).toBe(7);
    expect(summary.syscalls?.source).toBe('ebpf');
    expect(getppid(summary)).toBe(4000 + getppid(bare.summary));
    // The grandchildren's bytes: 1000 + 3000 written to /dev/null, on top of what the bare shell writes.
    expect(summary.tree.source).toBe('ebpf');
    expect(summary.tree.writeBytes).toBe(4000 + (bare.summary.tree.writeBytes ?? 0));
    // sh, its two subshells, gp twice (exec'd in place of the first subshell's child or forked).
    expect(summary.tree.spawned).toBeGreaterThanOrEqual(4);
  });
});
