// The README's setup snippet, run as it stands in a Node process of its own (the built
// packages, as an application would import them), exporting over OTLP/HTTP to a local
// receiver named by the standard environment variable: a workload of N getresgid calls made
// once the setup has started shows in its export (the snippet counts every process, so the
// count is N plus the few getresgid calls other processes make meanwhile: a system call that
// neither Node nor the other tests' workloads make, which run beside this one), with the syscall
// family's exponential histograms from eBPF; SIGTERM exports once more and ends the process
// cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { afterEach, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { compileOnce } from '../../../test/compile-c.js';
import { otlpAttributes, otlpExponential, otlpMetric, otlpPoints, otlpValue, startReceiver, type OtlpBody } from '../test/otlp-receiver.js';

// Small enough that its kernel time (~0.2 µs a call in latency mode) stays far inside the
// overhead governor's default budget, which the snippet keeps: latency stays measured.
const N = 3_000;
// getresgid calls of other processes during the test: a login or sudo makes a few; never thousands.
const OTHERS_AT_MOST = 1_000;

/** N getresgid calls, then exit 0. */
const WORKLOAD = `
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  gid_t r, e, s;
  for (long i = 0; i < n; i++) if (syscall(SYS_getresgid, &r, &e, &s) != 0) return 1;
  return 0;
}
`;

const REPO = new URL('../../..', import.meta.url).pathname;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The ts block under the README's "Setup with the SDK" heading. */
function setupSnippet(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Setup with the SDK'));
  const code = section?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('the README has no setup snippet');
  return code;
}

function checkExport(body: OtlpBody): void {
  const up = otlpPoints(otlpMetric(body, 'bpfscope.family.up'), { 'bpfscope.family': 'syscall' });
  expect(up.map((p) => ({ attributes: otlpAttributes(p), value: otlpValue(p) }))).toEqual([{ attributes: { 'bpfscope.family': 'syscall', 'bpfscope.source': 'ebpf' }, value: 1 }]);
  const count = otlpMetric(body, 'bpfscope.syscall.count');
  expect({ unit: count?.unit, monotonic: count?.sum?.isMonotonic, temporality: count?.sum?.aggregationTemporality }).toEqual({ unit: '{syscall}', monotonic: true, temporality: 2 });
  const counts = otlpPoints(count, {});
  for (const p of counts) expect(otlpAttributes(p)['bpfscope.source']).toBe('ebpf');
  // The workload's getresgid calls, all made before this export's collection.
  const calls = otlpPoints(count, { 'syscall.name': 'getresgid' }).map(otlpValue);
  expect(calls).toHaveLength(1);
  expect(calls[0]! >= N && calls[0]! < N + OTHERS_AT_MOST).toBe(true);
  const duration = otlpMetric(body, 'bpfscope.syscall.duration');
  expect({ unit: duration?.unit, temporality: duration?.exponentialHistogram?.aggregationTemporality }).toEqual({ unit: 'ns', temporality: 2 });
  const histograms = otlpPoints(duration, {}).map(otlpExponential);
  // getresgid's distribution counts exactly the calls its counter counts in the same export.
  expect(otlpPoints(duration, { 'syscall.name': 'getresgid' }).map((p) => otlpExponential(p).count)).toEqual(calls);
  for (const h of histograms) {
    expect(h.scale).toBe(0);
    expect(h.zeroCount + h.bucketCounts.reduce((a, b) => a + b, 0)).toBe(h.count);
  }
}

describeKernel('the README setup, run as it stands', () => {
  it('exports the syscall family over OTLP/HTTP to the endpoint of OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, and flushes and exits on SIGTERM', async () => {
    const receiver = await startReceiver();
    cleanup.push(() => receiver.close());
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-otel-readme-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    // The snippet imports the packages by name: resolve them from the repository's node_modules (the built packages).
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'setup.mjs'), (await transform(setupSnippet(), { loader: 'ts', format: 'esm', target: 'node20' })).code);
    // An application has work of its own that keeps it running; this one waits for SIGTERM.
    // It says when the setup module has run (the snippet's engine has started).
    writeFileSync(join(dir, 'main.mjs'), "const keep = setInterval(() => {}, 1 << 30);\nprocess.once('SIGTERM', () => clearInterval(keep));\nawait import('./setup.mjs');\nconsole.log('ready');\n");
    const child = spawn(process.execPath, ['main.mjs'], { cwd: dir, env: { ...process.env, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    cleanup.push(() => void child.kill('SIGKILL'));

    const failed = exited.then((code) => Promise.reject(new Error(`the setup exited (${code}): ${stderr}`)));
    await Promise.race([new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve())), failed]);
    const workload = spawn(compileOnce(WORKLOAD, 'bpfscope-otel-readme-'), [String(N)], { stdio: 'ignore' });
    expect(await new Promise((resolve) => workload.on('exit', resolve))).toBe(0);
    // The snippet's reader exports every 10 s; the workload may have ended before or after
    // the first export, so only the export SIGTERM makes (after it, surely) counts it.
    await Promise.race([receiver.nth(1), failed]);
    const periodic = receiver.received.length;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(receiver.received).toHaveLength(periodic + 1); // shutdown exported once more
    checkExport(receiver.received.at(-1)!.body);
    expect(stderr).toBe('');
  }, 60_000);
});
