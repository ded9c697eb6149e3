// docs/running-without-root.md's claim, tested: as the user nobody with only CAP_BPF and
// CAP_PERFMON (ambient, as a systemd unit or a container would give them), every family
// comes from eBPF, and the counts are exact.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { gpuInventory } from '@bpfscope/plugin-gpu';
import { describeKernel } from '../../../test/real-kernel.js';
import { BPF_CAPS, nobodyReadableDir, requireReadableByNobody, runAsNobody } from '../../../test/unprivileged.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
const THERMAL_TREE = fileURLToPath(new URL('../../plugin-thermal/test/fixtures/intel-thinkpad-t480/sys', import.meta.url));
/** [type, °C] of each thermal zone of a tree, from its files (the kernel's millidegrees). */
function zonesOf(tree: string): [string, number][] {
  const dir = join(tree, 'class/thermal');
  return readdirSync(dir)
    .filter((n) => /^thermal_zone\d+$/.test(n))
    .sort((a, b) => Number(a.slice(12)) - Number(b.slice(12)))
    .map((n) => [readFileSync(join(dir, n, 'type'), 'utf8').trim(), Number(readFileSync(join(dir, n, 'temp'), 'utf8')) / 1000]);
}
const GPU_TREE = fileURLToPath(new URL('../../plugin-gpu/test/fixtures/amd-rx6800/sys', import.meta.url));

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

  it('snapshot --mode ebpf of thermal and gpu over fixture sysfs trees: both from eBPF; a CUDA runtime\'s uprobes refused, naming CAP_SYS_ADMIN', async () => {
    // This machine has no sensor and no GPU: the sysfs parts read captured trees, while the
    // programs (thermal tracepoints, dma_fence tracepoints, CUDA uprobes) load and attach for real.
    const snapshotOf = async (family: string, tree: string): Promise<{ families: Record<string, Family>; errors: unknown[] }> => {
      requireReadableByNobody([tree]);
      const run = await runAsNobody([process.execPath, BIN, 'snapshot', '--json', '--mode', 'ebpf', '--families', family, '--sys-root', tree], BPF_CAPS);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as { families: Record<string, Family>; errors: unknown[] };
    };
    const t = await snapshotOf('thermal', THERMAL_TREE);
    expect(t.errors).toEqual([]);
    expect({ source: t.families.thermal?.source, fallback: t.families.thermal?.fallback }).toEqual({ source: 'ebpf', fallback: null });
    expect((t.families.thermal?.data.zones as { type: string; temperatureCelsius: number }[]).map((z) => [z.type, z.temperatureCelsius])).toEqual(zonesOf(THERMAL_TREE));

    const g = await snapshotOf('gpu', GPU_TREE);
    expect(g.errors).toEqual([]);
    expect({ source: g.families.gpu?.source, fallback: g.families.gpu?.fallback }).toEqual({ source: 'ebpf', fallback: null });
    const devices = g.families.gpu?.data.devices as { id: string; driver: string; temperatureCelsius: number; source: string }[];
    expect(devices.map((d) => [d.id, d.driver, d.temperatureCelsius, d.source])).toEqual([['drm:card0', 'amdgpu', 52, 'sysfs']]);
    // Uprobes need CAP_SYS_ADMIN (measured: perf_event_open of the uprobe PMU gives EACCES
    // with CAP_BPF + CAP_PERFMON), so CUDA calls are unavailable with that reason wherever
    // a CUDA runtime is installed, and with the runtime's absence otherwise.
    const runtimes = gpuInventory().cuda.runtimes;
    const cudaWhy = (g.families.gpu?.data.unavailable as Record<string, string>).cuda;
    if (runtimes.length > 0) expect(cudaWhy).toMatch(/CAP_SYS_ADMIN/);
    else expect(cudaWhy).not.toMatch(/CAP_SYS_ADMIN/);
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
