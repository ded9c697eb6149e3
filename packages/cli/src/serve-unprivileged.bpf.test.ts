// `bpfscope serve` as the user nobody with only CAP_BPF and CAP_PERFMON (ambient, as a
// systemd unit gives them), dropping them once attached (serve's default): every family is
// up from eBPF, an own workload's getppid calls are counted exactly across the drop, and
// afterwards no thread of serve holds either capability in any set (read from
// /proc/<pid>/task/*/status by this test), Node's SIGUSR1 watcher included.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitBlocked } from '../../../test/blocked.js';
import { compileOnce } from '../../../test/compile-c.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { GETPPID_K_THEN_N } from '../test/getppid-workload.js';
import { asNobody, BPF_CAPS, requireReadableByNobody } from '../../../test/unprivileged.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
const FAMILIES = ['cpu', 'fs', 'mem', 'net', 'proc', 'syscall'];
const K = 30_000;
const N = 70_000;
// K getppid calls, its pid on stdout, then (after a line on stdin) N more.
const WORKLOAD = GETPPID_K_THEN_N;

/** The value of the one sample of `name` whose labels include all of `labels`, or null. */
function sample(body: string, name: string, labels: Record<string, string>): number | null {
  const found = body.split('\n').filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found.length === 0 ? null : Number(found[0]!.split(' ').at(-1));
}

describeKernel('bpfscope serve as nobody with CAP_BPF + CAP_PERFMON, dropping them after attach', () => {
  let serve: ChildProcessWithoutNullStreams;
  let base = '';
  let droppedLine = '';
  let err = '';

  beforeAll(async () => {
    requireReadableByNobody([BIN]);
    const argv = [process.execPath, BIN, 'serve', '--port', '0', '--mode', 'ebpf', '--families', FAMILIES.join(','), '--detail', 'process', '--max-detail', '1000000'];
    serve = spawn('setpriv', asNobody(argv, BPF_CAPS), { cwd: '/tmp' });
    serve.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const lines = createInterface({ input: serve.stdout })[Symbol.asyncIterator]();
    const first = String((await lines.next()).value);
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(first);
    if (!m) throw new Error(`serve did not start: ${first} ${err}`);
    base = m[1]!;
    droppedLine = String((await lines.next()).value);
  }, 120_000);

  afterAll(() => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  });

  it('no thread holds CAP_BPF or CAP_PERFMON in any set afterwards', () => {
    const counts = /^bpfscope serve: dropped CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYS_RESOURCE from (\d+) of (\d+) threads/.exec(droppedLine);
    expect(counts, droppedLine).not.toBeNull();
    expect(counts![1]).toBe(counts![2]);
    const holding: number[] = [];
    for (const tid of readdirSync(`/proc/${serve.pid}/task`)) {
      const text = readFileSync(`/proc/${serve.pid}/task/${tid}/status`, 'utf8');
      const sets = ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'].map((k) => BigInt(`0x${new RegExp(`^${k}:\\s*([0-9a-f]+)$`, 'm').exec(text)![1]}`));
      // nobody was given CAP_BPF and CAP_PERFMON only: after the drop a thread holds nothing.
      if (sets.some((s) => s !== 0n)) holding.push(Number(tid));
    }
    expect(holding).toEqual([]);
  });

  it(`every family is up from eBPF, and a workload's getppid calls count K, then K + ${N}, across the drop`, async () => {
    const child = spawn(compileOnce(WORKLOAD, 'bpfscope-serve-nobody-'), [String(K), String(N)]);
    try {
      const pid = Number((await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value);
      await waitBlocked(pid);
      const labels = { process_pid: String(pid), syscall_name: 'getppid' };
      const first = await (await fetch(`${base}/metrics`)).text();
      for (const f of FAMILIES) expect({ f, up: sample(first, 'bpfscope_family_up_ratio', { bpfscope_family: f, bpfscope_source: 'ebpf' }) }).toEqual({ f, up: 1 });
      expect(sample(first, 'bpfscope_syscall_process_count_total', labels)).toBe(K);
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      child.stdin.write('go\n');
      expect(await exited).toBe(0);
      const second = await (await fetch(`${base}/metrics`)).text();
      expect(sample(second, 'bpfscope_syscall_process_count_total', labels)).toBe(K + N);
      for (const f of FAMILIES) expect({ f, up: sample(second, 'bpfscope_family_up_ratio', { bpfscope_family: f, bpfscope_source: 'ebpf' }) }).toEqual({ f, up: 1 });
      expect(err).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
