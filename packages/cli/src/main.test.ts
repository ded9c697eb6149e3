import { relative } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { gpuInventory } from '@bpfscope/plugin-gpu';
import { thermalSensorInventory } from '@bpfscope/plugin-thermal';
import { main } from './main.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const GPU_FIXTURE = (machine: string): string => fileURLToPath(new URL(`../../plugin-gpu/test/fixtures/${machine}/sys`, import.meta.url));

describe('bpfscope command line', () => {
  it.each([
    [['snapshot', '--mode', 'turbo'], '--mode', '"auto", "ebpf" or "fallback"'],
    [['snapshot', '--families', 'cpu,gpu9'], '--families', 'comma-separated list of cpu'],
    [['snapshot', '--interval', '5'], '--interval', 'from 10 to 3600000'],
    [['snapshot', '--interval', 'soon'], '--interval', 'whole number'],
    [['frobnicate'], 'command', '"snapshot", "doctor", "run", "top", "serve" or "help"'],
    [['--json'], 'command', '"snapshot", "doctor", "run", "top", "serve" or "help"'],
    [['snapshot', '--interval', '-5'], '--interval', 'from 10 to 3600000'],
    [['run', '--interval', '-5', '--', 'true'], '--interval', 'from 10 to 3600000'],
    [['snapshot', '--mode', '-x'], '--mode', '"auto", "ebpf" or "fallback"'],
    [['doctor', '--include-self'], '--include-self', 'only with bpfscope snapshot'],
    [['doctor', '--mode', 'ebpf'], 'doctor', 'only --json'],
    [['serve', '--port', '70000'], '--port', 'from 0 to 65535'],
    [['serve', '--port', '-1'], '--port', 'from 0 to 65535'],
    [['serve', '--detail', 'process,thread'], '--detail', 'process, connection, file'],
    [['serve', '--max-detail', '0'], '--max-detail', 'from 1 to 1000000'],
    [['serve', '--json'], '--json', 'serve answers each scrape'],
    [['snapshot', '--port', '9464'], '--port', 'only with bpfscope serve'],
    [['top', '--sys-root', '/sys'], '--sys-root', 'only with bpfscope snapshot or doctor'],
    [['snapshot', '--sys-root', ''], '--sys-root', 'a directory path'],
  ])('%j is a usage error (exit 2) naming the option and what is allowed', async (argv, path, allowed) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(path);
    expect(r.err).toContain(allowed);
    expect(r.err).toContain('remedy:');
  });

  it('an unknown flag is a usage error with the usage text', async () => {
    const r = await run('snapshot', '--colour');
    expect(r.code).toBe(2);
    expect(r.err).toContain("Unknown option '--colour'");
    expect(r.err).toContain('Usage:');
  });

  it.each([[['--help']], [['help']], [[]]])('%j prints the usage on stdout and exits 0', async (argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const verb of ['snapshot', 'doctor', 'run', 'serve', 'help']) expect(r.out).toContain(`bpfscope ${verb}`);
  });

  it('the package description names every command of the usage text', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { description: string };
    for (const verb of ['snapshot', 'doctor', 'run', 'serve', 'help']) expect(pkg.description).toContain(verb);
  });

  it('snapshot --json in fallback mode prints one object of the documented shape', async () => {
    const r = await run('snapshot', '--json', '--mode', 'fallback', '--interval', '100', '--families', 'cpu');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as Record<string, unknown> & { families: Record<string, { source: string; fallback: { code: string } | null; data: { total: Record<string, unknown>; perCpu: unknown[]; intervalMs: number } }> };
    expect(Object.keys(json)).toEqual(['timestamp', 'families', 'errors']);
    const c = json.families.cpu;
    expect(c?.source).toBe('procfs');
    expect(c?.fallback?.code).toBe('DATA_UNAVAILABLE');
    expect(Object.keys(c?.data.total ?? {})).toEqual(expect.arrayContaining(['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'busyPercent']));
    expect(c?.data.perCpu.length).toBeGreaterThan(0);
    expect(c?.data.intervalMs).toBeGreaterThanOrEqual(100);
    expect(json.errors).toEqual([]);
  });

  it('snapshot --json in fallback mode has every family, each from its fallback source', async () => {
    const r = await run('snapshot', '--json', '--mode', 'fallback');
    const json = JSON.parse(r.out) as { families: Record<string, { source: string }>; errors: unknown[] };
    expect(json.errors).toEqual([]);
    expect(r.code).toBe(0);
    // thermal only where the machine has temperature sensors (a virtual machine has none).
    const thermal = thermalSensorInventory().unavailable === null ? { thermal: 'sysfs' } : {};
    // gpu likewise only where the machine has a GPU source (this one has none).
    const g = gpuInventory();
    const gpu = g.noDevice !== null ? {} : { gpu: g.nvml.summary !== null ? 'nvml' : 'sysfs' };
    expect(Object.fromEntries(Object.entries(json.families).map(([k, v]) => [k, v.source]))).toEqual({ cpu: 'procfs', fs: 'procfs', mem: 'procfs', net: 'procfs', proc: 'procfs', syscall: 'procfs', ...thermal, ...gpu });
    // A full procfs scan of every family: past the unit project's 5 s default on a loaded machine (a bound, not an assertion).
  }, 60_000);

  it('snapshot --families thermal on a machine without sensors fails with the reason, never a table of zeros', async () => {
    const r = await run('snapshot', '--json', '--mode', 'fallback', '--families', 'thermal');
    const json = JSON.parse(r.out) as { families: Record<string, unknown>; errors: { family: string; code: string; message: string }[] };
    const missing = thermalSensorInventory().unavailable;
    if (missing === null) {
      expect(Object.keys(json.families)).toEqual(['thermal']);
      return;
    }
    expect(r.code).toBe(1);
    expect(json.families).toEqual({});
    expect(json.errors).toMatchObject([{ family: 'thermal', code: 'DATA_UNAVAILABLE' }]);
    expect(json.errors[0]?.message).toContain(missing.replace(/^.*?: /, ''));
  });

  it('snapshot --sys-root over a GPU fixture: gpu is in the default families there, shown as a table from DRM sysfs', async () => {
    const r = await run('snapshot', '--mode', 'fallback', '--families', 'gpu', '--sys-root', GPU_FIXTURE('amd-rx6800'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gpu {2}source: sysfs {2}\(fell back: DATA_UNAVAILABLE: /m);
    expect(r.out).toContain('  drm:card0  amdgpu  0000:0b:00.0     37  1.2 GiB/16.0 GiB  48.0  52.0  2105     1000    34');
  });

  it('snapshot --families gpu where there is no GPU fails with what was looked for, never a table of zeros', async () => {
    const r = await run('snapshot', '--json', '--mode', 'fallback', '--families', 'gpu', '--sys-root', GPU_FIXTURE('no-drm'));
    const json = JSON.parse(r.out) as { families: Record<string, unknown>; errors: { family: string; code: string; message: string }[] };
    expect(r.code).toBe(1);
    expect(json.families).toEqual({});
    expect(json.errors).toMatchObject([{ family: 'gpu', code: 'DATA_UNAVAILABLE' }]);
    expect(json.errors[0]?.message).toMatch(/^gpu is unavailable: no GPU found here: NVML: .*; DRM sysfs: DRM sysfs is unavailable: .*no-drm\/sys\/class\/drm does not exist/);
  });

  it('doctor --sys-root says which sources the thermal and gpu families find there', async () => {
    const r = await run('doctor', '--sys-root', GPU_FIXTURE('amd-rx6800'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}thermal sensors: none \(thermal sensors is unavailable: this machine exposes no temperature sensor: .*amd-rx6800\/sys\/class\/thermal does not exist/m);
    // The CUDA runtime line is this machine's own (the image may carry a CUDA toolkit without a GPU).
    const runtimes = gpuInventory().cuda.runtimes;
    const cudaLine = runtimes.length === 0 ? 'CUDA runtime: none \\(.*\\)' : `CUDA runtime: ${runtimes.join(', ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    expect(r.out).toMatch(new RegExp(`^ {2}gpu sources:\\n {4}NVML: none \\(.*\\)\\n {4}DRM: card0 amdgpu 0x1002:0x73bf at 0000:0b:00.0\\n {4}${cudaLine}$`, 'm'));
    // A relative --sys-root is taken from the working directory.
    const json = JSON.parse((await run('doctor', '--json', '--sys-root', relative(process.cwd(), GPU_FIXTURE('intel-x1c9-i915')))).out) as { gpu: { drm: unknown } };
    expect(json.gpu.drm).toEqual({ cards: [{ card: 0, driver: 'i915', vendorId: '0x8086', deviceId: '0x9a49', busId: '0000:00:02.0', skipped: null }], unavailable: null });
  }, 60_000);

  it('snapshot without --json shows the net family as tables: interfaces, and connections with this process as owner', async () => {
    // A listener of this process's own, so the connection table has a row whose owner is known.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await run('snapshot', '--mode', 'fallback', '--families', 'net');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/net {2}source: procfs/);
      expect(r.out).toMatch(/^ {2}iface +rx +tx +rx pkts +tx pkts/m);
      expect(r.out).toMatch(/^ {2}lo +/m);
      expect(r.out).toMatch(/^ {2}proto +state +local +remote +pid +comm/m);
      expect(r.out).toMatch(new RegExp(`^ {2}tcp +LISTEN +127\\.0\\.0\\.1:${port} +0\\.0\\.0\\.0:0 +${process.pid} `, 'm'));
    } finally {
      server.close();
    }
  }, 60_000);

  it('snapshot without --json shows the fs family as tables: block devices with I/O, mounts, and what the fallback cannot measure', async () => {
    const r = await run('snapshot', '--mode', 'fallback', '--families', 'fs');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fs {2}source: procfs/);
    expect(r.out).toMatch(/^ {2}device +maj:min +reads +writes +read +written +in flight +read lat +write lat$/m);
    expect(r.out).toMatch(/^ {2}mount +type +source +size +used +avail +use% +inodes used +mode$/m);
    expect(r.out).toMatch(/^ {2}\/ +\S+ +\S+ +[\d.]+ [KMGTP]?i?B /m);
    expect(r.out).toMatch(/unavailable from procfs: files, devices\.latency, processes\.opens, processes\.fsyncs, kernel\b/);
  }, 60_000);

  it('snapshot without --json prints a table with one row per CPU', async () => {
    const r = await run('snapshot', '--mode', 'fallback', '--families', 'cpu');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cpu {2}source: procfs/);
    expect(r.out).toMatch(/^ {2}cpu +busy% +user/m);
    expect(r.out).toMatch(/^ {2}all +[\d.-]+/m);
    expect(r.out).toMatch(/^ {2}0 +[\d.-]+/m);
  });

  it('snapshot says whether bpfscope\'s own calls are in the syscall figures (--include-self)', async () => {
    const without = await run('snapshot', '--mode', 'fallback', '--families', 'syscall');
    expect(without.code).toBe(0);
    expect(without.out).toContain(`bpfscope's own calls (pid ${process.pid}) are left out (--include-self keeps them)`);
    const withSelf = await run('snapshot', '--mode', 'fallback', '--families', 'syscall', '--include-self');
    expect(withSelf.code).toBe(0);
    expect(withSelf.out).toContain(`bpfscope's own calls (pid ${process.pid}) are included`);
  });
});
