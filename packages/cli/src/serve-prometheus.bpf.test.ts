// `bpfscope serve` scraped by a real Prometheus server (Debian's package): the series it
// stores have the names and labels the exporter documents, a counter driven by a known
// workload rose by exactly N between the scrapes around it, and the exposition passes
// promtool. Every wait polls Prometheus's API (scrapes, stored samples) with a generous
// overall limit; no assertion depends on how soon anything happens.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitBlocked } from '../../../test/blocked.js';
import { compileOnce } from '../../../test/compile-c.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { GETPPID_K_THEN_N } from '../test/getppid-workload.js';
import { startPrometheus, type PrometheusServer, type Sample } from '../test/prometheus-server.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
// K getppid calls before it blocks, N after: distinct, and far more than the handful any
// other process makes, so its rows stay in the syscall family's top processes.
const K = 300_000;
const N = 700_000;
const WORKLOAD = GETPPID_K_THEN_N;

/** The online CPUs' numbers, from sysfs ("0-3,6"). */
function onlineCpus(): string[] {
  return readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',').flatMap((r) => {
    const [a, b = a] = r.split('-').map(Number);
    return Array.from({ length: b! - a! + 1 }, (_, i) => String(a! + i));
  });
}

describeKernel('bpfscope serve scraped by a real Prometheus', () => {
  let serve: ChildProcessWithoutNullStreams;
  let serveOut = '';
  let target: string;
  let prom: PrometheusServer;
  const series = (match: string): Promise<Array<Record<string, string>>> => prom.api('series', { 'match[]': match });

  beforeAll(async () => {
    serve = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--mode', 'ebpf', '--families', 'cpu,mem,syscall', '--detail', 'process', '--max-detail', '1000000']);
    serve.stdout.on('data', (b: Buffer) => (serveOut += b.toString()));
    let serveErr = '';
    serve.stderr.on('data', (b: Buffer) => (serveErr += b.toString()));
    const lines = createInterface({ input: serve.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    const m = /listening on http:\/\/([^/]+)\/metrics/.exec(String(first.value));
    if (!m) throw new Error(`serve did not start: ${String(first.value)} ${serveErr}`);
    target = m[1]!;
    prom = await startPrometheus(target);
    // Two successful scrapes.
    await prom.until('two scrapes of bpfscope serve', async () => {
      const up = await prom.query('up{job="bpfscope"}[10m]');
      return (up[0]?.values ?? []).filter(([, v]) => v === '1').length >= 2 ? true : null;
    });
  }, 180_000);

  afterAll(async () => {
    await prom?.stop();
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  });

  it('bpfscope_cpu_* series: per online CPU, from eBPF, with the job and instance', async () => {
    const names = new Set((await series('{__name__=~"bpfscope_cpu_.+"}')).map((s) => s['__name__']));
    expect([...names].sort()).toEqual(expect.arrayContaining(['bpfscope_cpu_busy_time_seconds_total', 'bpfscope_cpu_context_switches_total', 'bpfscope_cpu_runqueue_latency_seconds_bucket', 'bpfscope_cpu_runqueue_latency_seconds_count']));
    const busy = await series('bpfscope_cpu_busy_time_seconds_total');
    expect(busy.map((s) => s['cpu_logical_number']).sort()).toEqual(onlineCpus().sort());
    for (const s of busy) expect(s).toEqual({ __name__: 'bpfscope_cpu_busy_time_seconds_total', bpfscope_source: 'ebpf', cpu_logical_number: s['cpu_logical_number'], instance: target, job: 'bpfscope' });
    const modes = await series('bpfscope_system_cpu_time_seconds_total{cpu_logical_number="0"}');
    expect(modes.map((s) => s['cpu_mode']).sort()).toEqual(['idle', 'interrupt', 'iowait', 'nice', 'softirq', 'steal', 'system', 'user']);
  });

  it('system.memory.usage as bpfscope_system_memory_usage_bytes, one series per memory state', async () => {
    const usage = await series('bpfscope_system_memory_usage_bytes');
    expect(usage.map((s) => s['system_memory_state']).sort()).toEqual(['buffers', 'cached', 'free', 'used']);
    for (const s of usage) expect(Object.keys(s).sort()).toEqual(['__name__', 'bpfscope_source', 'instance', 'job', 'system_memory_state']);
  });

  it('the exposition passes promtool check metrics', async () => {
    const body = await (await fetch(`http://${target}/metrics`)).text();
    expect(body).toContain('bpfscope_syscall_process_count_total{');
    expect(execFileSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' })).toBe('');
  });

  it(`a workload's getppid counter (its own process series) rose by exactly ${N} between the scrapes around its ${N} calls`, async () => {
    const child = spawn(compileOnce(WORKLOAD, 'bpfscope-prom-'), [String(K), String(N)]);
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const pid = Number((await lines.next()).value);
      await waitBlocked(pid);
      const selector = `bpfscope_syscall_process_count_total{process_pid="${pid}",syscall_name="getppid"}`;
      // One counter, though possibly two series: once the process has exited its name is
      // unknown, and the point loses its process_executable_name label.
      const samples = async (): Promise<Sample[]> => {
        const r = await prom.query(`${selector}[10m]`);
        for (const s of r) expect(s.metric).toMatchObject({ bpfscope_source: 'ebpf', process_pid: String(pid), syscall_name: 'getppid', job: 'bpfscope' });
        return r.flatMap((s) => s.values ?? []).sort((a, b) => a[0] - b[0]);
      };
      // A scrape stored before the workload goes on: its read was over, with the first K calls.
      const before = await prom.until(`a scrape holding the workload's first ${K} calls`, async () => (await samples()).find(([, v]) => Number(v) === K) ?? null);
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      child.stdin.write('go\n');
      expect(await exited).toBe(0);
      const ended = Date.now() / 1000;
      // A scrape that started after the workload ended: serve reads afresh for every scrape.
      const after = await prom.until('a scrape started after the workload ended', async () => (await samples()).find(([ts]) => ts > ended) ?? null);
      expect(after[0]).toBeGreaterThan(before[0]);
      expect(Number(after[1]) - Number(before[1])).toBe(N);
      // The counter never fell, and every sample from that scrape on is K + N.
      const values = (await samples()).map(([ts, v]) => [ts, Number(v)] as const);
      expect(values.every(([, v], i) => i === 0 || v >= values[i - 1]![1])).toBe(true);
      expect(values.filter(([ts]) => ts >= after[0]).every(([, v]) => v === K + N)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);

  it('SIGTERM: serve closes and exits 0', async () => {
    const exited = new Promise<number | null>((r) => serve.on('exit', r));
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(serveOut).toContain('bpfscope serve: SIGTERM: closing');
  });
});
