// docs/running-without-root.md's claim, tested: as the user nobody with only CAP_BPF and
// CAP_PERFMON (ambient, as a systemd unit or a container would give them), every family
// comes from eBPF, and the counts are exact.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { BPF_CAPS, nobodyReadableDir, requireReadableByNobody, runAsNobody } from '../../../test/unprivileged.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));

// w CHILDREN CALLS BYTES: forks CHILDREN children; each process (the parent too) makes CALLS
// getppid calls and writes BYTES bytes to /dev/null in one write; the parent waits for all.
const WORKLOAD = `
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
static void work(long calls, long bytes) {
  for (long i = 0; i < calls; i++) syscall(SYS_getppid);
  char *buf = calloc(1, bytes > 0 ? bytes : 1);
  int fd = open("/dev/null", O_WRONLY);
  if (write(fd, buf, bytes) != bytes) _exit(1);
}
int main(int argc, char **argv) {
  long children = atol(argv[1]), calls = atol(argv[2]), bytes = atol(argv[3]);
  for (long c = 0; c < children; c++) if (fork() == 0) { work(calls, bytes); _exit(0); }
  work(calls, bytes);
  int status, failed = 0;
  for (long c = 0; c < children; c++) if (wait(&status) < 0 || status != 0) failed = 1;
  return failed;
}
`;

interface Family {
  source: string;
  fallback: unknown;
  data: Record<string, unknown>;
}
interface Summary {
  exitCode: number;
  tree: { spawned: number; writeBytes: number | null; source: string };
  syscalls: { source: string; calls: Record<string, number> } | null;
  errors: unknown[];
}

describeKernel('bpfscope without root: nobody with ambient CAP_BPF and CAP_PERFMON', () => {
  let workload = '';
  beforeAll(() => {
    const dir = nobodyReadableDir('bpfscope-unpriv-');
    writeFileSync(join(dir, 'w.c'), WORKLOAD);
    workload = join(dir, 'w');
    execFileSync('gcc', ['-O1', '-o', workload, join(dir, 'w.c')]);
    requireReadableByNobody([BIN, workload]);
  });

  it('snapshot --mode ebpf: cpu, fs, mem, net, proc and syscall all come from eBPF, with no error', async () => {
    const run = await runAsNobody([process.execPath, BIN, 'snapshot', '--json', '--mode', 'ebpf', '--interval', '300'], BPF_CAPS);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const snap = JSON.parse(run.stdout) as { families: Record<string, Family>; errors: unknown[] };
    expect(snap.errors).toEqual([]);
    expect(Object.keys(snap.families).sort()).toEqual(['cpu', 'fs', 'mem', 'net', 'proc', 'syscall']);
    for (const [name, f] of Object.entries(snap.families)) expect({ name, source: f.source, fallback: f.fallback }).toEqual({ name, source: 'ebpf', fallback: null });
    // Exact where the answer is known: one per-CPU entry per online CPU, and the eBPF
    // source's own kernel counters present (the procfs source has none).
    const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',').reduce((n, r) => {
      const [a, b] = r.split('-').map(Number);
      return n + (b === undefined ? 1 : b - (a as number) + 1);
    }, 0);
    expect((snap.families.cpu?.data.perCpu as unknown[]).length).toBe(online);
    expect(snap.families.mem?.data.kernel).not.toBeNull();
    expect(snap.families.mem?.data.errors).toEqual({});
  });

  it('run --mode ebpf: the process tree and its syscalls from eBPF, counted exactly', async () => {
    const summaryOf = async (args: string[]): Promise<Summary> => {
      const run = await runAsNobody([process.execPath, BIN, 'run', '--json', '--mode', 'ebpf', '--interval', '200', '--', workload, ...args], BPF_CAPS);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stderr.trim().split('\n').at(-1) as string) as Summary;
    };
    // The same program with no calls and no bytes: what start-up and exit cost, measured the same way.
    const bare = await summaryOf(['3', '0', '0']);
    const busy = await summaryOf(['3', '1000', '2000']);
    for (const s of [bare, busy]) {
      expect(s.errors).toEqual([]);
      expect(s.exitCode).toBe(0);
      expect(s.tree.source).toBe('ebpf');
      expect(s.syscalls?.source).toBe('ebpf');
      // The workload and its three children: four processes, four exits, three forks, three waits.
      expect(s.tree.spawned).toBe(4);
      expect(s.syscalls?.calls.exit_group).toBe(4);
      const calls = s.syscalls?.calls ?? {};
      expect((calls.clone ?? 0) + (calls.clone3 ?? 0) + (calls.fork ?? 0) + (calls.vfork ?? 0)).toBe(3);
      expect(calls.wait4).toBe(3);
    }
    // 4 processes × 1000 getppid calls and × 2000 bytes written, on top of the bare run.
    expect(busy.syscalls?.calls.getppid).toBe(4000 + (bare.syscalls?.calls.getppid ?? 0));
    expect(busy.tree.writeBytes).toBe(8000 + (bare.tree.writeBytes ?? 0));
  });
});
