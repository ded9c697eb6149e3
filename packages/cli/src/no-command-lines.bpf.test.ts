// Nothing exposed (docs/reliability.md): no family reads another process's command line or
// environment. `bpfscope snapshot` of every family, from eBPF and from the procfs fallbacks,
// runs under strace while a process whose argv and environment hold a secret lives: no
// /proc/<pid>/cmdline or /proc/<pid>/environ is opened, and the secret is nowhere in the output.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
const SECRET = `hunter2-${process.pid}`;

describeKernel('no command line or environment is collected', () => {
  let holder: ReturnType<typeof spawn>;
  beforeAll(async () => {
    holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', '--', `--password=${SECRET}`], { env: { ...process.env, BPFSCOPE_TEST_SECRET: SECRET }, stdio: 'ignore' });
    await new Promise((r) => holder.once('spawn', r));
    // 'spawn' can come while the exec is still under way (cmdline empty): wait for its argv.
    for (let i = 0; i < 2000 && !readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').includes(SECRET); i++) await new Promise((r) => setTimeout(r, 5));
    // The control: the secret is there to be found by a reader of those files.
    expect(readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8')).toContain(SECRET);
    expect(readFileSync(`/proc/${holder.pid}/environ`, 'utf8')).toContain(SECRET);
  });
  afterAll(() => void holder?.kill('SIGKILL'));

  it.each(['ebpf', 'fallback'])('snapshot --mode %s of every family: no cmdline or environ opened, no secret in the output', (mode) => {
    const trace = join(mkdtempSync(join(tmpdir(), 'bpfscope-strace-')), 'trace');
    const out = execFileSync('strace', ['-f', '-qq', '-e', 'trace=open,openat,openat2', '-o', trace, process.execPath, BIN, 'snapshot', '--json', '--mode', mode, '--interval', '200', '--include-self'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const snap = JSON.parse(out) as { families: Record<string, unknown>; errors: unknown[] };
    expect(snap.errors).toEqual([]);
    expect(Object.keys(snap.families)).toEqual(expect.arrayContaining(['cpu', 'fs', 'mem', 'net', 'proc', 'syscall']));
    const opened = readFileSync(trace, 'utf8').split('\n').filter((l) => /\/proc\/(self|\d+)(\/task\/\d+)?\/(cmdline|environ)"/.test(l));
    expect(opened).toEqual([]);
    // The trace itself proves the files opened were seen: /proc/<pid>/stat of processes is read in fallback mode.
    if (mode === 'fallback') expect(readFileSync(trace, 'utf8')).toMatch(/\/proc\/\d+\/stat"/);
    expect(out).not.toContain(SECRET);
    // The holder lived throughout: there was a secret to find.
    expect(holder.exitCode).toBeNull();
    expect(readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8')).toContain(SECRET);
  });
});
